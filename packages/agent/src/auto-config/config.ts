/**
 * Consul's `auto_config` stanza (agent/config/builder.go autoConfigVal, autoConfigAuthorizerVal,
 * validateAutoConfig, validateAutoConfigAuthorizer): a client agent with `enabled` asks
 * `server_addresses` for its configuration with the JWT of `intro_token` / `intro_token_file`
 * (or CONSUL_INTRO_TOKEN); a server with `authorization.enabled` answers, checking the JWT with the
 * `static` jwt authorizer (the jwt auth method's validator) and its `claim_assertions`.
 * Validation texts are the builder's.
 */
import { isIP } from 'node:net';
import type { FieldSpec } from '../checks/decode.js';
import { ConfigError } from '../config/errors.js';
import { JwtValidator } from '../acl/auth-method/jwt.js';
import { HilError, interpolateHil } from '../acl/auth-method/hil.js';
import { compileFilter } from '../http/filter.js';

/** Config fields for ../config/schema.ts. */
export const AUTO_CONFIG_FIELDS: readonly FieldSpec[] = [
  {
    name: 'auto_config',
    type: {
      object: {
        struct: 'AutoConfigRaw',
        fields: [
          { name: 'enabled', type: 'bool' },
          { name: 'intro_token', type: 'string' },
          { name: 'intro_token_file', type: 'string' },
          { name: 'server_addresses', type: 'strings' },
          { name: 'dns_sans', type: 'strings' },
          { name: 'ip_sans', type: 'strings' },
          {
            name: 'authorization',
            type: {
              object: {
                struct: 'AutoConfigAuthorizationRaw',
                fields: [
                  { name: 'enabled', type: 'bool' },
                  {
                    name: 'static',
                    type: {
                      object: {
                        struct: 'AutoConfigAuthorizerRaw',
                        fields: [
                          { name: 'allow_reuse', type: 'bool' },
                          { name: 'claim_assertions', type: 'strings' },
                          { name: 'jwt_validation_pub_keys', type: 'strings' },
                          { name: 'jwks_url', type: 'string' },
                          { name: 'jwks_ca_cert', type: 'string' },
                          { name: 'oidc_discovery_url', type: 'string' },
                          { name: 'oidc_discovery_ca_cert', type: 'string' },
                          { name: 'bound_issuer', type: 'string' },
                          { name: 'bound_audiences', type: 'strings' },
                          { name: 'claim_mappings', type: 'stringMap' },
                          { name: 'list_claim_mappings', type: 'stringMap' },
                          { name: 'jwt_supported_algs', type: 'strings' },
                          { name: 'expiration_leeway', type: 'string' },
                          { name: 'not_before_leeway', type: 'string' },
                          { name: 'clock_skew_leeway', type: 'string' },
                        ],
                      },
                    },
                  },
                ],
              },
            },
          },
        ],
      },
    },
  },
];

export interface AutoConfigAuthorizer {
  enabled: boolean;
  claimAssertions: string[];
  /** The jwt auth method Config (Consul names it "Auto Config Authorizer"). */
  jwtConfig: Record<string, unknown>;
}

export interface AutoConfigConfig {
  enabled: boolean;
  introToken: string;
  introTokenFile: string;
  serverAddresses: string[];
  dnsSans: string[];
  ipSans: string[];
  authorizer: AutoConfigAuthorizer;
}

type Raw = Record<string, unknown>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What the builder checks against: server mode, TLS and ACL settings already built. */
export interface AutoConfigContext {
  server: boolean;
  verifyOutgoing: boolean;
  certFile: string;
  aclsEnabled: boolean;
  tokenReplication: boolean;
  datacenter: string;
  primaryDatacenter: string;
  env: NodeJS.ProcessEnv;
}

export async function parseAutoConfig(c: Raw, ctx: AutoConfigContext, warnings: string[]): Promise<AutoConfigConfig> {
  const a = (c.auto_config ?? {}) as Raw;
  let introToken = str(a.intro_token);
  // The CONSUL_INTRO_TOKEN environment variable wins over the config (builder.go).
  const envToken = ctx.env.CONSUL_INTRO_TOKEN ?? '';
  if (envToken !== '') {
    if (introToken !== '') warnings.push('Both auto_config.intro_token and the CONSUL_INTRO_TOKEN environment variable are set. Using the value from the environment variable');
    introToken = envToken;
  }
  const ipSans: string[] = [];
  for (const ip of strings(a.ip_sans)) {
    if (isIP(ip) !== 0) ipSans.push(ip);
    else warnings.push(`Cannot parse ip ${JSON.stringify(ip)} from auto_config.ip_sans`);
  }
  const authz = (a.authorization ?? {}) as Raw;
  const st = (authz.static ?? {}) as Raw;
  const out: AutoConfigConfig = {
    enabled: a.enabled === true,
    introToken,
    introTokenFile: str(a.intro_token_file),
    serverAddresses: strings(a.server_addresses),
    dnsSans: strings(a.dns_sans),
    ipSans,
    authorizer: {
      enabled: authz.enabled === true,
      claimAssertions: strings(st.claim_assertions),
      jwtConfig: {
        JWTSupportedAlgs: strings(st.jwt_supported_algs),
        BoundAudiences: strings(st.bound_audiences),
        ClaimMappings: st.claim_mappings ?? {},
        ListClaimMappings: st.list_claim_mappings ?? {},
        OIDCDiscoveryURL: str(st.oidc_discovery_url),
        OIDCDiscoveryCACert: str(st.oidc_discovery_ca_cert),
        JWKSURL: str(st.jwks_url),
        JWKSCACert: str(st.jwks_ca_cert),
        JWTValidationPubKeys: strings(st.jwt_validation_pub_keys),
        BoundIssuer: str(st.bound_issuer),
        ...(st.expiration_leeway !== undefined ? { ExpirationLeeway: st.expiration_leeway } : {}),
        ...(st.not_before_leeway !== undefined ? { NotBeforeLeeway: st.not_before_leeway } : {}),
        ...(st.clock_skew_leeway !== undefined ? { ClockSkewLeeway: st.clock_skew_leeway } : {}),
      },
    },
  };
  await validateAuthorizer(out.authorizer, ctx);
  if (!out.enabled) return out;
  // Everything auto_config sends (certificates, tokens, the gossip key) needs TLS to the servers.
  if (!ctx.verifyOutgoing) throw new ConfigError('auto_config.enabled cannot be set without configuring TLS for server communications');
  if (ctx.server) throw new ConfigError('auto_config.enabled cannot be set to true for server agents.');
  if (out.introToken !== '' && out.introTokenFile !== '') {
    warnings.push('Both an intro token and intro token file are set. The intro token will be used instead of the file');
  } else if (out.introToken === '' && out.introTokenFile === '') {
    throw new ConfigError('One of auto_config.intro_token, auto_config.intro_token_file or the CONSUL_INTRO_TOKEN environment variable must be set to enable auto_config');
  }
  if (out.serverAddresses.length === 0) throw new ConfigError('auto_config.enabled is set without providing a list of addresses');
  return out;
}

/** validateAutoConfigAuthorizer: only on servers with a certificate; the JWT settings and assertions must build. */
async function validateAuthorizer(a: AutoConfigAuthorizer, ctx: AutoConfigContext): Promise<void> {
  if (!a.enabled) return;
  if (ctx.aclsEnabled && ctx.primaryDatacenter !== ctx.datacenter && !ctx.tokenReplication) {
    throw new ConfigError(
      'Enabling auto-config authorization (auto_config.authorization.enabled) in non primary datacenters with ACLs enabled (acl.enabled) requires also enabling ACL token replication (acl.enable_token_replication)',
    );
  }
  if (!ctx.server) throw new ConfigError('auto_config.authorization.enabled cannot be set to true for client agents');
  if (ctx.certFile === '') throw new ConfigError('auto_config.authorization.enabled cannot be set without providing a TLS certificate for the server');
  try {
    await JwtValidator.create(a.jwtConfig);
  } catch (err) {
    throw new ConfigError(`auto_config.authorization.static has invalid configuration: ${(err as Error).message}`);
  }
  const fake = new Map([['node', 'fake'], ['segment', 'fake'], ['partition', 'fake']]);
  for (const raw of a.claimAssertions) {
    try {
      compileFilter(interpolateHil(raw, fake, true));
    } catch (err) {
      const why = err instanceof HilError ? err.message : (err as Error).message.replace(/^Failed to create boolean expression evaluator: /, '');
      throw new ConfigError(`auto_config.authorization.static.claim_assertion ${JSON.stringify(raw)} is invalid: ${why}`);
    }
  }
}
