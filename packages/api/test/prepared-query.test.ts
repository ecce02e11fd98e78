/** The PreparedQuery client against the real Proconsul agent process (dev mode on 127.0.76.30). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { ConsulError, type Consul } from '../src/index.js';
import { createClient } from '../src/node.js';

let agent: AgentProcess;
let c: Consul;

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.76.30', extraArgs: ['-log-level', 'warn'] });
  c = createClient({ address: agent.httpAddr, env: {} });
  await c.catalog.register({ Node: 'pq-n1', Address: '10.3.0.1', Service: { ID: 'api1', Service: 'api', Port: 9000, Tags: ['blue'] } });
  await c.catalog.register({ Node: 'pq-n2', Address: '10.3.0.2', Service: { ID: 'api2', Service: 'api', Port: 9000, Tags: ['green'] } });
}, 40_000);

afterAll(async () => {
  await agent?.stop();
});

describe('PreparedQuery client', () => {
  it('creates, gets, updates, lists, executes, explains and deletes', async () => {
    const id = await c.query.create({ Name: 'api-blue', Service: { Service: 'api', Tags: ['blue'] }, DNS: { TTL: '5s' } });
    const [got] = (await c.query.get(id)).data;
    expect(got).toMatchObject({ ID: id, Name: 'api-blue', Service: { Service: 'api', Tags: ['blue'] }, DNS: { TTL: '5s' } });

    const run = await c.query.execute('api-blue');
    expect(run.data.Nodes.map((n) => n.Service.ID)).toEqual(['api1']);
    expect(run.data).toMatchObject({ Service: 'api', Datacenter: 'dc1', Failovers: 0, DNS: { TTL: '5s' } });
    expect(run.meta.lastIndex).toBeGreaterThan(0);

    await c.query.update({ ...got!, ID: id, Service: { Service: 'api', Tags: ['!blue'] } });
    expect((await c.query.execute(id, { limit: 1 })).data.Nodes.map((n) => n.Service.ID)).toEqual(['api2']);
    expect((await c.query.list()).data.map((q) => q.ID)).toContain(id);
    expect((await c.query.explain('api-blue')).data.Service.Tags).toEqual(['!blue']);

    await c.query.delete(id);
    const err = await c.query.get(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulError);
    expect((err as ConsulError).statusCode).toBe(404);
    expect((err as ConsulError).body).toBe('Query not found');
  });

  it('surfaces Consul validation errors', async () => {
    const err = await c.query.create({ Name: 'bad', Service: { Service: '' } }).catch((e: unknown) => e);
    expect((err as ConsulError).message).toBe('Unexpected response code: 400 (Invalid prepared query: Must provide a Service name to query)');
  });
});
