/**
 * The `AutoConfig.InitialConfiguration` RPC (Consul's agent/consul/auto_config_endpoint.go and
 * auto_config_backend.go): a client agent with `auto_config.enabled` sends its intro JWT and a CSR
 * over RPCTLSInsecure; a server with `auto_config.authorization.enabled` passes the call to the
 * leader, which checks the JWT with the static jwt authorizer and the claim assertions, then
 * answers the datacenter's settings: the join addresses, the gossip key, the TLS settings, the ACL
 * settings with a new local token holding a node identity for the node, the agent certificate
 * signed by the Connect CA, the Connect roots and the servers' manually configured CAs.
 */
import { randomUUID, createHash } from 'node:crypto';
import { formatGoDuration } from '@proconsul/catalog';
import type { AclTokenRecord } from '@proconsul/catalog';
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { AgentContext } from '../context.js';
import type { RpcTls } from '../tls/rpc-tls.js';
import { JwtValidator } from '../acl/auth-method/jwt.js';
import { interpolateHil } from '../acl/auth-method/hil.js';
import { compileFilter } from '../http/filter.js';
import { parseCsr } from '@proconsul/x509';
import { parseCertUri } from '../connect/spiffe.js';
import { indexedRoots } from '../connect/ca-routes.js';
import { CSR_BYTES_MAX } from '../connect/sign-rpc.js';
import type { SignedRoot } from '../connect/auto-encrypt-rpc.js';
import type { AutoConfigRequest, AutoConfigResponse, AutoConfigSettings } from './response.js';

const LEADER_TIMEOUT_MS = 30_000;
/** A JWT larger than this is refused before any parsing (the RPC frame allows far more). */
const JWT_BYTES_MAX = 64 * 1024;
/** Consul's acl.PermissionDenied text. */
const denied = (why: string): Error => new Error(`Permission denied: ${why}`);

export function serveAutoConfig(cluster: ServerCluster, ctx: AgentContext, rpcTls: RpcTls | null): void {
  const authz = ctx.config.autoConfig.authorizer;
  // The validator is built once (the config was checked at load); a JWKS / discovery URL is fetched then.
  let validator: Promise<JwtValidator> | undefined;
  const getValidator = (): Promise<JwtValidator> => {
    validator ??= JwtValidator.create(authz.jwtConfig);
    validator.catch(() => (validator = undefined));
    return validator;
  };
  cluster.rpc.handle('AutoConfig.InitialConfiguration', async (body) => {
    const req = (body ?? {}) as Partial<AutoConfigRequest>;
    const dc = ctx.config.datacenter;
    // Agents need not know their datacenter yet: ours is the default.
    const reqDc = typeof req.Datacenter === 'string' && req.Datacenter !== '' ? req.Datacenter : dc;
    if (reqDc !== dc) throw new Error(`invalid datacenter ${JSON.stringify(reqDc)} - agent auto configuration cannot target a remote datacenter`);
    return cluster.onLeader('AutoConfig.InitialConfiguration', { ...req, Datacenter: reqDc } as { Hops?: number }, LEADER_TIMEOUT_MS, false, async (): Promise<AutoConfigResponse> => {
      // Consul's disabledAuthorizer.
      if (!authz.enabled) throw new Error('Auto Config is disabled');
      const node = typeof req.Node === 'string' ? req.Node : '';
      const segment = typeof req.Segment === 'string' ? req.Segment : '';
      const jwt = typeof req.JWT === 'string' ? req.JWT : '';
      if (jwt.length > JWT_BYTES_MAX) throw denied('Failed JWT authorization: token too large');
      const csrPem = typeof req.CSR === 'string' ? req.CSR : '';
      if (csrPem.length > CSR_BYTES_MAX) throw new Error('Failed to parse CSR: too large');
      await authorize(await getValidator(), authz.claimAssertions, { node, segment, jwt });
      const csr = csrPem !== '' ? checkCsr(csrPem, node) : undefined;
      if (node === '') throw new Error('Cannot generate auto config response without a node name');
      const resp: AutoConfigResponse = { Config: baseConfig(ctx, rpcTls, node, segment), ExtraCACertificates: [] };
      if (ctx.config.acl.enabled) {
        const secret = await createNodeToken(ctx, node);
        resp.Config.ACL!.Tokens = { Agent: secret };
      }
      // updateTLSCertificatesInConfig: nothing to sign without Connect.
      if (ctx.config.connect.enabled && ctx.connectCA) {
        if (csr !== undefined) {
          try {
            // The JWT authorized the node: no ACL check on the agent's own certificate.
            resp.Certificate = await ctx.connectCA.sign(csrPem, async () => undefined);
          } catch (err) {
            throw new Error(`Failed to sign CSR: ${(err as Error).message}`);
          }
        }
        const roots = indexedRoots(ctx.catalog);
        resp.CARoots = { ...roots.value, Roots: roots.value.Roots as SignedRoot[], Index: roots.index };
        resp.ExtraCACertificates = rpcTls?.manualCaPems ?? [];
      }
      return resp;
    });
  });
}

/** jwtAuthorizer.Authorize: the JWT, then each claim assertion with ${node} / ${segment} filled in. */
async function authorize(v: JwtValidator, assertions: string[], r: { node: string; segment: string; jwt: string }): Promise<void> {
  let identity;
  try {
    identity = await v.validateLogin(r.jwt);
  } catch (err) {
    throw denied(`Failed JWT authorization: ${(err as Error).message}`);
  }
  const vars = new Map([['node', r.node], ['segment', r.segment]]);
  for (const raw of assertions) {
    let filled: string;
    try {
      filled = interpolateHil(raw, vars, true);
    } catch (err) {
      throw new Error(`Failed to render claim assertion template ${JSON.stringify(raw)}: ${(err as Error).message}`);
    }
    let matches: boolean;
    try {
      matches = compileFilter(filled)(identity.selectable);
    } catch (err) {
      throw new Error(`Failed to create evaluator for claim assertion ${JSON.stringify(filled)}: ${(err as Error).message}`);
    }
    if (!matches) throw denied('Failed JWT claim assertion');
  }
}

/** parseAutoConfigCSR plus the check that the agent ID is the requesting node. */
function checkCsr(pem: string, node: string): string {
  let uris: string[];
  try {
    uris = parseCsr(pem).uris;
  } catch (err) {
    throw new Error(`Failed to parse CSR: ${(err as Error).message}`);
  }
  if (uris.length < 1) throw new Error("CSR didn't include any URI SANs");
  let id;
  try {
    id = parseCertUri(uris[0]!);
  } catch (err) {
    throw new Error(`Failed to parse the SPIFFE URI: ${(err as Error).message}`);
  }
  if (id.kind !== 'agent') throw new Error('SPIFFE ID is not an Agent ID');
  if (id.agent !== node) throw new Error(`Spiffe ID agent name (${id.agent}) of the certificate signing request is not for the correct node (${node})`);
  return pem;
}

/** baseConfig, updateJoinAddressesInConfig, updateGossipEncryptionInConfig, updateTLSSettingsInConfig and the ACL settings. */
function baseConfig(ctx: AgentContext, rpcTls: RpcTls | null, node: string, segment: string): AutoConfigSettings {
  const c = ctx.config;
  const out: AutoConfigSettings = { Datacenter: c.datacenter, PrimaryDatacenter: c.primaryDatacenter, NodeName: node, SegmentName: segment };
  // DatacenterJoinAddresses: the LAN gossip address of every server of this datacenter.
  const joins = ctx.gossip.lan
    .members()
    .filter((m) => m.Tags.role === 'consul' && m.Tags.dc === c.datacenter)
    .map((m) => (m.Addr.includes(':') ? `[${m.Addr}]:${m.Port}` : `${m.Addr}:${m.Port}`));
  out.Gossip = { RetryJoinLAN: joins };
  const keyring = ctx.gossip.lan.keyring;
  if (keyring) out.Gossip.Encryption = { Key: keyring.primaryKey().toString('base64'), VerifyIncoming: c.encryptVerifyIncoming, VerifyOutgoing: c.encryptVerifyOutgoing };
  if (rpcTls) out.TLS = { VerifyOutgoing: c.rpcTls.verifyOutgoing, VerifyServerHostname: rpcTls.verifyServerHostname, MinVersion: c.rpcTls.minVersion.replace('.', '_') };
  out.ACL = {
    Enabled: c.acl.enabled,
    PolicyTTL: formatGoDuration(c.acl.policyTtlMs),
    RoleTTL: formatGoDuration(c.acl.roleTtlMs),
    TokenTTL: formatGoDuration(c.acl.tokenTtlMs),
    DownPolicy: c.acl.downPolicy,
    DefaultPolicy: c.acl.defaultPolicy,
    EnableKeyListPolicy: false,
  };
  return out;
}

/** updateACLsInConfig: a local token with a node identity (the leader picks its IDs and puts them in the command). */
async function createNodeToken(ctx: AgentContext, node: string): Promise<string> {
  const content = {
    AccessorID: randomUUID(),
    SecretID: randomUUID(),
    Description: `Auto Config Token for Node ${JSON.stringify(node)}`,
    Policies: [],
    Roles: [],
    ServiceIdentities: [],
    NodeIdentities: [{ NodeName: node, Datacenter: ctx.config.datacenter }],
    Local: true,
  };
  const token: Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'> = {
    ...content,
    CreateTime: new Date(ctx.now()).toISOString(),
    Hash: createHash('sha256').update(JSON.stringify(content)).digest('base64'),
  };
  const result = await ctx.applier.apply({ Type: 'ACLTokenSet', Token: token, CreateOnly: true });
  if (!result.ok) throw new Error(`Failed to generate an ACL token for node ${JSON.stringify(node)} - ${result.error}`);
  return token.SecretID;
}
