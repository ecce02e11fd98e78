// The request as the server needs it, and the response writer: header, the question
// copied byte for byte from the request, the sections, and an OPT record when the client
// sent one (its UDP size echoed, an ECS option echoed with scope 0).
import { dnsPacket, questionCodec, type OptAnswer } from './codec.js';
import { NameTable } from './compression.js';
import { putRecord, type EncodedRecord } from './record.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, AXFR: 252, ANY: 255 } as const;

const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;
const CD = 0x0010;

export interface Edns {
  udpSize: number;
  /** Raw ECS option data (family, source prefix, scope, address), if the client sent one. */
  ecs?: Buffer;
}

export interface Query {
  id: number;
  flags: number;
  opcode: number;
  /** Question name as sent (case kept, no trailing dot except the root '.'). */
  name: string;
  qtype: number;
  /** The question's wire bytes (name, type, class). */
  questionBytes: Buffer;
  edns?: Edns;
  /** The whole request, for forwarding. */
  raw: Buffer;
}

/** Header-level checks miekg/dns applies before a handler sees a message (`defaultMsgAcceptFunc`). */
export type Acceptance = 'accept' | 'formerr' | 'notimp' | 'drop';

export function acceptHeader(buf: Buffer): Acceptance {
  if (buf.length < 12) return 'drop';
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return 'drop';
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) return 'notimp';
  if (buf.readUInt16BE(4) !== 1 || buf.readUInt16BE(6) > 1 || buf.readUInt16BE(8) > 1 || buf.readUInt16BE(10) > 2) {
    return 'formerr';
  }
  return 'accept';
}

/**
 * Reads the question name at offset 12 when it is plain labels (no pointer): the common case,
 * and much cheaper than a full decode. Returns undefined to fall back to dns-packet.
 */
function plainQuestion(buf: Buffer): { name: string; end: number } | undefined {
  let offset = 12;
  let name = '';
  for (let labels = 0; labels < 128; labels++) {
    if (offset >= buf.length) return undefined;
    const len = buf[offset]!;
    if (len === 0) {
      const end = offset + 5;
      if (end > buf.length) return undefined;
      return { name: name === '' ? '.' : name, end };
    }
    if (len > 63 || offset + 1 + len > buf.length) return undefined;
    const label = buf.toString('utf8', offset + 1, offset + 1 + len);
    name = name === '' ? label : `${name}.${label}`;
    offset += 1 + len;
  }
  return undefined;
}

/** Decodes an accepted request; throws on anything malformed. */
export function decodeQuery(buf: Buffer): Query {
  const flags = buf.readUInt16BE(2);
  const simple = buf.readUInt16BE(6) === 0 && buf.readUInt16BE(8) === 0 && buf.readUInt16BE(10) === 0;
  const plain = simple ? plainQuestion(buf) : undefined;
  if (plain) {
    return {
      id: buf.readUInt16BE(0),
      flags,
      opcode: (flags >> 11) & 0xf,
      name: plain.name,
      qtype: buf.readUInt16BE(plain.end - 4),
      questionBytes: buf.subarray(12, plain.end),
      raw: buf,
    };
  }
  const packet = dnsPacket.decode(buf);
  const question = packet.questions?.[0];
  if (!question) throw new Error('no question');
  // The question's real extent on the wire (its name may hold a pointer).
  questionCodec.decode(buf, 12);
  const end = 12 + questionCodec.decode.bytes;
  if (end > buf.length) throw new Error('bad question');
  const query: Query = {
    id: buf.readUInt16BE(0),
    flags,
    opcode: (flags >> 11) & 0xf,
    name: question.name,
    qtype: buf.readUInt16BE(end - 4),
    questionBytes: buf.subarray(12, end),
    raw: buf,
  };
  for (const rr of packet.additionals ?? []) {
    if (rr.type === 'OPT') {
      const opt = rr as OptAnswer;
      const edns: Edns = { udpSize: opt.udpPayloadSize };
      for (const o of opt.options ?? []) {
        const option = o as { code: number | string; data?: Buffer };
        if ((option.code === 8 || option.code === 'CLIENT_SUBNET') && option.data && option.data.length >= 4) {
          edns.ecs = Buffer.from(option.data);
        }
      }
      query.edns = edns;
      break;
    }
  }
  return query;
}

/** Request bits a response copies (miekg SetReply: RD and CD). */
export const COPIED_FLAGS = RD | CD;

export interface Reply {
  rcode: number;
  answers: EncodedRecord[];
  authorities: EncodedRecord[];
  additionals: EncodedRecord[];
  truncated?: boolean;
  /** Answers were dropped to fit (counted even when TC is not set). */
  trimmed?: boolean;
  /** AA flag; default true (answers from the catalog). */
  authoritative?: boolean;
}

export function emptyReply(rcode: number): Reply {
  return { rcode, answers: [], authorities: [], additionals: [] };
}

function optSize(edns: Edns | undefined): number {
  if (!edns) return 0;
  return 11 + (edns.ecs ? 4 + edns.ecs.length : 0);
}

/** The question's name in wire form, when it holds no pointer (then it is remembered at offset 12). */
function questionName(query: Query): Buffer | undefined {
  const name = query.questionBytes.subarray(0, query.questionBytes.length - 4);
  for (let i = 0; i < name.length; i += name[i]! + 1) if (name[i]! >= 0x40) return undefined;
  return name;
}

/**
 * Lays the sections out after the header and question: writes them into `buf`, or only
 * measures them when it is undefined; the same walk both times, so the size is the wire size.
 */
function layout(query: Query, reply: Reply, compressed: boolean, buf: Buffer | undefined): number {
  let table: NameTable | undefined;
  if (compressed) {
    table = new NameTable();
    const q = questionName(query);
    if (q) table.remember(q, 12);
  }
  let offset = 12 + query.questionBytes.length;
  for (const r of reply.answers) offset = putRecord(r, table, buf, offset);
  for (const r of reply.authorities) offset = putRecord(r, table, buf, offset);
  for (const r of reply.additionals) offset = putRecord(r, table, buf, offset);
  return offset;
}

/** Size of the encoded response (miekg's Msg.Len); `compressed` false measures every name in full (Consul's UDP rule). */
export function replySize(query: Query, reply: Reply, compressed: boolean): number {
  return layout(query, reply, compressed, undefined) + optSize(query.edns);
}

/** The response's bytes; `compress` false writes every name in full (dns_config.disable_compression). */
export function encodeReply(query: Query, reply: Reply, recursionAvailable: boolean, compress = true): Buffer {
  const buf = Buffer.allocUnsafe(replySize(query, reply, compress));
  let flags = QR | (query.flags & (0xf << 11)) | (reply.authoritative === false ? 0 : AA) | (query.flags & RD) | (query.flags & CD) | (reply.rcode & 0xf);
  if (recursionAvailable) flags |= RA;
  if (reply.truncated) flags |= TC;
  buf.writeUInt16BE(query.id, 0);
  buf.writeUInt16BE(flags, 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt16BE(reply.answers.length, 6);
  buf.writeUInt16BE(reply.authorities.length, 8);
  buf.writeUInt16BE(reply.additionals.length + (query.edns ? 1 : 0), 10);
  query.questionBytes.copy(buf, 12);
  let offset = layout(query, reply, compress, buf);
  if (query.edns) offset = writeOpt(query.edns, buf, offset);
  // Measured and written by the same walk: a difference is a bug, not a short answer.
  if (offset !== buf.length) throw new Error(`DNS response laid out in ${offset} bytes, measured ${buf.length}`);
  return buf;
}

function writeOpt(edns: Edns, buf: Buffer, offset: number): number {
  buf[offset++] = 0; // root name
  buf.writeUInt16BE(QTYPE.OPT, offset);
  buf.writeUInt16BE(edns.udpSize, offset + 2);
  buf.writeUInt32BE(0, offset + 4); // extended rcode 0, version 0, flags 0
  const rdLength = edns.ecs ? 4 + edns.ecs.length : 0;
  buf.writeUInt16BE(rdLength, offset + 8);
  offset += 10;
  if (edns.ecs) {
    buf.writeUInt16BE(8, offset);
    buf.writeUInt16BE(edns.ecs.length, offset + 2);
    offset += 4 + edns.ecs.copy(buf, offset + 4);
    buf[offset - edns.ecs.length + 3] = 0; // scope prefix 0: answers are global
  }
  return offset;
}

/** A header-only reply (FORMERR / NOTIMP for messages rejected before decoding), as miekg/dns sends it. */
export function headerOnlyReply(request: Buffer, rcode: number): Buffer {
  const buf = Buffer.alloc(12);
  buf.writeUInt16BE(request.readUInt16BE(0), 0);
  const opcode = request.readUInt16BE(2) & (0xf << 11);
  buf.writeUInt16BE(QR | (rcode === RCODE.NOTIMP ? opcode : 0) | (rcode & 0xf), 2);
  return buf;
}

/** A reply without question-derived records but with the question echoed (SERVFAIL, REFUSED...). */
export function rcodeOnly(query: Query, rcode: number, recursionAvailable: boolean): Buffer {
  return encodeReply(query, emptyReply(rcode), recursionAvailable);
}
