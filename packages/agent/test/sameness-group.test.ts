// `?sameness-group=` on the health service reads, as Consul CE 1.17 answers it: the HTTP handler
// (agent/health_endpoint.go healthServiceNodes) refuses it beside `?peer=`, and CE's
// Health.ServiceNodes (agent/consul/health_endpoint_ce.go) refuses any sameness group, with
// Consul's texts; without the parameter the same reads answer as before. A -dev agent on 127.0.128.10.
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let agent: AgentProcess;

async function get(path: string) {
  const res = await fetch(`${agent.url}${path}`);
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.128.10', extraArgs: ['-log-level', 'warn'] });
  const res = await fetch(`${agent.url}/v1/catalog/register`, { method: 'PUT', body: JSON.stringify({ Node: 'n1', Address: '10.0.0.1', Service: { Service: 'web', Port: 80 } }) });
  expect(res.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await agent?.stop();
});

describe('?sameness-group= on Consul CE', () => {
  const reads = ['/v1/health/service/web', '/v1/health/connect/web', '/v1/health/ingress/web'];

  it('is refused with CE’s text, and beside ?peer= as mutually exclusive', async () => {
    for (const path of reads) {
      expect(await get(path), path).toMatchObject({ status: 200 });
      expect(await get(`${path}?sameness-group=g`), path).toEqual({ status: 400, text: 'sameness groups are not supported in consul CE' });
      expect(await get(`${path}?sameness-group=g&peer=west`), path).toEqual({ status: 400, text: 'peer-name and sameness-group are mutually exclusive' });
      // The exclusion is checked before ?passing is parsed, as healthServiceNodes does.
      expect(await get(`${path}?sameness-group=g&peer=west&passing=maybe`), path).toEqual({ status: 400, text: 'peer-name and sameness-group are mutually exclusive' });
      expect(await get(`${path}?sameness-group=g&passing=maybe`), path).toEqual({ status: 400, text: 'Invalid value for ?passing' });
      // An empty value is no sameness group (Consul reads it with Query().Get and tests for "").
      expect(await get(`${path}?sameness-group=`), path).toMatchObject({ status: 200 });
    }
    expect(JSON.parse((await get('/v1/health/service/web?sameness-group=')).text)).toHaveLength(1);
  });
});
