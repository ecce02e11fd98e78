// A resource record encoded once: its owner name and the bytes after it. A response writes
// the owner name compressed (compression.ts) and measures sizes the same way.
import { answerCodec, nameCodec, type Answer } from './codec.js';
import type { NameTable } from './compression.js';

export interface EncodedRecord {
  /** Owner name as given (case kept). */
  readonly name: string;
  readonly type: string;
  /** Owner name in wire form. */
  readonly nameBytes: Buffer;
  /** Type, class, TTL, RDLENGTH and RDATA. */
  readonly tail: Buffer;
  /** SRV or CNAME target (lowercase, fully qualified), to match Additional records to answers. */
  readonly target?: string;
}

/** True when every label is 1..63 bytes and the whole name at most 255 bytes on the wire. */
export function isValidName(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n === '') return true;
  if (Buffer.byteLength(n) + 2 > 255) return false;
  for (const label of n.split('.')) {
    const len = Buffer.byteLength(label);
    if (len < 1 || len > 63) return false;
  }
  return true;
}

/** Encodes a dns-packet answer; undefined when a name in it cannot be encoded. */
export function encodeRecord(rr: Answer): EncodedRecord | undefined {
  if (!isValidName(rr.name)) return undefined;
  let target: string | undefined;
  if (rr.type === 'SRV') {
    target = rr.data.target;
    if (!isValidName(target)) return undefined;
  } else if (rr.type === 'CNAME' || rr.type === 'NS') {
    if (!isValidName(rr.data)) return undefined;
    if (rr.type === 'CNAME') target = rr.data;
  }
  const whole = answerCodec.encode(rr);
  const nameLength = nameCodec.encodingLength(rr.name);
  const record: EncodedRecord = {
    name: rr.name,
    type: rr.type,
    nameBytes: whole.subarray(0, nameLength),
    tail: whole.subarray(nameLength),
    ...(target !== undefined ? { target: target.toLowerCase().replace(/\.?$/, '.') } : {}),
  };
  return record;
}

export function encodeRecords(rrs: Answer[]): EncodedRecord[] {
  const out: EncodedRecord[] = [];
  for (const rr of rrs) {
    const r = encodeRecord(rr);
    if (r) out.push(r);
  }
  return out;
}

/** Where a name the tail holds starts in it (after TYPE, CLASS, TTL, RDLENGTH): an SRV, CNAME, NS or PTR target. */
function tailNameAt(r: EncodedRecord): number | undefined {
  if (r.type === 'SRV') return 10 + 6;
  return r.type === 'CNAME' || r.type === 'NS' || r.type === 'PTR' ? 10 : undefined;
}

/**
 * Writes `r` at `offset` (or only measures it when `buf` is undefined) and returns the offset
 * after it. With a name table its owner name is compressed and its names remembered.
 */
export function putRecord(r: EncodedRecord, table: NameTable | undefined, buf: Buffer | undefined, offset: number): number {
  const hit = table?.find(r.nameBytes);
  if (hit) {
    table!.remember(r.nameBytes, offset, hit.at);
    if (buf) {
      r.nameBytes.copy(buf, offset, 0, hit.at);
      buf.writeUInt16BE(0xc000 | hit.pointer, offset + hit.at);
    }
    offset += hit.at + 2;
  } else {
    table?.remember(r.nameBytes, offset);
    if (buf) r.nameBytes.copy(buf, offset);
    offset += r.nameBytes.length;
  }
  const at = tailNameAt(r);
  if (table && at !== undefined) table.remember(r.tail.subarray(at), offset + at);
  if (buf) r.tail.copy(buf, offset);
  return offset + r.tail.length;
}

/** Lowercase, single trailing dot: how names are compared. */
export function canonical(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}
