// Wire messages. A UDP packet is a msgpack array of messages (a compound packet); a TCP stream
// frame holds one message. Messages are msgpack tuples whose first element is the type.
// The type numbers are APPEND-ONLY: never renumber or reuse one, old members must still parse.
import { Packr, Unpackr } from 'msgpackr';
import type { Coordinate } from './coordinate.js';

export const MsgType = {
  ping: 0,
  indirectPing: 1,
  ack: 2,
  nack: 3,
  suspect: 4,
  alive: 5,
  dead: 6,
  pushPull: 7,
  user: 8,
} as const;

export type Tags = Readonly<Record<string, string>>;
/** Numeric member states on the wire (append-only too). */
export const WireState = { alive: 0, suspect: 1, dead: 2, left: 3 } as const;
export type WireStateValue = (typeof WireState)[keyof typeof WireState];

/** `wantCoord`: answer with your coordinate (sent only to members that advertise COORD_TAG). */
export interface PingMsg { type: 'ping'; seq: number; target: string; source: string; wantCoord?: boolean }
export interface IndirectPingMsg { type: 'indirectPing'; seq: number; target: string; targetAddr: string; targetPort: number; nack: boolean }
/** `coord`: the acking member's network coordinate, when the ping asked for it. */
export interface AckMsg { type: 'ack'; seq: number; coord?: Coordinate }
export interface NackMsg { type: 'nack'; seq: number }
export interface SuspectMsg { type: 'suspect'; incarnation: number; node: string; from: string }
export interface AliveMsg { type: 'alive'; incarnation: number; node: string; addr: string; port: number; tags: Tags }
export interface DeadMsg { type: 'dead'; incarnation: number; node: string; from: string }
export interface PushPullState { name: string; addr: string; port: number; incarnation: number; state: WireStateValue; tags: Tags }
export interface PushPullMsg { type: 'pushPull'; join: boolean; states: PushPullState[] }
/** An opaque message of the layer above (serf's user events and queries), broadcast or sent directly. */
export interface UserMsg { type: 'user'; payload: Uint8Array }

export type Message = PingMsg | IndirectPingMsg | AckMsg | NackMsg | SuspectMsg | AliveMsg | DeadMsg | PushPullMsg | UserMsg;

export const NAME_BYTES_MAX = 128;
/**
 * The tag a member that understands coordinates advertises (stripped from the tags the layer
 * above sees). Only members with it are sent pings that ask for a coordinate (five elements), so
 * a member of an older version, whose decoder accepts only four-element pings and two-element
 * acks, never sees either.
 */
export const COORD_TAG = '\u0000c';
/** Bound on a coordinate's dimensions on the wire (serf uses 8). */
export const COORD_DIMS_MAX = 16;
export const TAGS_BYTES_MAX = 512;
/** Bound on a user message: it must fit in one packet with room for a ping (memberlist: the packet size). */
export const USER_BYTES_MAX = 1200;
/** Bound on one stream frame (a push-pull of ~100k members fits). */
export const STREAM_BYTES_MAX = 16 * 1024 * 1024;

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

function toTuple(m: Message): unknown[] {
  switch (m.type) {
    case 'ping': return m.wantCoord ? [MsgType.ping, m.seq, m.target, m.source, true] : [MsgType.ping, m.seq, m.target, m.source];
    case 'indirectPing': return [MsgType.indirectPing, m.seq, m.target, m.targetAddr, m.targetPort, m.nack];
    case 'ack': return m.coord ? [MsgType.ack, m.seq, packCoordinate(m.coord)] : [MsgType.ack, m.seq];
    case 'nack': return [MsgType.nack, m.seq];
    case 'suspect': return [MsgType.suspect, m.incarnation, m.node, m.from];
    case 'alive': return [MsgType.alive, m.incarnation, m.node, m.addr, m.port, m.tags];
    case 'dead': return [MsgType.dead, m.incarnation, m.node, m.from];
    case 'user': return [MsgType.user, m.payload];
    case 'pushPull': return [MsgType.pushPull, m.join, m.states.map((s) => [s.name, s.addr, s.port, s.incarnation, s.state, s.tags])];
  }
}

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && Buffer.byteLength(v) <= NAME_BYTES_MAX;
const isAddr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;

export function tagsBytes(t: Tags): number {
  let n = 0;
  for (const [k, v] of Object.entries(t)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
  return n;
}

export function isTags(v: unknown): v is Tags {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  for (const x of Object.values(v)) if (typeof x !== 'string') return false;
  return tagsBytes(v as Tags) <= TAGS_BYTES_MAX;
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A coordinate on the wire: float32 little-endian `Vec..., Error, Adjustment, Height` in one
 * msgpack bin (46 bytes for 8 dimensions, half of float64 in an array). Seven significant
 * digits are far finer than any RTT estimate needs, and acks go out with every probe.
 */
function packCoordinate(c: Coordinate): Uint8Array {
  const values = [...c.Vec, c.Error, c.Adjustment, c.Height];
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return out;
}

/** The inverse of packCoordinate; undefined unless 1..COORD_DIMS_MAX dimensions of finite values. */
function toCoordinate(v: unknown): Coordinate | undefined {
  if (!(v instanceof Uint8Array) || v.length % 4 !== 0) return undefined;
  const n = v.length / 4;
  if (n < 4 || n > COORD_DIMS_MAX + 3) return undefined;
  const view = new DataView(v.buffer, v.byteOffset, v.length);
  const values = Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true));
  if (!values.every(isFiniteNumber)) return undefined;
  return { Vec: values.slice(0, n - 3), Error: values[n - 3]!, Adjustment: values[n - 2]!, Height: values[n - 1]! };
}

function isWireState(v: unknown): v is WireStateValue {
  return v === 0 || v === 1 || v === 2 || v === 3;
}

/** Validates a decoded tuple; undefined means malformed. */
function fromTuple(t: unknown): Message | undefined {
  if (!Array.isArray(t) || t.length === 0) return undefined;
  const [type] = t;
  switch (type) {
    case MsgType.ping:
      if (!((t.length === 4 || (t.length === 5 && typeof t[4] === 'boolean')) && isU32(t[1]) && typeof t[2] === 'string' && t[2].length <= NAME_BYTES_MAX && isName(t[3]))) return undefined;
      return t[4] === true ? { type: 'ping', seq: t[1], target: t[2], source: t[3], wantCoord: true } : { type: 'ping', seq: t[1], target: t[2], source: t[3] };
    case MsgType.indirectPing:
      return t.length === 6 && isU32(t[1]) && isName(t[2]) && isAddr(t[3]) && isPort(t[4]) && typeof t[5] === 'boolean'
        ? { type: 'indirectPing', seq: t[1], target: t[2], targetAddr: t[3], targetPort: t[4], nack: t[5] } : undefined;
    case MsgType.ack: {
      if (!((t.length === 2 || t.length === 3) && isU32(t[1]))) return undefined;
      // A coordinate we cannot use is ignored, not a reason to drop the ack (or the packet).
      const coord = t.length === 3 ? toCoordinate(t[2]) : undefined;
      return coord ? { type: 'ack', seq: t[1], coord } : { type: 'ack', seq: t[1] };
    }
    case MsgType.nack:
      return t.length === 2 && isU32(t[1]) ? { type: 'nack', seq: t[1] } : undefined;
    case MsgType.suspect:
      return t.length === 4 && isU32(t[1]) && isName(t[2]) && isName(t[3])
        ? { type: 'suspect', incarnation: t[1], node: t[2], from: t[3] } : undefined;
    case MsgType.alive:
      return t.length === 6 && isU32(t[1]) && isName(t[2]) && isAddr(t[3]) && isPort(t[4]) && isTags(t[5])
        ? { type: 'alive', incarnation: t[1], node: t[2], addr: t[3], port: t[4], tags: t[5] } : undefined;
    case MsgType.dead:
      return t.length === 4 && isU32(t[1]) && isName(t[2]) && isName(t[3])
        ? { type: 'dead', incarnation: t[1], node: t[2], from: t[3] } : undefined;
    case MsgType.user:
      return t.length === 2 && t[1] instanceof Uint8Array && t[1].length <= USER_BYTES_MAX
        ? { type: 'user', payload: t[1] } : undefined;
    case MsgType.pushPull: {
      if (t.length !== 3 || typeof t[1] !== 'boolean' || !Array.isArray(t[2])) return undefined;
      const states: PushPullState[] = [];
      for (const s of t[2] as unknown[]) {
        if (!Array.isArray(s) || s.length !== 6) return undefined;
        if (!(isName(s[0]) && isAddr(s[1]) && isPort(s[2]) && isU32(s[3]) && isWireState(s[4]) && isTags(s[5]))) return undefined;
        states.push({ name: s[0], addr: s[1], port: s[2], incarnation: s[3], state: s[4], tags: s[5] });
      }
      return { type: 'pushPull', join: t[1], states };
    }
    default:
      return undefined;
  }
}

/** Encodes one message (a stream frame, or one part of a compound packet). */
export function encodeMessage(m: Message): Uint8Array {
  return packr.pack(toTuple(m));
}

/** Builds a compound packet from already-encoded messages (msgpack array header + the parts). */
export function compound(parts: Uint8Array[]): Uint8Array {
  const n = parts.length;
  const header = n < 16 ? Uint8Array.of(0x90 | n) : Uint8Array.of(0xdc, n >> 8, n & 0xff);
  let size = header.length;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  out.set(header, 0);
  let off = header.length;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

/** Bytes a compound header adds for n parts. */
export function compoundOverhead(n: number): number {
  return n < 16 ? 1 : 3;
}

function unpack(bytes: Uint8Array): unknown {
  try {
    return unpackr.unpack(bytes);
  } catch {
    return undefined;
  }
}

/** Decodes a compound packet; undefined if any part is malformed (the whole packet is dropped). */
export function decodePacket(bytes: Uint8Array): Message[] | undefined {
  const v = unpack(bytes);
  if (!Array.isArray(v) || v.length === 0 || v.length > 1024) return undefined;
  const out: Message[] = [];
  for (const t of v) {
    const m = fromTuple(t);
    if (m === undefined || m.type === 'pushPull') return undefined;
    out.push(m);
  }
  return out;
}

/** Decodes one stream frame; undefined if malformed. */
export function decodeStream(bytes: Uint8Array): Message | undefined {
  if (bytes.length > STREAM_BYTES_MAX) return undefined;
  return fromTuple(unpack(bytes));
}
