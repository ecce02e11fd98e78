// One DNS message in, one (or no) message out, whatever the transport. Names in the domain
// are answered from the backend (through a cache keyed on its generation), names outside
// go to the recursors or are REFUSED; undecodable messages are dropped and counted.
import type { DnsLogger, DnsServerOptions, DnsStats } from './options.js';
import {
  acceptHeader,
  decodeQuery,
  emptyReply,
  encodeReply,
  headerOnlyReply,
  COPIED_FLAGS,
  QTYPE,
  RCODE,
  type Query,
  type Reply,
} from './message.js';
import { fqdn } from './names.js';
import { ipFromArpa } from './ptr.js';
import { encodeRecord, type EncodedRecord } from './record.js';
import { createForwarder, parseRecursor, type Forwarder } from './recursor.js';
import { Resolver, shuffle, type Resolution } from './resolver.js';
import { serviceTtlResolver } from './ttl.js';
import { trimReply } from './truncate.js';

export type Transport = 'udp' | 'tcp';

const CACHE_MAX_ENTRIES = 10_000;

/** A TTL as DNS carries it: whole seconds, 0..2^31-1 (RFC 2181). */
export function ttlSeconds(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), 0x7fffffff);
}

/** A request's identity for the response cache: everything but the id and flags, and the transport. */
function responseKey(packet: Buffer, transport: Transport): string {
  return (transport === 'udp' ? 'u' : 't') + packet.toString('latin1', 4);
}

export class DnsHandler {
  private readonly resolver: Resolver;
  private readonly forwarder: Forwarder | undefined;
  private readonly domains: string[];
  private readonly soa: { refresh: number; retry: number; expire: number; minTtl: number };
  private readonly udpAnswerLimit: number;
  private readonly enableTruncate: boolean;
  /** agent/dns.go: every response's Msg.Compress is !disable_compression. */
  private readonly compress: boolean;
  private readonly recursionAvailable: boolean;
  private readonly cache = new Map<string, Resolution>();
  /** Encoded responses that do not vary per query, by request bytes; same generation as `cache`. */
  private readonly responses = new Map<string, { bytes: Buffer; rcode: number; answers: number; truncated: boolean }>();
  private cacheGeneration: number | undefined;
  private soaCache = new Map<string, { second: number; record: EncodedRecord }>();

  constructor(
    private readonly options: DnsServerOptions,
    readonly stats: DnsStats,
    private readonly logger: DnsLogger | undefined,
  ) {
    this.domains = [fqdn(options.domain ?? 'consul.')];
    if (options.altDomain && options.altDomain !== '.' && options.altDomain !== '') this.domains.push(fqdn(options.altDomain));
    const recursors = (options.recursors ?? []).map(parseRecursor);
    this.forwarder =
      recursors.length > 0
        ? createForwarder(recursors, options.recursorTimeoutMs ?? 2000, options.recursorStrategy ?? 'sequential')
        : undefined;
    this.recursionAvailable = this.forwarder !== undefined;
    const soa = { refresh: 3600, retry: 600, expire: 86400, minTtl: 0, ...options.soa };
    this.soa = { refresh: ttlSeconds(soa.refresh), retry: ttlSeconds(soa.retry), expire: ttlSeconds(soa.expire), minTtl: ttlSeconds(soa.minTtl) };
    const limit = options.udpAnswerLimit ?? 3;
    if (!(limit > 0)) throw new Error('dns_config.udp_answer_limit must be > 0');
    this.udpAnswerLimit = limit;
    this.enableTruncate = options.enableTruncate ?? false;
    this.compress = options.disableCompression !== true;
    const forwarder = this.forwarder;
    this.resolver = new Resolver({
      backend: options.backend,
      datacenter: options.datacenter,
      nodeTtl: ttlSeconds(options.ttls?.node ?? 0),
      serviceTtl: serviceTtlResolver(options.ttls?.service),
      onlyPassing: options.onlyPassing ?? false,
      aRecordLimit: options.aRecordLimit ?? 0,
      nodeMetaTxt: options.enableAdditionalNodeMetaTxt ?? true,
      translateWanAddrs: options.translateWanAddrs ?? false,
      domains: this.domains,
      ...(forwarder ? { resolveExternal: (name: string) => forwarder.resolveA(name) } : {}),
    });
  }

  /**
   * Handle one raw message: the response bytes, or undefined to send nothing. Answers from
   * the cache come back synchronously; the rest as a promise.
   */
  handle(packet: Buffer, transport: Transport): Buffer | undefined | Promise<Buffer | undefined> {
    const acceptance = acceptHeader(packet);
    if (acceptance === 'drop') {
      this.stats.malformed++;
      return undefined;
    }
    if (acceptance === 'accept') {
      const cached = this.fromCache(packet, transport);
      if (cached) return cached;
    } else {
      this.count(transport);
      if (acceptance === 'notimp') this.stats.notimp++;
      this.stats.responses++;
      return headerOnlyReply(packet, acceptance === 'notimp' ? RCODE.NOTIMP : RCODE.FORMERR);
    }
    let query: Query;
    try {
      query = decodeQuery(packet);
    } catch {
      this.stats.malformed++;
      return undefined;
    }
    this.count(transport);
    return this.answerOrFail(query, transport);
  }

  private async answerOrFail(query: Query, transport: Transport): Promise<Buffer | undefined> {
    try {
      return await this.answer(query, transport);
    } catch (err) {
      this.logger?.warn(`dns: lookup of ${query.name} failed: ${(err as Error).message}`);
      return this.finish(query, emptyReply(RCODE.SERVFAIL), transport);
    }
  }

  /**
   * The hot path: a request identical (after id and flags) to an earlier one whose answer does
   * not vary per query gets the stored bytes with its id and RD/CD bits, without decoding.
   */
  private fromCache(packet: Buffer, transport: Transport): Buffer | undefined {
    if (this.responses.size === 0 || this.options.backend.generation?.() !== this.cacheGeneration) return undefined;
    const hit = this.responses.get(responseKey(packet, transport));
    if (!hit) return undefined;
    this.count(transport);
    const out = Buffer.allocUnsafe(hit.bytes.length);
    hit.bytes.copy(out);
    out.writeUInt16BE(packet.readUInt16BE(0), 0);
    out.writeUInt16BE(out.readUInt16BE(2) | (packet.readUInt16BE(2) & COPIED_FLAGS), 2);
    if (hit.truncated) this.stats.truncated++;
    this.tally(hit.rcode, hit.answers);
    return out;
  }

  private cacheKey(query: Query): string {
    return `${query.qtype}|${query.edns ? 1 : 0}|${query.name}`;
  }



  private count(transport: Transport): void {
    this.stats.queries++;
    if (transport === 'udp') this.stats.udpQueries++;
    else this.stats.tcpQueries++;
  }

  private async answer(query: Query, transport: Transport): Promise<Buffer | undefined> {
    const lower = (query.name.endsWith('.') ? query.name : `${query.name}.`).toLowerCase();
    if (lower.endsWith('.arpa.')) return this.ptr(query, lower, transport);
    const domain = this.resolver.domainOf(lower);
    if (domain === undefined) return this.recurse(query, transport);
    switch (query.qtype) {
      case QTYPE.SOA: {
        const { ns, glue } = await this.resolver.nameservers(query.name);
        return this.finish(query, { rcode: RCODE.NOERROR, answers: [this.soaRecord(domain)], authorities: ns, additionals: glue }, transport);
      }
      case QTYPE.NS: {
        const { ns, glue } = await this.resolver.nameservers(query.name);
        return this.finish(query, { rcode: RCODE.NOERROR, answers: ns, authorities: [], additionals: glue }, transport);
      }
      case QTYPE.AXFR:
        return this.finish(query, emptyReply(RCODE.NOTIMP), transport);
    }
    const resolution = await this.lookup(query);
    const reply = this.materialize(resolution, domain);
    const fixed = (resolution.instances === undefined || resolution.instances.groups.length <= 1) && reply.authorities.length === 0;
    if (!fixed || this.cache.get(this.cacheKey(query)) !== resolution) return this.finish(query, reply, transport);
    // Same answer for every identical request: keep the bytes (id and RD/CD patched per query).
    const stored = this.finish(query, reply, transport, { id: 0, flags: query.flags & ~COPIED_FLAGS });
    if (this.responses.size >= CACHE_MAX_ENTRIES) this.responses.clear();
    this.responses.set(responseKey(query.raw, transport), {
      bytes: stored,
      rcode: reply.rcode,
      answers: reply.answers.length,
      truncated: reply.trimmed === true,
    });
    const out = Buffer.from(stored);
    out.writeUInt16BE(query.id, 0);
    out.writeUInt16BE(out.readUInt16BE(2) | (query.flags & COPIED_FLAGS), 2);
    return out;
  }

  /** A Resolution from the cache while the backend's generation holds, else from the resolver. */
  private async lookup(query: Query): Promise<Resolution> {
    const generation = this.options.backend.generation?.();
    if (generation === undefined) return this.resolver.resolve(query.name, query.qtype, query.edns !== undefined);
    if (generation !== this.cacheGeneration) {
      this.cache.clear();
      this.responses.clear();
      this.cacheGeneration = generation;
    }
    const key = this.cacheKey(query);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const resolution = await this.resolver.resolve(query.name, query.qtype, query.edns !== undefined);
    // Store only if nothing moved while we looked (the answer belongs to this generation).
    if (resolution.cacheable && this.options.backend.generation?.() === generation) {
      if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
      this.cache.set(key, resolution);
    }
    return resolution;
  }

  /** Shuffle and limit the instances of a Resolution into a Reply (handleServiceQuery). */
  private materialize(res: Resolution, domain: string): Reply {
    const reply: Reply = {
      rcode: res.rcode,
      answers: res.answers.slice(),
      authorities: res.authorities.slice(),
      additionals: res.additionals.slice(),
    };
    let soa = res.soa;
    if (res.instances) {
      const groups = res.instances.ordered ? res.instances.groups : shuffle(res.instances.groups);
      if (res.instances.srv) {
        for (const g of groups) {
          reply.answers.push(...g.answers);
          reply.additionals.push(...g.extras);
        }
      } else {
        let count = 0;
        let firstCname: EncodedRecord[] | undefined;
        for (const g of groups) {
          if (g.cname) {
            firstCname ??= g.answers;
            continue;
          }
          reply.answers.push(...g.answers);
          if (++count === res.instances.limit) break;
        }
        if (reply.answers.length === 0 && firstCname) reply.answers.push(...firstCname);
      }
      if (reply.answers.length === 0) soa = true; // NODATA: NOERROR with the SOA
    }
    if (soa) reply.authorities.push(this.soaRecord(domain));
    return reply;
  }

  /** Consul's SOA: ns.<domain>, hostmaster.<domain>, serial = unix time; TTL = min_ttl. */
  private soaRecord(domain: string): EncodedRecord {
    const second = Math.floor(Date.now() / 1000);
    const cached = this.soaCache.get(domain);
    if (cached && cached.second === second) return cached.record;
    const record = encodeRecord({
      name: domain,
      type: 'SOA',
      ttl: this.soa.minTtl,
      class: 'IN',
      data: {
        mname: `ns.${domain}`,
        rname: `hostmaster.${domain}`,
        serial: second >>> 0,
        refresh: this.soa.refresh,
        retry: this.soa.retry,
        expire: this.soa.expire,
        minimum: this.soa.minTtl,
      },
    })!;
    this.soaCache.set(domain, { second, record });
    return record;
  }

  /** Trim, count and encode; `header` overrides id/flags (for the stored copy). */
  private finish(query: Query, reply: Reply, transport: Transport, header?: { id: number; flags: number }): Buffer {
    if (trimReply(query, reply, transport, this.udpAnswerLimit, this.compress)) {
      this.stats.truncated++;
      reply.trimmed = true;
      if (this.enableTruncate) reply.truncated = true;
    }
    this.tally(reply.rcode, reply.answers.length);
    return encodeReply(header ? { ...query, ...header } : query, reply, this.recursionAvailable, this.compress);
  }

  private tally(rcode: number, answers: number): void {
    this.stats.responses++;
    this.stats.answers += answers;
    if (rcode === RCODE.NXDOMAIN) this.stats.nxdomain++;
    else if (rcode === RCODE.SERVFAIL) this.stats.servfail++;
    else if (rcode === RCODE.REFUSED) this.stats.refused++;
    else if (rcode === RCODE.NOTIMP) this.stats.notimp++;
  }

  /** handlePtr: a node with that address, else a service instance; nothing → recursors or NXDOMAIN. */
  private async ptr(query: Query, lower: string, transport: Transport): Promise<Buffer> {
    const ip = ipFromArpa(lower);
    const reverse = this.options.backend.reverseLookup;
    const found = ip !== undefined && reverse ? await reverse.call(this.options.backend, ip, this.options.datacenter) : undefined;
    const domain = this.domains[0]!;
    if (found) {
      const target = 'node' in found ? `${found.node}.node.${found.datacenter}.${domain}` : `${found.service}.service.${found.datacenter}.${domain}`;
      const ptr = encodeRecord({ name: query.name, type: 'PTR', ttl: 0, class: 'IN', data: target });
      if (ptr) {
        const authorities = query.qtype === QTYPE.SOA ? [this.soaRecord(domain)] : [];
        return this.finish(query, { rcode: RCODE.NOERROR, answers: [ptr], authorities, additionals: [] }, transport);
      }
    }
    if (this.forwarder) return this.recurse(query, transport);
    return this.finish(query, { ...emptyReply(RCODE.NXDOMAIN), authorities: [this.soaRecord(domain)] }, transport);
  }

  private async recurse(query: Query, transport: Transport): Promise<Buffer> {
    if (!this.forwarder) {
      // No handler for the zone: REFUSED (miekg/dns ServeMux default).
      this.tally(RCODE.REFUSED, 0);
      return encodeReply(query, { ...emptyReply(RCODE.REFUSED), authoritative: false }, false);
    }
    this.stats.recursed++;
    const reply = await this.forwarder.forward(query.raw, transport);
    if (reply) {
      this.stats.responses++;
      this.stats.answers += reply.readUInt16BE(6);
      if ((reply[3]! & 0xf) === RCODE.NXDOMAIN) this.stats.nxdomain++;
      return reply;
    }
    this.logger?.warn(`dns: all recursors failed for ${query.name}`);
    this.stats.recursorFailures++;
    this.tally(RCODE.SERVFAIL, 0);
    return encodeReply(query, { ...emptyReply(RCODE.SERVFAIL), authoritative: false }, true);
  }
}
