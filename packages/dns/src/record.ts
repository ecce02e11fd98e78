// A resource record encoded once: its owner name and the bytes after it. A response
// writes the owner name as a pointer to the question (offset 12) when they are equal,
// the only compression it does, and measures sizes from these parts.
import { answerCodec, nameCodec, type Answer } from './codec.js';

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

/** Wire size of a record; `questionName` set = owner equal to it is written as a 2-byte pointer. */
export function recordSize(r: EncodedRecord, questionName: string | undefined): number {
  return (questionName !== undefined && r.name === questionName ? 2 : r.nameBytes.length) + r.tail.length;
}

export function writeRecord(r: EncodedRecord, questionName: string | undefined, buf: Buffer, offset: number): number {
  if (questionName !== undefined && r.name === questionName) {
    buf[offset] = 0xc0;
    buf[offset + 1] = 0x0c;
    offset += 2;
  } else {
    offset += r.nameBytes.copy(buf, offset);
  }
  return offset + r.tail.copy(buf, offset);
}

/** Lowercase, single trailing dot: how names are compared. */
export function canonical(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}
