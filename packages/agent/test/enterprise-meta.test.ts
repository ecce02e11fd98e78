// Namespaces and admin partitions against a real agent, as Consul CE 1.17 answers them
// (agent/http_ce.go parseEntMeta / parseEntMetaPartition): any `?ns=`, `?partition=` or their
// X-Consul-* headers is a 400 with CE's text on the health, catalog and KV endpoints, "default"
// included; /v1/catalog/nodes takes no namespace, so there only the partition is refused.
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let agent: AgentProcess;

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(`${agent.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, text: await res.text() };
}

const NS = 'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature';
const PARTITION = 'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature';

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.125.10', extraArgs: ['-log-level', 'warn'] });
  expect((await call('PUT', '/v1/catalog/register', {}, JSON.stringify({ Node: 'n1', Address: '10.0.0.1', Service: { Service: 'web', Port: 80 } }))).status).toBe(200);
  expect((await call('PUT', '/v1/kv/app/a', {}, 'one')).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await agent?.stop();
});

describe('Consul CE: namespaces and partitions are refused', () => {
  const reads = ['/v1/health/service/web', '/v1/health/connect/web', '/v1/health/checks/web', '/v1/health/node/n1', '/v1/health/state/any',
    '/v1/catalog/services', '/v1/catalog/service/web', '/v1/catalog/node/n1', '/v1/kv/app/a', '/v1/kv/app?recurse', '/v1/kv/?keys'];

  it('a namespace or a partition on the health, catalog and KV reads, "default" too', async () => {
    for (const path of reads) {
      const sep = path.includes('?') ? '&' : '?';
      expect(await call('GET', path), path).toMatchObject({ status: 200 });
      expect(await call('GET', `${path}${sep}ns=x`), path).toEqual({ status: 400, text: NS });
      expect(await call('GET', `${path}${sep}ns=default`), path).toEqual({ status: 400, text: NS });
      expect(await call('GET', `${path}${sep}partition=default`), path).toEqual({ status: 400, text: PARTITION });
      // The namespace is checked first, as parseEntMeta does.
      expect(await call('GET', `${path}${sep}partition=p&ns=x`), path).toEqual({ status: 400, text: NS });
      expect(await call('GET', path, { 'X-Consul-Namespace': 'x' }), path).toEqual({ status: 400, text: 'Invalid header: "X-Consul-Namespace" - Namespaces are a Consul Enterprise feature' });
      expect(await call('GET', path, { 'X-Consul-Partition': 'p' }), path).toEqual({ status: 400, text: 'Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature' });
      // An empty value is no namespace (Go's Query().Get).
      expect(await call('GET', `${path}${sep}ns=&partition=`), path).toMatchObject({ status: 200 });
    }
  });

  it('catalog/nodes: the partition only (parseEntMetaPartition)', async () => {
    expect(await call('GET', '/v1/catalog/nodes?ns=x')).toMatchObject({ status: 200 });
    expect(await call('GET', '/v1/catalog/nodes?partition=p')).toEqual({ status: 400, text: PARTITION });
  });

  it('KV writes: refused before anything is written', async () => {
    expect(await call('PUT', '/v1/kv/app/b?ns=x', {}, 'two')).toEqual({ status: 400, text: NS });
    expect(await call('DELETE', '/v1/kv/app/a?partition=p')).toEqual({ status: 400, text: PARTITION });
    expect((await call('GET', '/v1/kv/app/b')).status).toBe(404);
    expect((await call('GET', '/v1/kv/app/a?raw')).text).toBe('one');
  });
});
