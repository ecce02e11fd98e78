// The messages of the layer above membership (serf's messages.go): user events, queries and
// their responses, and the prune of a force-left member. They travel as gossip user messages,
// JSON after a one-byte tag so a future encoding can be told apart. Decoding validates every
// field: a malformed message is dropped, never trusted.
import { USER_BYTES_MAX } from '@proconsul/gossip';
import type { UserEvent } from '../events/user-events.js';

const TAG = 0x01;
const isStr = (v: unknown, max = 1024): v is string => typeof v === 'string' && v.length <= max;
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A user event as Consul gossips it (structs.UserEvent without LTime, which is serf's). */
export type EventBody = Omit<UserEvent, 'LTime'>;

export type SerfMessage =
  | { t: 'event'; lt: number; event: EventBody }
  /** A query: every member that receives it answers `from` directly with a `resp`. */
  | { t: 'query'; id: string; lt: number; name: string; from: { addr: string; port: number }; body: unknown; relay?: number }
  | { t: 'resp'; id: string; node: string; body: unknown }
  /** serf's relayed response: the receiver forwards `resp` to `to` (the asker). */
  | { t: 'relay'; to: { addr: string; port: number }; resp: { t: 'resp'; id: string; node: string; body: unknown } }
  /** force-leave -prune: every member drops `node` from its table. */
  | { t: 'prune'; id: string; node: string };

/** Consul's limit on keyring relay factors. */
export const RELAY_FACTOR_MAX = 5;

function isAddress(v: unknown): v is { addr: string; port: number } {
  return isObj(v) && isStr(v['addr'], 64) && isU32(v['port']) && (v['port'] as number) <= 65535;
}

export function encodeSerf(m: SerfMessage): Buffer {
  const b = Buffer.concat([Buffer.of(TAG), Buffer.from(JSON.stringify(m))]);
  if (b.length > USER_BYTES_MAX) throw new Error(`exceeds sane limit of ${USER_BYTES_MAX} bytes after encoding`);
  return b;
}

function isEventBody(v: unknown): v is EventBody {
  return isObj(v) && isStr(v['ID'], 64) && isStr(v['Name']) && (v['Payload'] === null || isStr(v['Payload'], 2048)) &&
    isStr(v['NodeFilter']) && isStr(v['ServiceFilter']) && isStr(v['TagFilter']) && isU32(v['Version']);
}

export function decodeSerf(bytes: Uint8Array): SerfMessage | undefined {
  if (bytes.length < 2 || bytes[0] !== TAG || bytes.length > USER_BYTES_MAX) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObj(m)) return undefined;
  switch (m['t']) {
    case 'event':
      return isU32(m['lt']) && isEventBody(m['event']) ? (m as SerfMessage) : undefined;
    case 'query': {
      const from = m['from'];
      const relay = m['relay'];
      const ok = isStr(m['id'], 64) && isU32(m['lt']) && isStr(m['name'], 64) && isAddress(from) &&
        (relay === undefined || (isU32(relay) && relay <= RELAY_FACTOR_MAX));
      return ok ? (m as SerfMessage) : undefined;
    }
    case 'relay': {
      const r = m['resp'];
      return isAddress(m['to']) && isObj(r) && r['t'] === 'resp' && isStr(r['id'], 64) && isStr(r['node'], 128) ? (m as SerfMessage) : undefined;
    }
    case 'resp':
      return isStr(m['id'], 64) && isStr(m['node'], 128) ? (m as SerfMessage) : undefined;
    case 'prune':
      return isStr(m['id'], 64) && isStr(m['node'], 128) ? (m as SerfMessage) : undefined;
    default:
      return undefined;
  }
}
