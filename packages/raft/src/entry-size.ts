// The size of an entry as every byte bound counts it: the bytes of its encoded command.

import { encode } from './codec.js';
import type { Entry } from './types.js';

const sizes = new WeakMap<Entry, number>();

/** Bytes of an entry's encoded command, the unit of every byte bound (memoized per entry). */
export function entryBytes(e: Entry): number {
  const d = e.data;
  if (d === null || d === undefined) return 0;
  // Commands that are bytes already (the agent's): msgpack's bin header plus the bytes, without
  // encoding them again on every node.
  if (d instanceof Uint8Array) return d.length + (d.length < 0x100 ? 2 : d.length < 0x10000 ? 3 : 5);
  let n = sizes.get(e);
  if (n === undefined) {
    n = encode(d).length;
    sizes.set(e, n);
  }
  return n;
}

/** Bytes of a list of entries. */
export function entriesBytes(ents: Entry[]): number {
  let n = 0;
  for (const e of ents) n += entryBytes(e);
  return n;
}

/**
 * Memory the log holds per entry besides its command's bytes, for bounds on memory: its slot
 * in the columns (29 bytes, up to twice that after the columns grew) and the chunks' slack
 * (77 bytes measured for 150-byte commands).
 */
export const ENTRY_OVERHEAD_BYTES = 80;
