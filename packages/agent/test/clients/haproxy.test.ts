// HAProxy (Debian's `haproxy`, 2.6) balancing over a service it discovers through Proconsul's DNS,
// the classic Consul + HAProxy setup: a `resolvers` section naming the agent's DNS port and
// `server-template web 5 _web._tcp.service.consul resolvers consul`, so HAProxy fills its servers
// from the SRV answer (ports) and its additional A records (addresses), and re-resolves every
// `timeout resolve`. Everything is real: a -dev agent, HAProxy as a child with its own config,
// and small HTTP backends that name themselves; requests go through HAProxy.
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort, startAgent, tempDir, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '../helpers.js';
import { binaryVersion, startBackend, startDaemon, type Backend, type Daemon } from './daemon.js';

const HAPROXY = '/usr/sbin/haproxy';
const AGENT = '127.0.112.21';
const FRONT = '127.0.112.22';
// web-1 listens on the agent's own address and is registered without one, so its SRV target is
// the node name (<node>.node.dc1.consul) rather than an <hex>.addr.dc1.consul name.
const WEB = [AGENT, '127.0.112.23', '127.0.112.24', '127.0.112.25'];

let agent: AgentProcess;
let haproxy: Daemon;
let front = '';
let statsSocket = '';
const webs: Backend[] = [];
const dirs: { remove(): void }[] = [];

/** Registers backend i as an instance of `web`, with a TTL check when `ttl`. */
async function register(i: number, ttl = false): Promise<void> {
  const b = webs[i]!;
  const body = { ID: b.name, Name: 'web', ...(i === 0 ? {} : { Address: b.ip }), Port: b.port, ...(ttl ? { Check: { TTL: '10m', Status: 'passing' } } : {}) };
  const r = await http(agent.url, 'PUT', '/v1/agent/service/register', JSON.stringify(body));
  expect(r.status, r.text).toBe(200);
}

/** Sends `n` requests through HAProxy; the names of the backends that answered, counted. */
async function spread(n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${front}/`, { signal: AbortSignal.timeout(5_000) });
    const name = await r.text();
    const key = r.status === 200 ? name : `status ${r.status}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}

/**
 * The "ip:port" of every server of `backend` that HAProxy has an address for, from its stats
 * socket's `show servers state` (columns: be_id be_name srv_id srv_name srv_addr ...; srv_port is
 * the 19th). A server-template slot not filled from DNS has no address ("-").
 */
async function haproxyServers(backend: string): Promise<string[]> {
  const text = await new Promise<string>((res, rej) => {
    let out = '';
    const sock = createConnection(statsSocket, () => sock.end(`show servers state ${backend}\n`));
    sock.setTimeout(5_000, () => sock.destroy(new Error('stats socket timed out')));
    sock.on('data', (d: Buffer) => (out += d.toString()));
    sock.once('error', rej);
    sock.once('close', () => res(out));
  });
  const rows = text.split('\n').filter((l) => /^\d+ /.test(l)).map((l) => l.split(' '));
  return rows.filter((c) => c[1] === backend && c[4] !== '-').map((c) => `${c[4]}:${c[18]}`).sort();
}

/** Samples `backend`'s servers every 500 ms (one resolution each) for `ms`; every sample. */
async function serversOver(backend: string, ms: number): Promise<string[][]> {
  const samples: string[][] = [];
  for (const end = Date.now() + ms; Date.now() < end; ) {
    samples.push(await haproxyServers(backend));
    await new Promise((r) => setTimeout(r, 500));
  }
  return samples;
}

/** Waits until 12 requests in a row are answered by exactly the backends `want`; returns how long it took. */
async function servedBy(want: string[], what: string): Promise<number> {
  const t0 = Date.now();
  let last = new Map<string, number>();
  await eventually(
    async () => {
      last = await spread(12);
      return JSON.stringify([...last.keys()].sort()) === JSON.stringify([...want].sort());
    },
    `${what}: want ${want.join(',')}, last saw ${JSON.stringify([...last])} (HAProxy output: ${haproxy.output().slice(-1_500)})`,
    100,
    200,
  );
  return Date.now() - t0;
}

beforeAll(async () => {
  // CI installs haproxy (.ci/run): without it this fails, it does not skip.
  expect(binaryVersion(HAPROXY, '-v')).toMatch(/^HAProxy version 2\./);
  for (const [i, ip] of WEB.entries()) webs.push(await startBackend(`web-${i + 1}`, ip));
  agent = await startAgent({ ip: AGENT, nodeName: 'hap-dev', extraArgs: ['-log-level', 'warn'] });

  const dir = tempDir('proconsul-haproxy-');
  dirs.push(dir);
  const port = await freePort(FRONT);
  front = `http://${FRONT}:${port}`;
  statsSocket = join(dir.path, 'admin.sock');
  // accepted_payload_size is what HAProxy announces in EDNS0; the hold/timeout values make it
  // re-resolve every 500 ms and drop a server the answer no longer names at once.
  const config = `
global
  maxconn 200
  stats socket ${statsSocket} mode 600 level admin

defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s

resolvers consul
  nameserver proconsul ${AGENT}:${agent.dnsPort}
  accepted_payload_size 8192
  resolve_retries 3
  timeout resolve 500ms
  timeout retry 500ms
  hold valid 2s
  hold obsolete 0s

frontend in
  bind ${FRONT}:${port}
  default_backend web

backend web
  balance roundrobin
  server-template web 5 _web._tcp.service.consul resolvers consul resolve-prefer ipv4 init-addr none

# HAProxy's default accepted_payload_size (512): what a reply of that size carries.
resolvers consul512
  nameserver proconsul ${AGENT}:${agent.dnsPort}
  timeout resolve 500ms
  timeout retry 500ms
  hold valid 2s
  hold obsolete 0s

backend web512
  server-template web 5 _web._tcp.service.consul resolvers consul512 resolve-prefer ipv4 init-addr none
`;
  const file = join(dir.path, 'haproxy.cfg');
  writeFileSync(file, config);
  const check = startDaemon(HAPROXY, ['-c', '-f', file]);
  await new Promise((r) => check.child.once('exit', r));
  expect(check.child.exitCode, check.output()).toBe(0);
  haproxy = startDaemon(HAPROXY, ['-db', '-f', file]);
}, 60_000);

afterAll(async () => {
  await haproxy?.stop();
  await agent?.stop();
  for (const b of webs) await b.close();
  for (const d of dirs) d.remove();
});

describe('HAProxy server-template with DNS SRV discovery against Proconsul', () => {
  it('spreads requests over every registered instance', async () => {
    await register(0);
    await register(1);
    await register(2, true);
    await servedBy(['web-1', 'web-2', 'web-3'], 'all three instances');
    const seen = await spread(30);
    // roundrobin over three servers: each gets its share.
    for (const name of ['web-1', 'web-2', 'web-3']) expect(seen.get(name)).toBeGreaterThanOrEqual(8);
  }, 60_000);

  it('follows a deregistration, a check going critical, and a scale-up past the 3 answers of a 512-byte reply', async () => {
    await servedBy(['web-1', 'web-2', 'web-3'], 'the starting state');
    expect((await http(agent.url, 'PUT', '/v1/agent/service/deregister/web-1')).status).toBe(200);
    expect(await servedBy(['web-2', 'web-3'], 'web-1 deregistered')).toBeLessThan(10_000);

    expect((await http(agent.url, 'PUT', '/v1/agent/check/fail/service:web-3')).status).toBe(200);
    expect(await servedBy(['web-2'], 'web-3 critical')).toBeLessThan(10_000);

    await register(0);
    expect((await http(agent.url, 'PUT', '/v1/agent/check/pass/service:web-3')).status).toBe(200);
    expect(await servedBy(['web-1', 'web-2', 'web-3'], 'web-1 back and web-3 passing')).toBeLessThan(10_000);
    // Four instances: more than a 512-byte UDP reply carries (Consul's udp_answer_limit of 3);
    // all four reach HAProxy because it announces 8192 bytes in EDNS0.
    await register(3);
    expect(await servedBy(['web-1', 'web-2', 'web-3', 'web-4'], 'web-4 registered')).toBeLessThan(10_000);
    // Every resolution names all four (not three at a time that happen to add up over requests).
    const all = webs.map((b) => `${b.ip}:${b.port}`).sort();
    for (const sample of await serversOver('web', 3_000)) expect(sample).toEqual(all);
  }, 90_000);

  it('with HAProxy\'s default 512-byte payload, three instances per reply, as Consul answers', async () => {
    // Consul's dns.go trimUDPResponse: a 512-byte reply carries at most udp_answer_limit (3)
    // answers, a random three each time; HAProxy drops the missing ones (hold obsolete 0s).
    await servedBy(['web-1', 'web-2', 'web-3', 'web-4'], 'four instances registered');
    const samples = await serversOver('web512', 4_000);
    for (const sample of samples) expect(sample).toHaveLength(3);
    expect(new Set(samples.flat()).size).toBeGreaterThan(3);
  }, 90_000);
});
