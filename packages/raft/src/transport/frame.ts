// Wire format of the Raft transport. A connection starts with one protocol byte (so the
// agent can share port 8300 with its own RPC, as Consul does: 0x01 is Consul's RPCRaft),
// then carries frames: [u32 big-endian length][msgpack Message].

import { decode, encode } from '../codec.js';
import type { Entry, Message, MessageType } from '../types.js';

export const RAFT_PROTOCOL_BYTE = 0x01;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

const TYPES = new Set<MessageType>([
  'preVote',
  'preVoteResp',
  'vote',
  'voteResp',
  'app',
  'appResp',
  'heartbeat',
  'heartbeatResp',
  'snap',
  'snapResp',
  'timeoutNow',
  'readIndex',
  'readIndexResp',
]);

const ENTRY_TYPES = new Set(['normal', 'conf', 'noop']);

export class FrameError extends Error {
  override name = 'FrameError';
}

export function encodeFrame(m: Message): Buffer {
  const body = encode(m);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Chunks below this size are copied together instead of being kept one by one. */
const SMALL_CHUNK = 4096;
const COALESCE_BYTES = 16 * 1024;

/**
 * Incremental frame parser for one connection; throws FrameError on a bad frame. Received
 * chunks are kept in a list with their total and each frame's body is assembled once when it
 * is complete (no copying per chunk: a frame arriving byte by byte costs linear time). Small
 * chunks are coalesced into a buffer so a trickle of tiny chunks costs no per-chunk overhead.
 * What one connection holds is bounded by one frame: the length prefix is checked against
 * maxFrameBytes as soon as it arrives.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Coalescing buffer for small chunks, after `chunks` in stream order. */
  private acc: Buffer | null = null;
  private accLen = 0;
  private total = 0;
  /** Body length of the frame being received; -1 while its length prefix is incomplete. */
  private need = -1;

  constructor(private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received and not yet returned as messages. */
  get bufferedBytes(): number {
    return this.total;
  }

  push(chunk: Buffer): Message[] {
    this.append(chunk);
    const out: Message[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.total < 4) break;
        const len = this.take(4).readUInt32BE(0);
        if (len === 0 || len > this.maxFrameBytes) throw new FrameError(`frame of ${len} bytes (limit ${this.maxFrameBytes})`);
        this.need = len;
      }
      if (this.total < this.need) break;
      const body = this.take(this.need);
      this.need = -1;
      let v: unknown;
      try {
        v = decode(body);
      } catch (e) {
        throw new FrameError(`undecodable frame: ${(e as Error).message}`);
      }
      const m = validateMessage(v);
      out.push(m);
    }
    return out;
  }

  private append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (chunk.length >= SMALL_CHUNK || this.total === 0) {
      this.flushAcc();
      this.chunks.push(chunk);
    } else {
      if (this.acc !== null && this.accLen + chunk.length > this.acc.length) this.flushAcc();
      if (this.acc === null) this.acc = Buffer.allocUnsafe(COALESCE_BYTES);
      chunk.copy(this.acc, this.accLen);
      this.accLen += chunk.length;
    }
    this.total += chunk.length;
  }

  private flushAcc(): void {
    if (this.acc !== null && this.accLen > 0) this.chunks.push(this.acc.subarray(0, this.accLen));
    this.acc = null;
    this.accLen = 0;
  }

  /** Removes the next n <= total bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    if (this.chunks.length === 0 || this.chunks[0].length < n) this.flushAcc();
    this.total -= n;
    const first = this.chunks[0];
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    let i = 0;
    while (off < n) {
      const c = this.chunks[i];
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) i++;
      else this.chunks[i] = c.subarray(k);
    }
    this.chunks.splice(0, i); // once per frame, not once per chunk
    return out;
  }
}

export function validateMessage(v: unknown): Message {
  if (typeof v !== 'object' || v === null) throw new FrameError('frame is not a message object');
  const m = v as Record<string, unknown>;
  if (typeof m.type !== 'string' || !TYPES.has(m.type as MessageType)) throw new FrameError(`unknown message type ${String(m.type)}`);
  if (typeof m.from !== 'string' || typeof m.to !== 'string') throw new FrameError('message without from/to');
  if (!Number.isInteger(m.term) || (m.term as number) < 0) throw new FrameError('message with a bad term');
  for (const k of ['index', 'logTerm', 'commit', 'rejectHint', 'offset'] as const) {
    if (m[k] !== undefined && !Number.isInteger(m[k])) throw new FrameError(`message field ${k} is not an integer`);
  }
  if (m.entries !== undefined) {
    if (!Array.isArray(m.entries)) throw new FrameError('message entries is not an array');
    for (const e of m.entries as unknown[]) {
      const x = e as Record<string, unknown> | null;
      if (typeof x !== 'object' || x === null || !Number.isInteger(x.index) || !Number.isInteger(x.term) || !ENTRY_TYPES.has(x.type as string)) {
        throw new FrameError('message carries a malformed entry');
      }
    }
  }
  if (m.type === 'snap') {
    const meta = m.snapMeta as Record<string, unknown> | undefined;
    const conf = meta?.conf as Record<string, unknown> | undefined;
    if (!meta || !Number.isInteger(meta.index) || !Number.isInteger(meta.term) || !conf || !Array.isArray(conf.voters) || !Array.isArray(conf.learners)) {
      throw new FrameError('snapshot chunk without valid metadata');
    }
  }
  if (m.chunk !== undefined && !(m.chunk instanceof Uint8Array)) throw new FrameError('snapshot chunk is not bytes');
  return m as unknown as Message;
}
