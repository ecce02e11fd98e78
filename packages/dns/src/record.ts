// A resource record encoded once: its owner name and the bytes after it. A response writes
// the owner name and the names inside the data compressed (compression.ts) and measures sizes
// the same way.
import { answerCodec, nameCodec, type Answer } from './codec.js';
import { putName, type NameTable } from './compression.js';

/** A name inside a record's data: its extent in the tail, and whether miekg may compress it. */
export interface DataName {
  readonly at: number;
  readonly end: number;
  readonly compress: boolean;
}

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
  /** The names inside the data, in order (none for types without names). */
  readonly dataNames?: readonly DataName[];
}

/** Offset of the data in the tail: after TYPE, CLASS, TTL and RDLENGTH. */
const DATA_AT = 10;

/**
 * Where each type's data holds names (the bytes before the first, how many follow each other)
 * and whether miekg compresses them: zmsg.go, the pack functions of CNAME, NS, PTR, MX and SOA
 * pass `compress`, those of SRV and DNAME pass false. Other types are written as they are.
 */
const DATA_NAMES: ReadonlyMap<string, { skip: number; count: number; compress: boolean }> = new Map([
  ['CNAME', { skip: 0, count: 1, compress: true }],
  ['NS', { skip: 0, count: 1, compress: true }],
  ['PTR', { skip: 0, count: 1, compress: true }],
  ['MX', { skip: 2, count: 1, compress: true }], // preference
  ['SOA', { skip: 0, count: 2, compress: true }], // mname, rname
  ['SRV', { skip: 6, count: 1, compress: false }], // priority, weight, port
  ['DNAME', { skip: 0, count: 1, compress: false }],
]);

/** Where the uncompressed wire name at `at` ends, or undefined when it is malformed. */
function nameEnd(bytes: Buffer, at: number): number | undefined {
  for (let i = at, labels = 0; i < bytes.length && labels < 128; labels++) {
    const len = bytes[i]!;
    if (len === 0) return i + 1;
    if (len >= 0x40) return undefined;
    i += len + 1;
  }
  return undefined;
}

/** The names in a record's data; undefined when it has none or one does not parse. */
function dataNamesOf(type: string, tail: Buffer): DataName[] | undefined {
  const layout = DATA_NAMES.get(type);
  if (!layout) return undefined;
  const names: DataName[] = [];
  let at = DATA_AT + layout.skip;
  for (let k = 0; k < layout.count; k++) {
    const end = nameEnd(tail, at);
    if (end === undefined) return undefined;
    names.push({ at, end, compress: layout.compress });
    at = end;
  }
  return names;
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
  const tail = whole.subarray(nameLength);
  const dataNames = dataNamesOf(rr.type, tail);
  const record: EncodedRecord = {
    name: rr.name,
    type: rr.type,
    nameBytes: whole.subarray(0, nameLength),
    tail,
    ...(target !== undefined ? { target: target.toLowerCase().replace(/\.?$/, '.') } : {}),
    ...(dataNames ? { dataNames } : {}),
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

/**
 * Writes `r` at `offset` (or only measures it when `buf` is undefined) and returns the offset
 * after it. With a name table its names are compressed and remembered as miekg packs them, and
 * RDLENGTH is the length of the data as written (packRR).
 */
export function putRecord(r: EncodedRecord, table: NameTable | undefined, buf: Buffer | undefined, offset: number): number {
  offset = putName(r.nameBytes, table, true, buf, offset);
  if (!table || !r.dataNames) {
    if (buf) r.tail.copy(buf, offset);
    return offset + r.tail.length;
  }
  const dataStart = offset + DATA_AT;
  let from = 0;
  for (const n of r.dataNames) {
    if (buf) r.tail.copy(buf, offset, from, n.at);
    offset = putName(r.tail.subarray(n.at, n.end), table, n.compress, buf, offset + n.at - from);
    from = n.end;
  }
  if (buf) {
    r.tail.copy(buf, offset, from);
    buf.writeUInt16BE(offset + r.tail.length - from - dataStart, dataStart - 2);
  }
  return offset + r.tail.length - from;
}

/** Lowercase, single trailing dot: how names are compared. */
export function canonical(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}
