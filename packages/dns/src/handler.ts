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
  QTYPE,
  RCODE,
  type Query,
  type Reply,
} from './message.js';
import { fqdn } from './names.js';
import { encodeRecord, type EncodedRecord } from './record.js';
import { createForwarder, parseRecursor, type Forwarder } from './recursor.js';
import { Resolver, shuffle, type Resolution } from './resolver.js';
import { serviceTtlResolver } from './ttl.js';
import { trimReply } from './truncate.js';

export type Transport = 'udp' | 'tcp';

const CACHE_MAX_ENTRIES = 10_000;

export class DnsHandler {
  private readonly resolver: Resolver;
  private readonly forwarder: Forwarder | undefined;
  private readonly domains: string[];
  private readonly soa: { refresh: number; retry: number; expire: number; minTtl: number };
  private readonly udpAnswerLimit: number;
  private readonly enableTruncate: boolean;
  private readonly recursionAvailable: boolean;
  private readonly cache = new Map<string, Resolution>();
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
    this.soa = { refresh: 3600, retry: 600, expire: 86400, minTtl: 0, ...options.soa };
    const limit = options.udpAnswerLimit ?? 3;
    if (!(limit > 0)) throw new Error('dns_config.udp_answer_limit must be > 0');
    this.udpAnswerLimit = limit;
    this.enableTruncate = options.enableTruncate ?? false;
    const forwarder = this.forwarder;
    this.resolver = new Resolver({
      backend: options.backend,
      datacenter: options.datacenter,
      nodeTtl: options.ttls?.node ?? 0,
      serviceTtl: serviceTtlResolver(options.ttls?.service),
      onlyPassing: options.onlyPassing ?? false,
      aRecordLimit: options.aRecordLimit ?? 0,
      nodeMetaTxt: options.enableAdditionalNodeMetaTxt ?? true,
      translateWanAddrs: options.translateWanAddrs ?? false,
      domains: this.domains,
      ...(forwarder ? { resolveExternal: (name: string) => forwarder.resolveA(name) } : {}),
    });
  }

  /** Handle one raw message; resolves to the response bytes, or undefined to send nothing. */
  async handle(packet: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const acceptance = acceptHeader(packet);
    if (acceptance === 'drop') {
      this.stats.malformed++;
      return undefined;
    }
    if (acceptance !== 'accept') {
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
    let reply: Buffer | undefined;
    try {
      reply = await this.answer(query, transport);
    } catch (err) {
      this.logger?.warn(`dns: lookup of ${query.name} failed: ${(err as Error).message}`);
      reply = this.finish(query, emptyReply(RCODE.SERVFAIL), transport);
    }
    return reply;
  }

  private count(transport: Transport): void {
    this.stats.queries++;
    if (transport === 'udp') this.stats.udpQueries++;
    else this.stats.tcpQueries++;
  }

  private async answer(query: Query, transport: Transport): Promise<Buffer | undefined> {
    const lower = (query.name.endsWith('.') ? query.name : `${query.name}.`).toLowerCase();
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
    return this.finish(query, this.materialize(resolution, domain), transport);
  }

  /** A Resolution from the cache while the backend's generation holds, else from the resolver. */
  private async lookup(query: Query): Promise<Resolution> {
    const generation = this.options.backend.generation?.();
    if (generation === undefined) return this.resolver.resolve(query.name, query.qtype, query.edns !== undefined);
    if (generation !== this.cacheGeneration) {
      this.cache.clear();
      this.cacheGeneration = generation;
    }
    const key = `${query.qtype}|${query.edns ? 1 : 0}|${query.name}`;
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
      const groups = shuffle(res.instances.groups);
      if (res.instances.srv) {
        const seen = new Set<EncodedRecord | string>();
        for (const g of groups) {
          reply.answers.push(...g.answers);
          for (const e of g.extras) {
            const key = `${e.name.toLowerCase()}|${e.tail.toString('latin1')}`;
            if (seen.has(key)) continue;
            seen.add(key);
            reply.additionals.push(e);
          }
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

  private finish(query: Query, reply: Reply, transport: Transport): Buffer {
    if (trimReply(query, reply, transport, this.udpAnswerLimit)) {
      this.stats.truncated++;
      if (this.enableTruncate) reply.truncated = true;
    }
    this.tally(reply.rcode, reply.answers.length);
    return encodeReply(query, reply, this.recursionAvailable);
  }

  private tally(rcode: number, answers: number): void {
    this.stats.responses++;
    this.stats.answers += answers;
    if (rcode === RCODE.NXDOMAIN) this.stats.nxdomain++;
    else if (rcode === RCODE.SERVFAIL) this.stats.servfail++;
    else if (rcode === RCODE.REFUSED) this.stats.refused++;
    else if (rcode === RCODE.NOTIMP) this.stats.notimp++;
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
