// Names inside CNAME, NS, PTR and SOA data are compressed as Consul's miekg/dns writes them
// (msg.go packDomainName; zmsg.go: those types pass `compress`), checked against a real -dev
// agent with the real `dig +noedns` (no OPT record, so each size below is the whole message).
// Every size is worked out by hand: a 12-byte header, the question as sent, then per record
// its owner name (a 2-byte pointer when already written), 10 bytes of TYPE, CLASS, TTL and
// RDLENGTH, and the data; a name in the data is its new labels, then a pointer to the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digFull, eventually, http, startAgentProcess, type AgentProcess } from './helpers.js';

const IP = '127.0.131.1';
/** An agent with `dns_config { disable_compression = true }`. */
const PLAIN_IP = '127.0.131.2';
const DNS_PORT = 8600;
let agent: AgentProcess | undefined;
let plain: AgentProcess | undefined;

/** The sections of `dig` output as [name, type, data] rows, and the message size dig received. */
function digged(name: string, type: string, ip = IP): { status: string; size: number; sections: Record<string, string[][]> } {
  const raw = digFull(ip, DNS_PORT, name, type, ['+noedns']);
  const sections: Record<string, string[][]> = {};
  let section: string[][] | undefined;
  for (const line of raw.split('\n')) {
    const header = /^;; (\w+) SECTION:/.exec(line);
    if (header) sections[header[1]!] = section = [];
    else if (line.trim() === '') section = undefined;
    else if (section && !line.startsWith(';')) {
      const [owner, , , rrType, ...data] = line.trim().split(/\s+/);
      section.push([owner!, rrType!, data.join(' ')]);
    }
  }
  return { status: /status: (\w+)/.exec(raw)?.[1] ?? raw, size: Number(/MSG SIZE\s+rcvd: (\d+)/.exec(raw)?.[1]), sections };
}

/** A -dev agent on `ip` with a service whose address is a hostname in the domain: a CNAME to it, then the node's A record. */
async function startWithCnameService(ip: string, extra: string[] = []): Promise<AgentProcess> {
  const a = await startAgentProcess(['-dev', '-bind', ip, '-client', ip, '-node', 'dnsc', '-dns-port', String(DNS_PORT), '-log-level', 'warn', ...extra], `${ip}:8500`);
  const registered = await http(a.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: 'web', Port: 80, Address: 'dnsc.node.consul' }));
  expect(registered.status).toBe(200);
  await eventually(async () => digged('web.service.consul', 'A', ip).status === 'NOERROR', 'web in DNS');
  return a;
}

beforeAll(async () => {
  [agent, plain] = await Promise.all([startWithCnameService(IP), startWithCnameService(PLAIN_IP, ['-hcl', 'dns_config { disable_compression = true }'])]);
}, 120_000);

afterAll(async () => {
  await Promise.all([agent?.kill9(), plain?.kill9()]);
});

describe('names inside record data, by dig against an agent', () => {
  it('a CNAME answer for a service with a hostname address', () => {
    // Question web.service.consul (20 bytes, "consul" at 24) + 4: 36. CNAME: pointer 2, 10,
    // target "dnsc" "node" + pointer to 24: 12 (60). A: owner a pointer to the target, 10, 4: 76.
    // The target in full (18 bytes) made it 82.
    const r = digged('web.service.consul', 'A');
    expect(r.sections.ANSWER).toEqual([
      ['web.service.consul.', 'CNAME', 'dnsc.node.consul.'],
      ['dnsc.node.consul.', 'A', IP],
    ]);
    expect(r.size).toBe(76);
  });

  it("an NXDOMAIN's SOA", () => {
    // Question nope.service.consul (21 bytes) + 4: 37. SOA: pointer 2, 10, mname "ns" + pointer
    // 5, rname "hostmaster" + pointer 13, serial to minimum 20: 87 (in full 11 + 19: 99).
    const r = digged('nope.service.consul', 'A');
    expect(r.status).toBe('NXDOMAIN');
    expect(r.sections.AUTHORITY?.map(([owner, type, data]) => [owner, type, data!.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['consul.', 'SOA', 'ns.consul. hostmaster.consul.'],
    ]);
    expect(r.size).toBe(87);
  });

  it('the SOA of the domain, with the NS record in the authority section and its glue', () => {
    // Question consul (8 bytes) + 4: 24. SOA: pointer 2, 10, 5, 13, 20 (74). NS: pointer 2, 10,
    // target "dnsc" "node" "dc1" + pointer to 12: 16 (102). A glue: a pointer to the NS target,
    // 10, 4: 118 (in full the SOA names and the NS target made it 136).
    const r = digged('consul', 'SOA');
    expect(r.sections.ANSWER?.map(([owner, type]) => [owner, type])).toEqual([['consul.', 'SOA']]);
    expect(r.sections.AUTHORITY).toEqual([['consul.', 'NS', 'dnsc.node.dc1.consul.']]);
    expect(r.sections.ADDITIONAL).toEqual([['dnsc.node.dc1.consul.', 'A', IP]]);
    expect(r.size).toBe(118);
  });

  it('the NS of the domain', () => {
    // 24, NS 2 + 10 + 16 (52), A glue 2 + 10 + 4: 68 (74 with the NS target in full).
    const r = digged('consul', 'NS');
    expect(r.sections.ANSWER).toEqual([['consul.', 'NS', 'dnsc.node.dc1.consul.']]);
    expect(r.size).toBe(68);
  });

  it('a PTR answer, and with the SOA when that is the question type', () => {
    // Question 1.131.0.127.in-addr.arpa (26 bytes) + 4: 42. PTR: pointer 2, 10, the target
    // dnsc.node.dc1.consul. in full (22; nothing before shares a suffix): 76.
    const ptr = digged('1.131.0.127.in-addr.arpa', 'PTR');
    expect(ptr.sections.ANSWER).toEqual([['1.131.0.127.in-addr.arpa.', 'PTR', 'dnsc.node.dc1.consul.']]);
    expect(ptr.size).toBe(76);
    // Asked for SOA: the SOA follows in the authority section, its owner a pointer to "consul" in
    // the PTR target, mname 5 and rname 13: 76 + 2 + 10 + 5 + 13 + 20 = 126 (in full 138).
    const soa = digged('1.131.0.127.in-addr.arpa', 'SOA');
    expect(soa.sections.ANSWER).toEqual([['1.131.0.127.in-addr.arpa.', 'PTR', 'dnsc.node.dc1.consul.']]);
    expect(soa.sections.AUTHORITY?.map(([owner, type]) => [owner, type])).toEqual([['consul.', 'SOA']]);
    expect(soa.size).toBe(126);
  });
});

describe('dns_config.disable_compression: every name written in full (Msg.Compress false)', () => {
  it('the CNAME answer and the A record after it', () => {
    // 12 + question 20 + 4: 36. CNAME: owner 20, 10, target 18 (84). A: owner 18, 10, 4: 116.
    const r = digged('web.service.consul', 'A', PLAIN_IP);
    expect(r.sections.ANSWER).toEqual([
      ['web.service.consul.', 'CNAME', 'dnsc.node.consul.'],
      ['dnsc.node.consul.', 'A', PLAIN_IP],
    ]);
    expect(r.size).toBe(116);
  });

  it("an NXDOMAIN's SOA", () => {
    // 37, SOA: owner "consul." 8, 10, mname 11, rname 19, 20: 105.
    const r = digged('nope.service.consul', 'A', PLAIN_IP);
    expect(r.status).toBe('NXDOMAIN');
    expect(r.size).toBe(105);
  });
});
