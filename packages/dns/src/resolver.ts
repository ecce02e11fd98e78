// Turns a question in the Consul domain into records, as agent/dns.go does: service, tag,
// RFC 2782, node, addr, NS and SOA lookups. The result ("Resolution") holds encoded records
// and the per-instance groups that are shuffled and limited for each response, so it can be
// cached while the backend's generation stays the same.
import { isIP } from 'node:net';
import type { DnsBackend, DnsNode, DnsServiceInstance } from './backend.js';
import type { Answer } from './codec.js';
import { QTYPE, RCODE } from './message.js';
import { parseName, splitLabels, type ParsedName } from './names.js';
import { canonical, encodeRecord, encodeRecords, type EncodedRecord } from './record.js';
import type { ServiceTtl } from './ttl.js';

/** One service instance's records: shuffled as a unit. */
export interface InstanceGroup {
  answers: EncodedRecord[];
  extras: EncodedRecord[];
  /** The answer is a CNAME: used only when no instance gives an address record. */
  cname: boolean;
}

export interface Resolution {
  rcode: number;
  /** Put the SOA in Authority (NXDOMAIN, and NODATA for service lookups). */
  soa: boolean;
  answers: EncodedRecord[];
  authorities: EncodedRecord[];
  additionals: EncodedRecord[];
  /**
   * Service instances, shuffled per response unless `ordered` (a prepared query's own order);
   * `limit` caps address answers (a_record_limit).
   */
  instances?: { groups: InstanceGroup[]; srv: boolean; limit: number; ordered?: boolean };
  /** False when the answer came from outside the catalog (recursors) and must not be cached. */
  cacheable: boolean;
}

export interface ResolverConfig {
  backend: DnsBackend;
  datacenter: string;
  nodeTtl: number;
  serviceTtl: ServiceTtl;
  onlyPassing: boolean;
  aRecordLimit: number;
  nodeMetaTxt: boolean;
  translateWanAddrs: boolean;
  /** Resolves an outside name to A records through the recursors (CNAME targets). */
  resolveExternal?: (name: string) => Promise<Answer[]>;
  /** Lowercase, trailing dot. */
  domains: string[];
}

/** Context of one question: the name as asked and the domain it used. */
interface Question {
  /** Name as asked (case kept, no trailing dot). */
  name: string;
  qtype: number;
  /** The domain suffix as the question spelled it, with a trailing dot. */
  respDomain: string;
  /** The ENDS0 flag matters for CNAME chains (5-record cap without it). */
  edns: boolean;
}

const MAX_RECURSE_RECORDS = 5;
export const MAX_RECURSION_LEVEL = 3;

function result(rcode: number, soa: boolean): Resolution {
  return { rcode, soa, answers: [], authorities: [], additionals: [], cacheable: true };
}
const nxdomain = (): Resolution => result(RCODE.NXDOMAIN, true);

/** RFC 1464 `key=value`, with Consul's escaping; `rfc1035-` keys give the bare value. */
export function metaTxt(key: string, value: string): string {
  if (key.toLowerCase().startsWith('rfc1035-')) return value;
  let k = key.replace(/`/g, '``').replace(/=/g, '`=');
  k = k.replace(/^ +/, (m) => '` '.repeat(m.length)).replace(/ +$/, (m) => '` '.repeat(m.length));
  return `${k}=${value.replace(/`/g, '``')}`;
}

/** `<hex>.addr.` label for an IP: 8 hex digits for IPv4, 32 for IPv6. */
export function ipToHex(ip: string): string {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number)).toString('hex');
  return expandIPv6(ip).toString('hex');
}

function expandIPv6(ip: string): Buffer {
  const out = Buffer.alloc(16);
  let text = ip;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...new Array(8 - h.length - r.length).fill('0'), ...r];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  if (tail.length === 4) tail.forEach((b, i) => (out[12 + i] = b));
  return out;
}

function hexToIp(hex: string): string | undefined {
  if (!/^[0-9a-f]*$/.test(hex) || hex.length % 2 !== 0) return undefined;
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  return undefined;
}

/** makeARecord: which address record (if any) an IP gives for a question type. */
function addressRecord(qtype: number, ip: string, name: string, ttl: number): Answer | undefined {
  const family = isIP(ip);
  const wanted = (t: number) =>
    qtype === t || qtype === QTYPE.SRV || qtype === QTYPE.ANY || qtype === QTYPE.NS || qtype === QTYPE.TXT;
  if (family === 4 && wanted(QTYPE.A)) return { name, type: 'A', ttl, class: 'IN', data: ip };
  if (family === 6 && wanted(QTYPE.AAAA)) return { name, type: 'AAAA', ttl, class: 'IN', data: ip };
  return undefined;
}

function withTtl(r: EncodedRecord, ttl: number): EncodedRecord {
  const tail = Buffer.from(r.tail);
  tail.writeUInt32BE(ttl >>> 0, 4);
  return { ...r, tail };
}

export class Resolver {
  constructor(private readonly cfg: ResolverConfig) {}

  /** The domain a lowercase trailing-dot name belongs to, or undefined. */
  domainOf(lower: string): string | undefined {
    let best: string | undefined;
    for (const d of this.cfg.domains) {
      if ((lower === d || lower.endsWith(`.${d}`)) && (best === undefined || d.length > best.length)) best = d;
    }
    return best;
  }

  /** Resolve a question in the domain. `name` as asked, without trailing dot. */
  async resolve(name: string, qtype: number, edns: boolean, level = MAX_RECURSION_LEVEL): Promise<Resolution> {
    const full = name.endsWith('.') ? name : `${name}.`;
    const lower = full.toLowerCase();
    const domain = this.domainOf(lower);
    if (domain === undefined) return nxdomain();
    const respDomain = full.slice(full.length - domain.length);
    const q: Question = { name: name.replace(/\.$/, ''), qtype, respDomain, edns };
    const rest = lower.slice(0, lower.length - domain.length).replace(/\.$/, '');
    const parsed = parseName(splitLabels(rest), qtype === QTYPE.SRV);
    return this.dispatch(parsed, q, level);
  }

  private async dispatch(p: ParsedName, q: Question, level: number): Promise<Resolution> {
    switch (p.kind) {
      case 'service': {
        if (p.locality?.peer !== undefined) return this.peerService(p.service, p.tag, p.locality.peer, q, level);
        const dc = await this.datacenter(p.locality?.datacenter);
        if (dc === undefined) return this.notLocal(nxdomain());
        const r = await this.service(p.service, p.tag, dc, q, level);
        return dc === this.cfg.datacenter ? r : this.notLocal(r);
      }
      case 'node': {
        // Only A, AAAA, ANY and TXT are answered for nodes; other types: NOERROR, empty.
        if (![QTYPE.A, QTYPE.AAAA, QTYPE.ANY, QTYPE.TXT].includes(q.qtype as 1)) return result(RCODE.NOERROR, false);
        if (p.locality?.peer !== undefined) return this.nodeAnswer(await this.cfg.backend.peerNode?.(p.node, p.locality.peer), q, level);
        const dc = await this.datacenter(p.locality?.datacenter);
        if (dc === undefined) return this.notLocal(nxdomain());
        const r = await this.node(p.node, dc, q, level);
        return dc === this.cfg.datacenter ? r : this.notLocal(r);
      }
      case 'addr':
        return this.addr(p.hex, q);
      case 'virtual':
        return this.virtualIP(p.service, p.peer, q);
      case 'query': {
        if (p.locality?.peer !== undefined) return nxdomain(); // prepared queries take a datacenter only
        const dc = await this.datacenter(p.locality?.datacenter);
        if (dc === undefined) return nxdomain();
        return this.preparedQuery(p.query, dc, q, level);
      }
      case 'connect':
      case 'ingress': {
        // Consul's dns.go: a service lookup with Connect (or Ingress) set, answered with the
        // records of the proxies (or of the ingress gateways that front the service).
        const dc = await this.datacenter(p.locality?.datacenter);
        const lookup = p.kind === 'connect' ? this.cfg.backend.connectInstances : this.cfg.backend.ingressInstances;
        if (dc === undefined || !lookup) return this.notLocal(nxdomain());
        const all = await lookup.call(this.cfg.backend, p.service, dc);
        const instances = all.filter((i) => this.healthy(i));
        const r = instances.length === 0 ? nxdomain() : await this.instanceAnswers(instances, dc, this.cfg.serviceTtl(p.service), q, level);
        return dc === this.cfg.datacenter ? r : this.notLocal(r);
      }
      case 'invalid':
        return nxdomain();
    }
  }

  /**
   * Answers about other datacenters (and unknown ones, which may join) do not follow the
   * backend's generation, which counts local changes only: they are never cached.
   */
  private notLocal(r: Resolution): Resolution {
    return { ...r, cacheable: false };
  }

  /** The effective datacenter, or undefined for an unknown one (→ NXDOMAIN). */
  private async datacenter(named: string | undefined): Promise<string | undefined> {
    if (named === undefined || named === this.cfg.datacenter.toLowerCase()) return this.cfg.datacenter;
    const known = await this.cfg.backend.datacenters();
    return known.find((dc) => dc.toLowerCase() === named);
  }

  private healthy(i: DnsServiceInstance): boolean {
    return i.health === 'passing' || (i.health === 'warning' && !this.cfg.onlyPassing);
  }

  private translateNode(dc: string, address: string, tagged: Record<string, string> | undefined): string {
    if (this.cfg.translateWanAddrs && dc !== this.cfg.datacenter && tagged?.['wan']) return tagged['wan'];
    return address;
  }

  private translateService(dc: string, address: string, tagged: Record<string, string> | undefined): string {
    if (address !== '' && this.cfg.translateWanAddrs && dc !== this.cfg.datacenter && tagged?.['wan']) return tagged['wan'];
    return address;
  }

  async serviceInstances(service: string, tag: string, dc: string): Promise<DnsServiceInstance[]> {
    return this.matching(await this.cfg.backend.serviceInstances(service, dc), tag);
  }

  /** The healthy instances that carry `tag` (any, when empty; case-insensitive). */
  private matching(all: DnsServiceInstance[], tag: string): DnsServiceInstance[] {
    const wantTag = tag.toLowerCase();
    return all.filter((i) => this.healthy(i) && (wantTag === '' || i.tags.some((t) => t.toLowerCase() === wantTag)));
  }

  private async service(service: string, tag: string, dc: string, q: Question, level: number): Promise<Resolution> {
    const instances = await this.serviceInstances(service, tag, dc);
    if (instances.length === 0) return nxdomain();
    return this.instanceAnswers(instances, dc, this.cfg.serviceTtl(service), q, level);
  }

  /**
   * A peer's exported service (dns.go with lookup.PeerName): as a service lookup, with SRV
   * targets named `<node>.node.<peer>.peer` / `<hex>.addr`. Imports are Raft writes, so the
   * backend's generation covers them.
   */
  private async peerService(service: string, tag: string, peer: string, q: Question, level: number): Promise<Resolution> {
    const instances = this.matching((await this.cfg.backend.peerServiceInstances?.(service, peer)) ?? [], tag);
    if (instances.length === 0) return nxdomain();
    // Consul's lookup for a peer has no datacenter (''), so translate_wan_addrs applies.
    return this.instanceAnswers(instances, '', this.cfg.serviceTtl(service), q, level, peer);
  }

  /**
   * preparedQueryLookup: the query's instances as they come (its filters and order), with its
   * DNS TTL or else the service's; no query or no instance is NXDOMAIN. Never cached.
   */
  private async preparedQuery(name: string, dc: string, q: Question, level: number): Promise<Resolution> {
    const out = await this.cfg.backend.preparedQuery?.(name, dc);
    if (!out || out.instances.length === 0) return { ...nxdomain(), cacheable: false };
    const ttl = out.ttl ?? this.cfg.serviceTtl(out.service);
    // A peer's instances are named under the peer: Consul would name them under an empty
    // datacenter label (`<node>.node..consul`), which is not a valid name.
    const peer = out.peer !== undefined && out.peer !== '' ? out.peer : undefined;
    const res = await this.instanceAnswers(out.instances, out.datacenter, ttl, q, level, peer);
    return { ...res, cacheable: false, ...(res.instances ? { instances: { ...res.instances, ordered: true } } : {}) };
  }

  /** Records of service instances (serviceNodeRecords / serviceSRVRecords), de-duplicated. */
  private async instanceAnswers(instances: DnsServiceInstance[], dc: string, ttl: number, q: Question, level: number, peer?: string): Promise<Resolution> {
    const srv = q.qtype === QTYPE.SRV;
    const groups: InstanceGroup[] = [];
    const seen = new Set<string>();
    let cacheable = true;
    for (const inst of instances) {
      const serviceAddr = this.translateService(dc, inst.serviceAddress ?? '', inst.serviceTaggedAddresses);
      if (srv) {
        // Duplicates: the same node, address and port (a service registered twice).
        const tuple = `${inst.node}:${serviceAddr}:${inst.port}`;
        if (seen.has(tuple)) continue;
        seen.add(tuple);
      }
      const built = await this.instanceRecords(inst, dc, serviceAddr, ttl, q, level, peer);
      if (!built.cacheable) cacheable = false;
      if (built.answers.length === 0) continue;
      if (!srv) {
        // Duplicates: the same first record (e.g. two instances on one address).
        const key = built.answers[0]!.tail.toString('latin1');
        if (seen.has(key)) continue;
        seen.add(key);
      } else if (this.cfg.nodeMetaTxt) {
        // Every SRV answer brings its node's address and meta TXT records, even when another
        // instance on that node brought them already (Consul's serviceSRVRecords appends
        // both per instance; agent/dns.go).
        built.extras.push(...this.metaRecords(this.nodeFqdn(inst.node, dc, q, peer), inst.nodeMeta, ttl));
      }
      groups.push({ answers: built.answers, extras: built.extras, cname: !srv && built.answers[0]!.type === 'CNAME' });
    }
    return {
      ...result(RCODE.NOERROR, false),
      instances: { groups, srv, limit: srv ? 0 : this.cfg.aRecordLimit },
      cacheable,
    };
  }

  /** nodeCanonicalDNSName: a peer's node is named under its peer, never a datacenter. */
  private nodeFqdn(node: string, dc: string, q: Question, peer?: string): string {
    return peer !== undefined ? `${node}.node.${peer}.peer.${q.respDomain}` : `${node}.node.${dc}.${q.respDomain}`;
  }

  /** encodeIPAsFqdn: no datacenter label for a peer's address. */
  private addrFqdn(ip: string, dc: string, q: Question, peer?: string): string {
    return peer !== undefined ? `${ipToHex(ip)}.addr.${q.respDomain}` : `${ipToHex(ip)}.addr.${dc}.${q.respDomain}`;
  }

  /** makeNodeServiceRecords: which address answers for an instance, and how SRV targets it. */
  private async instanceRecords(
    inst: DnsServiceInstance,
    dc: string,
    serviceAddr: string,
    ttl: number,
    q: Question,
    level: number,
    peer?: string,
  ): Promise<{ answers: EncodedRecord[]; extras: EncodedRecord[]; cacheable: boolean }> {
    const nodeAddr = this.translateNode(inst.datacenter, inst.nodeAddress, inst.nodeTaggedAddresses);
    const none = { answers: [], extras: [], cacheable: true };
    if (serviceAddr === '' && nodeAddr === '') return none;
    const nodeIsIp = isIP(nodeAddr) !== 0;
    if (serviceAddr === '' && nodeIsIp) {
      const target = nodeAddr !== inst.nodeAddress ? this.addrFqdn(nodeAddr, dc, q, peer) : this.nodeFqdn(inst.node, dc, q, peer);
      return { ...this.ipRecords(inst, nodeAddr, target, ttl, q), cacheable: true };
    }
    if (serviceAddr === '') return this.fqdnRecords(inst, nodeAddr, ttl, q, level);
    if (isIP(serviceAddr) !== 0) {
      return { ...this.ipRecords(inst, serviceAddr, this.addrFqdn(serviceAddr, dc, q, peer), ttl, q), cacheable: true };
    }
    if (canonical(serviceAddr) === canonical(q.name) && nodeIsIp) {
      return { ...this.ipRecords(inst, nodeAddr, this.nodeFqdn(inst.node, dc, q, peer), ttl, q), cacheable: true };
    }
    return this.fqdnRecords(inst, serviceAddr, ttl, q, level);
  }

  private weight(inst: DnsServiceInstance): number {
    const w = inst.weights ?? { passing: 1, warning: 1 };
    return inst.health === 'warning' ? w.warning : w.passing;
  }

  /** An IP address: an A/AAAA answer, or for SRV an SRV answer with the address record in Additional. */
  private ipRecords(inst: DnsServiceInstance, ip: string, target: string, ttl: number, q: Question) {
    const rr = addressRecord(q.qtype, ip, q.name, ttl);
    if (!rr) return { answers: [], extras: [] };
    if (q.qtype !== QTYPE.SRV) return { answers: encodeRecords([rr]), extras: [] };
    const srv: Answer = {
      name: q.name,
      type: 'SRV',
      ttl,
      class: 'IN',
      data: { priority: 1, weight: this.weight(inst) & 0xffff, port: inst.port & 0xffff, target },
    };
    const answers = encodeRecords([srv]);
    if (answers.length === 0) return { answers: [], extras: [] };
    return { answers, extras: encodeRecords([{ ...rr, name: target }]) };
  }

  /** A hostname address: CNAME (or SRV target) plus what the name resolves to. */
  private async fqdnRecords(inst: DnsServiceInstance, host: string, ttl: number, q: Question, level: number) {
    const target = host.endsWith('.') ? host : `${host}.`;
    const more = await this.resolveCname(target, level);
    const additional: EncodedRecord[] = [];
    for (const r of more.records) {
      if (r.type !== 'CNAME' && r.type !== 'A' && r.type !== 'AAAA') continue;
      additional.push(withTtl(r, ttl));
      if (additional.length === MAX_RECURSE_RECORDS && !q.edns) break;
    }
    if (q.qtype === QTYPE.SRV) {
      const answers = encodeRecords([
        {
          name: q.name,
          type: 'SRV',
          ttl,
          class: 'IN',
          data: { priority: 1, weight: this.weight(inst) & 0xffff, port: inst.port & 0xffff, target },
        },
      ]);
      return { answers, extras: additional, cacheable: more.cacheable };
    }
    const cname = encodeRecords([{ name: q.name, type: 'CNAME', ttl, class: 'IN', data: target }]);
    if (cname.length === 0) return { answers: [], extras: [], cacheable: more.cacheable };
    return { answers: [...cname, ...additional], extras: [], cacheable: more.cacheable };
  }

  /** resolveCNAME: names in the domain are resolved here (ANY, bounded depth), others via recursors. */
  private async resolveCname(target: string, level: number): Promise<{ records: EncodedRecord[]; cacheable: boolean }> {
    const lower = target.toLowerCase();
    if (this.domainOf(lower) !== undefined) {
      if (level < 1) return { records: [], cacheable: true };
      const r = await this.resolve(target, QTYPE.ANY, false, level - 1);
      const groups = r.instances ? shuffle(r.instances.groups).flatMap((g) => g.answers) : [];
      return { records: [...r.answers, ...groups], cacheable: r.cacheable };
    }
    if (!this.cfg.resolveExternal) return { records: [], cacheable: true };
    const answers = await this.cfg.resolveExternal(target);
    return { records: encodeRecords(answers), cacheable: false };
  }

  /** makeRecordFromNode: the node's address record, or a CNAME and its resolution. */
  private async nodeRecords(
    node: { address: string; datacenter: string; taggedAddresses?: Record<string, string> },
    qtype: number,
    name: string,
    ttl: number,
    level: number,
  ): Promise<{ records: EncodedRecord[]; cacheable: boolean }> {
    const addr = this.translateNode(node.datacenter, node.address, node.taggedAddresses);
    if (isIP(addr) === 0) {
      const target = addr.endsWith('.') ? addr : `${addr}.`;
      const cname = encodeRecords([{ name, type: 'CNAME', ttl, class: 'IN', data: target }]);
      const more = await this.resolveCname(target, level);
      return { records: [...cname, ...more.records], cacheable: more.cacheable };
    }
    const rr = addressRecord(qtype, addr, name, ttl);
    return { records: rr ? encodeRecords([rr]) : [], cacheable: true };
  }

  private metaRecords(name: string, meta: Record<string, string> | undefined, ttl: number): EncodedRecord[] {
    const rrs: Answer[] = [];
    for (const [key, value] of Object.entries(meta ?? {})) {
      const txt = metaTxt(key, value);
      // A TXT character-string holds at most 255 bytes: split longer values.
      const chunks: Buffer[] = [];
      const bytes = Buffer.from(txt);
      for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
      rrs.push({ name, type: 'TXT', ttl, class: 'IN', data: chunks.length > 0 ? chunks : [Buffer.alloc(0)] });
    }
    return encodeRecords(rrs);
  }

  private async node(name: string, dc: string, q: Question, level: number): Promise<Resolution> {
    return this.nodeAnswer(await this.cfg.backend.node(name, dc), q, level);
  }

  private async nodeAnswer(node: DnsNode | undefined, q: Question, level: number): Promise<Resolution> {
    if (!node) return nxdomain();
    const ttl = this.cfg.nodeTtl;
    const out = result(RCODE.NOERROR, false);
    if (q.qtype !== QTYPE.TXT) {
      const built = await this.nodeRecords(node, q.qtype, q.name, ttl, level);
      out.answers.push(...built.records);
      out.cacheable = built.cacheable;
    }
    if (this.cfg.nodeMetaTxt || q.qtype === QTYPE.TXT || q.qtype === QTYPE.ANY) {
      const meta = this.metaRecords(q.name, node.meta, ttl);
      if (q.qtype === QTYPE.TXT || q.qtype === QTYPE.ANY) out.answers.push(...meta);
      else out.additionals.push(...meta);
    }
    return out;
  }

  /**
   * agent/dns.go "virtual": the service's virtual IP as one A record with the node TTL, whatever
   * the question's type; a service without one answers NOERROR with nothing (no SOA).
   */
  private async virtualIP(service: string, peer: string, q: Question): Promise<Resolution> {
    const out = result(RCODE.NOERROR, false);
    const ip = await this.cfg.backend.virtualIP?.(service, peer);
    if (ip !== undefined && ip !== '' && isIP(ip) === 4) {
      out.answers.push(...encodeRecords([{ name: q.name, type: 'A', ttl: this.cfg.nodeTtl, class: 'IN', data: ip }]));
    }
    return out;
  }

  private addr(hex: string, q: Question): Resolution {
    const ip = hex.length / 2 === 4 || hex.length / 2 === 16 ? hexToIp(hex) : undefined;
    if (ip === undefined) return nxdomain();
    const v4 = isIP(ip) === 4;
    const rr: Answer = v4
      ? { name: q.name, type: 'A', ttl: this.cfg.nodeTtl, class: 'IN', data: ip }
      : { name: q.name, type: 'AAAA', ttl: this.cfg.nodeTtl, class: 'IN', data: ip };
    const out = result(RCODE.NOERROR, false);
    const inAnswer = q.qtype === QTYPE.ANY || q.qtype === (v4 ? QTYPE.A : QTYPE.AAAA);
    (inAnswer ? out.answers : out.additionals).push(...encodeRecords([rr]));
    return out;
  }

  /**
   * getNameserversAndNodeRecord: up to 3 random healthy `consul` servers of the local DC,
   * as NS records for the domain with their address records as glue.
   */
  async nameservers(name: string): Promise<{ ns: EncodedRecord[]; glue: EncodedRecord[] }> {
    const full = name.endsWith('.') ? name : `${name}.`;
    const domain = this.domainOf(full.toLowerCase()) ?? this.cfg.domains[0]!;
    const respDomain = full.slice(full.length - domain.length);
    const servers = shuffle(await this.serviceInstances('consul', '', this.cfg.datacenter));
    const ns: EncodedRecord[] = [];
    const glue: EncodedRecord[] = [];
    const ttl = this.cfg.nodeTtl;
    for (const s of servers) {
      if (/[^A-Za-z0-9-]/.test(s.node)) continue; // not a valid DNS label
      const target = `${s.node}.node.${s.datacenter}.${respDomain}`.toLowerCase();
      const rr = encodeRecord({ name: respDomain, type: 'NS', ttl, class: 'IN', data: target });
      if (!rr) continue;
      ns.push(rr);
      const records = await this.nodeRecords(
        { address: s.nodeAddress, datacenter: s.datacenter, ...(s.nodeTaggedAddresses ? { taggedAddresses: s.nodeTaggedAddresses } : {}) },
        QTYPE.ANY,
        target,
        ttl,
        MAX_RECURSION_LEVEL,
      );
      glue.push(...records.records);
      if (ns.length >= 3) break;
    }
    return { ns, glue };
  }
}

/** Fisher-Yates on a copy. */
export function shuffle<T>(items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
