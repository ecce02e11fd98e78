// The agent cache with real processes: a server and a client agent (the client's cache fetches
// from the server over agent RPC). `?cached` reads miss then hit with `Age`, stay fresh through
// their background blocking query, block on the cache, honour Cache-Control; the authorize
// endpoint hits after its first call and follows intention changes; the client's DNS answers
// through the cache (dns_config.use_cache); when the server is gone the cache still answers,
// and `stale-if-error` serves a simple entry's old value. The LRU and TTL bounds are unit
// tested in src/cache/agent-cache.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, sleep, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.101.1';
const CLIENT = '127.0.101.2';
const TRUST = '11111111-2222-4333-8444-555555555555.consul';
const spiffe = (svc: string): string => `spiffe://${TRUST}/ns/default/dc/dc1/svc/${svc}`;

const dir = tempDir('agent-cache-');
let server: AgentProcess;
let client: AgentProcess;

async function start(ip: string, args: string[], waitForLeader = true): Promise<AgentProcess> {
  return startAgentProcess(['-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', `n-${ip}`, '-log-level', 'warn', ...args], `${ip}:8500`, { waitForLeader });
}

const register = (node: string, address: string) =>
  http(server.base, 'PUT', '/v1/catalog/register', JSON.stringify({ Node: node, Address: address, Service: { Service: 'web', Port: 80 } }));
const onClient = (path: string, headers: Record<string, string> = {}) => http(client.base, 'GET', path, undefined, headers);

beforeAll(async () => {
  server = await start(SERVER, ['-server', '-bootstrap', '-dns-port', '-1']);
  const cfg = join(dir.path, 'client.json');
  writeFileSync(cfg, JSON.stringify({ dns_config: { use_cache: true, cache_max_age: '30s' } }));
  client = await start(CLIENT, ['-retry-join', SERVER, '-retry-interval', '1s', '-dns-port', '8600', '-config-file', cfg], false);
  await eventually(async () => (await http(client.base, 'GET', '/v1/status/leader')).json() !== '', 'the client to find its server', 150);
  expect((await register('ext1', '10.0.0.1')).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await client?.kill9();
  await server?.kill9();
  dir.remove();
});

describe('?cached on a client agent', () => {
  it('misses, then hits with Age 0 while its blocking query keeps it fresh', async () => {
    const miss = await onClient('/v1/health/service/web?cached');
    expect(miss.status, miss.text).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.headers.get('age')).toBeNull();
    expect(miss.json().map((e: { Node: { Node: string } }) => e.Node.Node)).toEqual(['ext1']);
    expect(Number(miss.headers.get('x-consul-index'))).toBeGreaterThan(0);
    const hit = await onClient('/v1/health/service/web?cached');
    expect([hit.headers.get('x-cache'), hit.headers.get('age')]).toEqual(['HIT', '0']);
    expect(hit.text).toBe(miss.text);
    // Without ?cached the read goes to the server and says nothing about a cache.
    expect((await onClient('/v1/health/service/web')).headers.get('x-cache')).toBeNull();

    // A registration reaches the cached answer through the background blocking query, at once.
    expect((await register('ext2', '10.0.0.2')).status).toBe(200);
    const t0 = Date.now();
    const fresh = await eventually(async () => {
      const r = await onClient('/v1/health/service/web?cached');
      return r.json().length === 2 ? r : undefined;
    }, 'the new instance in the cached answer', 100, 20);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(fresh.headers.get('x-cache')).toBe('HIT');
  });

  it('a blocking ?cached&index=N waits on the cache and returns on a change', async () => {
    const first = await onClient('/v1/catalog/service/web?cached');
    const index = Number(first.headers.get('x-consul-index'));
    let done = false;
    const blocked = onClient(`/v1/catalog/service/web?cached&index=${index}&wait=20s`).then((r) => ((done = true), r));
    await sleep(400);
    expect(done).toBe(false);
    expect((await register('ext3', '10.0.0.3')).status).toBe(200);
    const r = await blocked;
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('x-consul-index'))).toBeGreaterThan(index);
    expect(r.json().length).toBe(3);
    // A wait that runs out answers the value there is.
    const t0 = Date.now();
    const idle = await onClient(`/v1/catalog/service/web?cached&index=${r.headers.get('x-consul-index')}&wait=300ms`);
    expect([idle.status, idle.json().length]).toEqual([200, 3]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const services = await onClient('/v1/catalog/services?cached');
    expect(services.json()).toMatchObject({ web: [] });
  });

  it('a simple entry (prepared query) ages; max-age=0 fetches; bad input is a 400', async () => {
    const created = await http(server.base, 'POST', '/v1/query', JSON.stringify({ Name: 'webq', Service: { Service: 'web' } }));
    expect(created.status, created.text).toBe(200);
    const miss = await onClient('/v1/query/webq/execute?cached');
    expect([miss.status, miss.headers.get('x-cache')]).toEqual([200, 'MISS']);
    await sleep(1_100);
    const hit = await onClient('/v1/query/webq/execute?cached');
    expect([hit.headers.get('x-cache'), hit.headers.get('age')]).toEqual(['HIT', '1']);
    expect(hit.json().Nodes.length).toBe(3);
    const revalidated = await onClient('/v1/query/webq/execute?cached', { 'Cache-Control': 'max-age=0' });
    expect(revalidated.headers.get('x-cache')).toBe('MISS');
    expect((await onClient('/v1/query/webq/execute?cached', { 'Cache-Control': 'max-age=60' })).headers.get('x-cache')).toBe('HIT');
    const bad = await onClient('/v1/query/webq/execute?cached', { 'Cache-Control': 'max-age=soon' });
    expect([bad.status, bad.text]).toEqual([400, 'Invalid Cache-Control header.']);
    const both = await onClient('/v1/health/service/web?cached&consistent');
    expect([both.status, both.text]).toEqual([400, 'Cannot specify ?cached with ?consistent, conflicting semantics.']);
    // An unknown query is the server's 404, not cached and without cache headers.
    const missing = await onClient('/v1/query/nope/execute?cached');
    expect([missing.status, missing.headers.get('x-cache')]).toEqual([404, null]);
  });

  it('authorize answers from the intention match cache after its first call and follows a change', async () => {
    const call = () => http(client.base, 'POST', '/v1/agent/connect/authorize', JSON.stringify({ Target: 'db', ClientCertURI: spiffe('web') }));
    const first = await call();
    expect(first.status, first.text).toBe(200);
    expect([first.headers.get('x-cache'), first.json().Authorized]).toEqual(['MISS', true]);
    const second = await call();
    expect([second.headers.get('x-cache'), second.headers.get('age'), second.json().Authorized]).toEqual(['HIT', '0', true]);
    const put = await http(client.base, 'PUT', '/v1/connect/intentions/exact?source=web&destination=db', JSON.stringify({ Action: 'deny' }));
    expect(put.status, put.text).toBe(200);
    const denied = await eventually(async () => {
      const r = await call();
      return r.json().Authorized === false ? r : undefined;
    }, 'the deny intention in the cached match', 100, 20);
    expect(denied.headers.get('x-cache')).toBe('HIT');
    expect(denied.json().Reason).toBe('Matched L4 intention: default/web => default/db (Precedence: 9, Action: DENY)');
  });

  it('DNS with dns_config.use_cache answers from the cache and follows changes', async () => {
    await eventually(async () => dig(CLIENT, 8600, 'web.service.consul', 'A').sort().join() === '10.0.0.1,10.0.0.2,10.0.0.3', 'the three instances over DNS');
    expect((await register('ext4', '10.0.0.4')).status).toBe(200);
    await eventually(async () => dig(CLIENT, 8600, 'web.service.consul', 'A').includes('10.0.0.4'), 'the new instance over DNS', 50, 50);
    expect(dig(CLIENT, 8600, 'webq.query.consul', 'A').length).toBeGreaterThan(0);
    const metrics = (await onClient('/v1/agent/metrics')).json() as { Gauges: { Name: string; Value: number }[] };
    // consul.<host>.cache.entries_count: gauges carry the host name, as go-metrics' do.
    expect(metrics.Gauges.find((g) => g.Name.endsWith('.cache.entries_count'))?.Value).toBeGreaterThanOrEqual(5);
  });

  it('without its server the cache still answers; stale-if-error serves a simple entry', async () => {
    // A value fetched before the server goes.
    expect((await onClient('/v1/query/webq/execute?cached', { 'Cache-Control': 'max-age=0' })).status).toBe(200);
    await server.kill9();
    // A refresh type keeps its value (Consul's "fail static"), with the Age since contact was lost.
    const kept = await onClient('/v1/health/service/web?cached');
    expect([kept.status, kept.headers.get('x-cache'), kept.json().length]).toEqual([200, 'HIT', 4]);
    const stale = await onClient('/v1/query/webq/execute?cached', { 'Cache-Control': 'max-age=0, stale-if-error=600' });
    expect([stale.status, stale.headers.get('x-cache')]).toEqual([200, 'HIT']);
    expect(stale.json().Nodes.length).toBe(4);
    const strict = await onClient('/v1/query/webq/execute?cached', { 'Cache-Control': 'max-age=0' });
    expect(strict.status).toBe(500);
    expect(dig(CLIENT, 8600, 'web.service.consul', 'A').length).toBe(4);
    await eventually(async () => Number((await onClient('/v1/health/service/web?cached')).headers.get('age')) >= 1, 'an Age since contact was lost');
  }, 60_000);
});
