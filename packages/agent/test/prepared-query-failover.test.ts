// Prepared-query failover over a real HTTP hop: two agents in this process, dc1 (127.0.76.61) and
// dc2 (127.0.76.62). Until the WAN pool forwards requests between datacenters, dc1's seams are
// built by `forwardingSeams` over a forwarder that sends the request to dc2's HTTP API (the
// seam the WAN forwarder will fill), so dc2 runs its real ExecuteRemote endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startAgent, type AgentHandle } from '../src/index.js';
import { forwardingSeams } from '../src/prepared-query/index.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { http } from './helpers.js';

/** `dig +short`, run without blocking this process (its DNS server answers in this event loop). */
async function dig(server: string, port: number, name: string, type: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('dig', [`@${server}`, '-p', String(port), '+short', '+time=2', '+tries=1', name, type]);
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith(';'));
}

const DC1 = '127.0.76.61';
const DC2 = '127.0.76.62';
const DNS_PORT = 8600;
let dc1: AgentHandle;
let dc2: AgentHandle;
const forwarded: string[] = [];

const start = async (ip: string, dc: string): Promise<AgentHandle> =>
  startAgent(await loadConfig(['-dev', '-client', ip, '-bind', ip, '-node', `node-${dc}`, '-datacenter', dc, '-dns-port', String(DNS_PORT), '-log-level', 'error']));

const call = (a: AgentHandle, method: string, path: string, body?: unknown) =>
  http(`http://${a.httpAddrs[0]}`, method, path, body === undefined ? undefined : JSON.stringify(body));

beforeAll(async () => {
  [dc1, dc2] = await Promise.all([start(DC1, 'dc1'), start(DC2, 'dc2')]);
  dc1.ctx.preparedQuerySeams = forwardingSeams({
    otherDatacenters: async () => ['dc2', 'dc3'],
    async forward(dc, req) {
      forwarded.push(`${dc} ${req.method} ${req.url}`);
      if (dc !== 'dc2') return 'no-path';
      const res = await fetch(`http://${dc2.httpAddrs[0]}${req.url}`, { method: req.method, headers: req.headers, ...(req.body ? { body: req.body } : {}) });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: new Uint8Array(await res.arrayBuffer()) };
    },
  });
  for (const [a, status] of [[dc1, 'critical'], [dc2, 'passing']] as const) {
    const r = await call(a, 'PUT', '/v1/catalog/register', {
      Node: `web-${status}`,
      Address: a === dc1 ? '10.1.0.1' : '10.2.0.1',
      Service: { ID: 'web', Service: 'web', Port: 80 },
      Check: { Name: 'web', ServiceID: 'web', Status: status },
    });
    expect(r.status, r.text).toBe(200);
  }
}, 60_000);
afterAll(async () => {
  await dc1?.close();
  await dc2?.close();
});

describe('prepared query failover to another datacenter', () => {
  it('answers from dc2 when every dc1 instance is critical, over HTTP and DNS', async () => {
    const q = await call(dc1, 'POST', '/v1/query', { Name: 'web', Service: { Service: 'web', Failover: { NearestN: 1, Datacenters: ['dc3', 'dc2'] } }, DNS: { TTL: '4s' } });
    expect(q.status, q.text).toBe(200);
    forwarded.length = 0;
    const r = await call(dc1, 'GET', '/v1/query/web/execute');
    expect(r.status, r.text).toBe(200);
    // NearestN 1 is dc2 (answers); dc3 is never tried.
    expect(forwarded).toEqual(['dc2 POST /v1/internal/prepared-query/execute-remote']);
    expect(r.json()).toMatchObject({ Service: 'web', Datacenter: 'dc2', Failovers: 1, DNS: { TTL: '4s' } });
    expect(r.json().Nodes.map((n: any) => `${n.Node.Node} ${n.Node.Datacenter}`)).toEqual(['web-passing dc2']);
    const srv = await dig(DC1, DNS_PORT, 'web.query.consul', 'SRV');
    expect(srv).toEqual(['1 1 80 web-passing.node.dc2.consul.']);
  });

  it('tries the listed datacenters in order, skipping an unreachable one, and counts both', async () => {
    const q = await call(dc1, 'POST', '/v1/query', { Name: 'web-listed', Service: { Service: 'web', Failover: { Datacenters: ['dc3', 'dc2'] } } });
    expect(q.status, q.text).toBe(200);
    forwarded.length = 0;
    const r = (await call(dc1, 'GET', '/v1/query/web-listed/execute?limit=1')).json();
    expect(forwarded.map((f) => f.split(' ')[0])).toEqual(['dc3', 'dc2']);
    expect(r).toMatchObject({ Datacenter: 'dc2', Failovers: 2 });
    expect(r.Nodes).toHaveLength(1);
  });

  it('stays local (Failovers 0) once dc1 has a passing instance again', async () => {
    const r = await call(dc1, 'PUT', '/v1/catalog/register', { Node: 'web-critical', Address: '10.1.0.1', Check: { Name: 'web', ServiceID: 'web', Status: 'passing' } });
    expect(r.status, r.text).toBe(200);
    forwarded.length = 0;
    const local = (await call(dc1, 'GET', '/v1/query/web/execute')).json();
    expect(local).toMatchObject({ Datacenter: 'dc1', Failovers: 0 });
    expect(forwarded).toEqual([]);
  });
});
