// msgpack as the agent writes it to the Raft log and to agent RPC. msgpackr renames a map key
// "__proto__" to "__proto_" when it decodes (its guard against prototype pollution), but such a
// key is valid data (a meta key, a service ID): a value that holds one is written with v8's
// serializer instead, which keeps it. The first byte tells them apart: v8's header is 0xFF, and
// msgpack puts 0xFF (-1) first only for the number -1, never for the maps written here.
import { deserialize, serialize } from 'node:v8';
import type { Packr } from 'msgpackr';

const V8_HEADER = 0xff;
/** "__proto__" as a msgpack fixstr; also found when it is a value, which only costs the v8 path. */
const PROTO_KEY = Buffer.from([0xa9, ...Buffer.from('__proto__')]);

export function packKeepingKeys(packr: Packr, value: unknown): Buffer {
  const packed = packr.pack(value);
  return packed.includes(PROTO_KEY) ? serialize(value) : packed;
}

export function isV8Serialized(bytes: Uint8Array): boolean {
  return bytes[0] === V8_HEADER;
}

export function unpackKeepingKeys(packr: Packr, bytes: Uint8Array): unknown {
  return isV8Serialized(bytes) ? deserialize(bytes) : packr.unpack(bytes);
}
