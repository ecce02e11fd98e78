/**
 * The peering token (Consul's structs.PeeringToken, encoded by PeeringBackend.EncodeToken as
 * base64 of its JSON) and the checks Establish runs on it (agent/rpc/peering/validate.go
 * validatePeeringToken, dns.ValidateLabel for the peer name). Pure.
 */
import { isIP } from 'node:net';

export interface PeeringToken {
  CA: string[] | null;
  ManualServerAddresses?: string[] | null;
  /** `host:port` of the accepting cluster's servers (here: their server RPC port, 8300). */
  ServerAddresses: string[] | null;
  ServerName: string;
  /** The accepting cluster's ID for the peering. */
  PeerID: string;
  EstablishmentSecret: string;
  Remote: { Partition: string; Datacenter: string };
}

/** Bound on a token's encoded size (a pasted token is small; this keeps a bad one cheap). */
const TOKEN_CHARS_MAX = 64 * 1024;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class PeeringTokenError extends Error {}

/** dns.ValidateLabel as GenerateToken and Establish call it on the peer name. */
export function peerNameError(name: string): string | undefined {
  if (LABEL.test(name)) return undefined;
  return `${name} is not a valid peer name: a valid DNS label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
}

export function encodePeeringToken(tok: PeeringToken): string {
  return Buffer.from(JSON.stringify(tok), 'utf8').toString('base64');
}

/** DecodeToken: base64 then JSON (Consul's texts). */
export function decodePeeringToken(raw: string): PeeringToken {
  if (raw.length > TOKEN_CHARS_MAX || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0) {
    throw new PeeringTokenError('failed to decode token: illegal base64 data at input byte 0');
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch (err) {
    throw new PeeringTokenError((err as Error).message);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PeeringTokenError('json: cannot unmarshal into Go value of type structs.PeeringToken');
  const t = v as Record<string, unknown>;
  const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  const str = (x: unknown): string => (typeof x === 'string' ? x : '');
  const remote = (typeof t.Remote === 'object' && t.Remote !== null ? t.Remote : {}) as Record<string, unknown>;
  return {
    CA: strings(t.CA),
    ManualServerAddresses: strings(t.ManualServerAddresses),
    ServerAddresses: strings(t.ServerAddresses),
    ServerName: str(t.ServerName),
    PeerID: str(t.PeerID),
    EstablishmentSecret: str(t.EstablishmentSecret),
    Remote: { Partition: str(remote.Partition), Datacenter: str(remote.Datacenter) },
  };
}

/** `host:port` split as net.SplitHostPort does (IPv6 in brackets). */
export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):([^:]*)$/.exec(addr);
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  if (!/^\d+$/.test(m[3]!)) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** validatePeeringToken (CA certificates are not checked: no mesh across peers here). */
export function peeringTokenError(tok: PeeringToken): string | undefined {
  const manual = tok.ManualServerAddresses ?? [];
  const addrs = tok.ServerAddresses ?? [];
  if (addrs.length === 0 && manual.length === 0) return 'peering token server addresses value is empty';
  for (const a of [...manual, ...addrs]) if (!splitHostPort(a)) return `${a} is not a valid peering server address`;
  if ((tok.CA ?? []).length > 0 && tok.ServerName === '') return 'peering token server name value is empty';
  if (tok.PeerID === '') return 'peering token peer ID value is empty';
  return undefined;
}

/** Where a dialer reaches the accepting servers: the manual addresses first, as Consul's dialer. */
export function dialAddresses(tok: Pick<PeeringToken, 'ManualServerAddresses' | 'ServerAddresses'>): string[] {
  return [...(tok.ManualServerAddresses ?? []), ...(tok.ServerAddresses ?? [])];
}

/** `host:port` of a server for a token (brackets around IPv6). */
export const joinHostPort = (host: string, port: number): string => (isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`);
