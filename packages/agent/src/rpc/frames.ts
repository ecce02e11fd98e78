// Agent RPC frames on the server port after Consul's RPCConsul protocol byte (0x00):
// [u32 BE length][msgpack body] (v8's serialization for a body with a "__proto__" key: see
// msgpack.ts). Chunks are kept in a list and joined once per frame, so a frame arriving byte by
// byte costs linear time; a frame over the limit closes the connection.
import { Packr } from 'msgpackr';
import { packKeepingKeys, unpackKeepingKeys } from '../msgpack.js';

export const RPC_CONSUL_BYTE = 0x00;
/** A forwarded request or its answer (a KV value is at most 512 KiB; a snapshot restore more). */
export const RPC_FRAME_BYTES_MAX = 64 * 1024 * 1024;

const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint' });

export class RpcFrameError extends Error {
  override name = 'RpcFrameError';
}

export function encodeRpcFrame(value: unknown): Buffer {
  const body = packKeepingKeys(packr, value);
  if (body.length > RPC_FRAME_BYTES_MAX) throw new RpcFrameError(`RPC frame of ${body.length} bytes is over the ${RPC_FRAME_BYTES_MAX}-byte limit`);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

export class RpcFrameDecoder {
  #chunks: Buffer[] = [];
  #bytes = 0;

  /** Returns every complete frame's value; throws RpcFrameError on a bad or oversized frame. */
  push(chunk: Buffer): unknown[] {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    const out: unknown[] = [];
    for (;;) {
      if (this.#bytes < 4) return out;
      const head = this.#peek(4);
      const len = head.readUInt32BE(0);
      if (len === 0 || len > RPC_FRAME_BYTES_MAX) throw new RpcFrameError(`RPC frame of ${len} bytes (limit ${RPC_FRAME_BYTES_MAX})`);
      if (this.#bytes < 4 + len) return out;
      const frame = this.#take(4 + len).subarray(4);
      try {
        out.push(unpackKeepingKeys(packr, frame));
      } catch (err) {
        throw new RpcFrameError(`undecodable RPC frame: ${(err as Error).message}`);
      }
    }
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0]!.subarray(0, n);
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#bytes = rest.length;
    return all.subarray(0, n);
  }
}
