// Wire format of the Raft transport. A connection starts with one protocol byte (so the
// agent can share port 8300 with its own RPC, as Consul does: 0x01 is Consul's RPCRaft),
// then carries frames: [u32 big-endian length][msgpack Message].

import { decode, encode } from '../codec.js';
import type { Message, MessageType } from '../types.js';

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

/** Incremental frame parser for one connection; throws FrameError on a bad frame. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  push(chunk: Buffer): Message[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Message[] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (len === 0 || len > this.maxFrameBytes) throw new FrameError(`frame of ${len} bytes (limit ${this.maxFrameBytes})`);
      if (this.buf.length < 4 + len) break;
      const body = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      let v: unknown;
      try {
        v = decode(body);
      } catch (e) {
        throw new FrameError(`undecodable frame: ${(e as Error).message}`);
      }
      out.push(validateMessage(v));
    }
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
