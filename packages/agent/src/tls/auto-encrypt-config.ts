/**
 * Consul's `auto_encrypt` stanza (agent/config/builder.go): `allow_tls` lets servers sign client
 * agents' RPC certificates with the Connect CA (AutoEncrypt.Sign), `tls` makes a client agent ask
 * for one at start, `dns_san` / `ip_san` add names to it. Validation texts are the builder's.
 */
import { isIP } from 'node:net';
import type { FieldSpec } from '../checks/decode.js';
import { ConfigError } from '../config/errors.js';

/** Config fields for ../config/schema.ts. */
export const AUTO_ENCRYPT_FIELDS: readonly FieldSpec[] = [
  {
    name: 'auto_encrypt',
    type: {
      object: {
        struct: 'AutoEncrypt',
        fields: [
          { name: 'tls', type: 'bool' },
          { name: 'allow_tls', type: 'bool' },
          { name: 'dns_san', type: 'strings' },
          { name: 'ip_san', type: 'strings' },
        ],
      },
    },
  },
];

export interface AutoEncryptConfig {
  /** A client agent gets its RPC (and HTTPS) certificate from the servers. */
  tls: boolean;
  /** A server answers AutoEncrypt.Sign (and trusts the Connect roots for incoming RPC). */
  allowTls: boolean;
  dnsSan: string[];
  ipSan: string[];
}

type Raw = Record<string, unknown>;


/** Consul's builder warning for allow_tls without tls.internal_rpc.verify_incoming. */
export const ALLOW_TLS_WITHOUT_VERIFY_INCOMING =
  'if auto_encrypt.allow_tls is turned on, tls.internal_rpc.verify_incoming should be enabled (either explicitly or via tls.defaults.verify_incoming). It is necessary to turn it off during a migration to TLS, but it should definitely be turned on afterwards.';

export function parseAutoEncrypt(c: Raw, server: boolean, warnings: string[]): AutoEncryptConfig {
  const a = (c.auto_encrypt ?? {}) as Raw;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const ipSan: string[] = [];
  for (const ip of strings(a.ip_san)) {
    if (isIP(ip) !== 0) ipSan.push(ip); // Go's net.ParseIP: a literal v4 or v6 address
    else warnings.push(`Cannot parse ip ${JSON.stringify(ip)} from AutoEncrypt.IPSAN`);
  }
  const out: AutoEncryptConfig = { tls: a.tls === true, allowTls: a.allow_tls === true, dnsSan: strings(a.dns_san), ipSan };
  if (server && out.tls) throw new ConfigError('auto_encrypt.tls can only be used on a client.');
  if (!server && out.allowTls) throw new ConfigError('auto_encrypt.allow_tls can only be used on a server.');
  if (out.tls && ((c.auto_config ?? {}) as Raw).enabled === true) throw new ConfigError('both auto_encrypt.tls and auto_config.enabled cannot be set to true.');
  return out;
}
