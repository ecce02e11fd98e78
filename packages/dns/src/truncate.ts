// Consul's trimDNSResponse (agent/dns.go): UDP answers cut to udp_answer_limit (non-EDNS) and
// to the client's size (trimUDPResponse); TCP answers cut to 64 KiB (trimTCPResponse).
// Additional records follow the SRV answers left (syncExtra).
import { QTYPE, replySize, type Query, type Reply } from './message.js';
import type { EncodedRecord } from './record.js';

const DEFAULT_MAX_UDP_SIZE = 512;
const MAX_UDP_ANSWER_LIMIT = 8;
const MAX_UDP_DATAGRAM_SIZE = 65535 - 68;
const MAX_TCP_SIZE = 65523;

/** Lowercase, fully qualified: how names are compared here. */
const fqdn = (name: string): string => name.toLowerCase().replace(/\.?$/, '.');

/**
 * Consul's syncExtra: once answers are dropped, the Additional section is rebuilt from the SRV
 * answers left: for each distinct target, the first extra record of that name (an extra
 * CNAME's own target follows). So a trimmed answer has one address per target and no TXT,
 * though the untrimmed one brings a node's records once per instance.
 */
function syncExtra(reply: Reply, extras: EncodedRecord[]): void {
  const first = new Map<string, EncodedRecord>();
  for (const e of extras) if (!first.has(fqdn(e.name))) first.set(fqdn(e.name), e);
  const done = new Set<string>();
  const out: EncodedRecord[] = [];
  for (const a of reply.answers) {
    if (a.type !== 'SRV' || a.target === undefined) continue;
    for (let target: string | undefined = a.target; target !== undefined && !done.has(target); ) {
      done.add(target);
      const extra = first.get(target);
      if (extra === undefined) break;
      out.push(extra);
      target = extra.type === 'CNAME' ? extra.target : undefined;
    }
  }
  reply.additionals = out;
}

/** Drop answers until the message fits `maxSize` (at least one answer stays). */
function fit(query: Query, reply: Reply, maxSize: number, compressed: boolean, extras: EncodedRecord[] | undefined): void {
  const all = reply.answers;
  const sizeWith = (n: number) => {
    reply.answers = all.slice(0, n);
    if (extras) syncExtra(reply, extras);
    return replySize(query, reply, compressed);
  };
  if (all.length <= 1) return;
  reply.authorities = [];
  // Largest n in [1, all.length) that fits: binary search.
  let lo = 1;
  let hi = all.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sizeWith(mid) <= maxSize) lo = mid;
    else hi = mid - 1;
  }
  sizeWith(lo);
}

/**
 * dnsBinaryTruncate: a binary search for the number of answers that fits `maxSize`, stopping
 * early at a size less than 10 bytes under it; 0 when none fits.
 */
function binaryTruncate(query: Query, reply: Reply, maxSize: number, compress: boolean, extras: EncodedRecord[] | undefined): number {
  const all = reply.answers;
  let start = 0;
  let end = all.length + 1;
  while (end - start > 1) {
    const median = start + Math.floor((end - start) / 2);
    reply.answers = all.slice(0, median);
    if (extras) syncExtra(reply, extras);
    const size = replySize(query, reply, compress);
    if (size <= maxSize) {
      if (maxSize - size < 10) return median;
      start = median;
    } else {
      end = median;
    }
  }
  return start;
}

/**
 * trimTCPResponse: the count cap (4096 answers, 1024 for SRV) leaves the Additional section as it
 * is and is no trim by itself; only a message over 64 KiB is trimmed (and then reported so), with
 * the extras rebuilt after each cut.
 */
function trimTcp(query: Query, reply: Reply, compress: boolean, extras: EncodedRecord[] | undefined): boolean {
  const cap = query.qtype === QTYPE.SRV ? 1024 : 4096;
  if (reply.answers.length > cap) reply.answers = reply.answers.slice(0, cap);
  let trimmed = false;
  while (reply.answers.length > 1 && replySize(query, reply, compress) > MAX_TCP_SIZE) {
    trimmed = true;
    reply.authorities = [];
    const all = reply.answers;
    // More than 100 bytes over: a binary search, else one answer less.
    const keep = replySize(query, reply, compress) - MAX_TCP_SIZE > 100 ? binaryTruncate(query, reply, MAX_TCP_SIZE, compress, extras) : all.length - 1;
    reply.answers = all.slice(0, keep);
    if (extras) syncExtra(reply, extras);
  }
  return trimmed;
}

/**
 * Trims `reply` in place; returns true when Consul reports the answer trimmed (TC with
 * enable_truncate). `compress` is the response's Msg.Compress (false with disable_compression):
 * sizes are measured as the message will be written.
 */
export function trimReply(query: Query, reply: Reply, transport: 'udp' | 'tcp', udpAnswerLimit: number, compress = true): boolean {
  const extras = reply.additionals.length > 0 ? reply.additionals : undefined;
  if (transport === 'tcp') return trimTcp(query, reply, compress, extras);
  const before = reply.answers.length;
  let maxSize = DEFAULT_MAX_UDP_SIZE;
  if (query.edns && query.edns.udpSize > maxSize) maxSize = query.edns.udpSize;
  if (maxSize > MAX_UDP_DATAGRAM_SIZE) maxSize = MAX_UDP_DATAGRAM_SIZE;
  // Without EDNS the size is measured uncompressed (more conservative), as Consul does.
  const compressed = compress && maxSize !== DEFAULT_MAX_UDP_SIZE;
  const maxAnswers = Math.min(MAX_UDP_ANSWER_LIMIT, udpAnswerLimit);
  if (!compressed && reply.answers.length > maxAnswers) {
    reply.answers = reply.answers.slice(0, maxAnswers);
    if (extras) syncExtra(reply, extras);
  }
  if (reply.answers.length > 1 && replySize(query, reply, compressed) > maxSize - 8) {
    fit(query, reply, maxSize - 8, compressed, extras);
  }
  return reply.answers.length < before;
}
