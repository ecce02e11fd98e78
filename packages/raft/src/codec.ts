// One msgpack codec for everything the raft package writes to disk or to the wire.

import { Packr } from 'msgpackr';

// Plain maps, no shared record structures: every frame and record decodes on its own.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}
