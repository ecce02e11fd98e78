/** The client against the real Proconsul agent process (dev mode on 127.0.2.10). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { ConsulError, kvFlags, kvValueBytes, kvValueText, type Consul } from '../src/index.js';
import { createClient } from '../src/node.js';

let agent: AgentProcess;
let c: Consul;

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.2.10' });
  c = createClient({ address: agent.httpAddr, env: {} });
}, 40_000);

afterAll(async () => {
  await agent?.stop();
});

describe('agent endpoints', () => {
  it('self and members describe this node', async () => {
    const self = await c.agent.self();
    expect(self.Config.NodeName).toBe(agent.nodeName);
    expect(self.Config.Datacenter).toBe('dc1');
    expect(self.Config.Server).toBe(true);
    const members = await c.agent.members();
    const me = members.find((m) => m.Name === agent.nodeName);
    expect(me?.Status).toBe(1);
    expect(me?.Addr).toBe('127.0.2.10');
  });

  it('registers a service with a TTL check, passes it, and health shows it passing', async () => {
    await c.agent.serviceRegister({ Name: 'api-web', ID: 'api-web-1', Port: 8080, Tags: ['v1'], Meta: { team: 'core' }, Check: { CheckID: 'api-web-ttl', TTL: '30s' } });
    const services = await c.agent.services();
    expect(services['api-web-1']?.Service).toBe('api-web');
    expect(services['api-web-1']?.Meta).toEqual({ team: 'core' });
    const before = await c.health.service('api-web', { passing: true });
    expect(before.data).toEqual([]); // checks start critical
    await c.agent.passTTL('api-web-ttl', 'all good');
    // anti-entropy syncs the agent's state to the catalog; wait for it with a blocking query
    let entries = (await c.health.service('api-web', { passing: true })).data;
    for (let i = 0; i < 20 && entries.length === 0; i++) {
      const r = await c.health.service('api-web', { passing: true, index: before.meta.lastIndex, wait: 2000 });
      entries = r.data;
    }
    expect(entries.length).toBe(1);
    expect(entries[0]!.Service.Port).toBe(8080);
    expect(entries[0]!.Checks.some((ch) => ch.CheckID === 'api-web-ttl' && ch.Status === 'passing' && ch.Output === 'all good')).toBe(true);
    const svc = await c.agent.service('api-web-1');
    expect(svc.data?.Tags).toEqual(['v1']);
    expect((await c.agent.service('nope')).data).toBeNull();
    await c.agent.serviceDeregister('api-web-1');
    expect((await c.agent.services())['api-web-1']).toBeUndefined();
  });

  it('monitor streams log lines from the asked level until aborted, and refuses an unknown level', async () => {
    const stop = new AbortController();
    const lines = await c.agent.monitor('DEBUG', { signal: stop.signal });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const line of lines) {
        seen.push(line);
        if (line.includes('[DEBUG]')) return;
      }
    })();
    // A registration makes anti-entropy write, which it logs at DEBUG.
    for (let i = 0; i < 50 && !seen.some((l) => l.includes('[DEBUG]')); i++) {
      await c.agent.serviceRegister({ Name: 'monitored', ID: `monitored-${i}`, Port: 1 });
      await new Promise((r) => setTimeout(r, 100));
    }
    await reading;
    expect(seen.find((l) => l.includes('[DEBUG]'))).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[DEBUG\] /);
    stop.abort();
    const json = await c.agent.monitor('debug', { json: true });
    await c.agent.serviceRegister({ Name: 'monitored', ID: 'monitored-json', Port: 1 });
    for await (const line of json) {
      expect(JSON.parse(line)).toMatchObject({ '@level': expect.any(String), '@message': expect.any(String) });
      break; // stops reading: the connection closes
    }
    await expect(c.agent.monitor('LOUD')).rejects.toThrow('Unexpected response code: 400 (Unknown log level: LOUD)');
    for (const id of Object.keys(await c.agent.services())) if (id.startsWith('monitored')) await c.agent.serviceDeregister(id);
  });

  it('maintenance mode adds and removes the _node_maintenance check', async () => {
    await c.agent.enableNodeMaintenance('api test');
    const checks = await c.agent.checks();
    expect(checks['_node_maintenance']?.Notes).toBe('api test');
    expect(checks['_node_maintenance']?.Status).toBe('critical');
    await c.agent.disableNodeMaintenance();
    expect((await c.agent.checks())['_node_maintenance']).toBeUndefined();
  });
});

describe('catalog and status', () => {
  it('a fresh dev agent has the consul service and its own node', async () => {
    const services = await c.catalog.services();
    expect(services.data['consul']).toEqual([]);
    expect(services.meta.lastIndex).toBeGreaterThan(0);
    const nodes = await c.catalog.nodes();
    expect(nodes.data.map((n) => n.Node)).toContain(agent.nodeName);
    expect(await c.catalog.datacenters()).toEqual(['dc1']);
    const node = await c.catalog.node(agent.nodeName);
    expect(node.data?.Node.Address).toBe('127.0.2.10');
    expect((await c.catalog.node('no-such-node')).data).toBeNull();
  });

  it('catalog register/deregister of an external node', async () => {
    await c.catalog.register({ Node: 'ext-db', Address: '192.0.2.10', Service: { ID: 'pg1', Service: 'postgres', Port: 5432 } });
    const pg = await c.catalog.service('postgres');
    expect(pg.data.map((s) => [s.Node, s.ServiceID, s.ServicePort])).toEqual([['ext-db', 'pg1', 5432]]);
    await c.catalog.deregister({ Node: 'ext-db' });
    expect((await c.catalog.service('postgres')).data).toEqual([]);
  });

  it('operator raft configuration and autopilot health describe the single server', async () => {
    const conf = await c.operator.raftGetConfiguration();
    expect(conf.Servers.map((s) => [s.Node, s.Address, s.Leader, s.Voter])).toEqual([[agent.nodeName, '127.0.2.10:8300', true, true]]);
    const health = await c.operator.autopilotServerHealth();
    expect(health.Servers.map((s) => s.ID)).toEqual([conf.Servers[0]!.ID]);
    expect(health.Servers[0]!.Leader).toBe(true);
    const state = await c.operator.autopilotState();
    const id = conf.Servers[0]!.ID;
    expect(state).toMatchObject({ Healthy: true, FailureTolerance: 0, Leader: id, Voters: [id] });
    expect(state.Servers[id]).toMatchObject({ Name: agent.nodeName, Address: '127.0.2.10:8300', Status: 'leader', NodeStatus: 'alive', LastContact: '0s' });
  });

  it('autopilot configuration: Consul\'s defaults, then a check-and-set that wins once', async () => {
    const conf = await c.operator.autopilotGetConfiguration();
    expect(conf).toMatchObject({ CleanupDeadServers: true, LastContactThreshold: '200ms', MaxTrailingLogs: 250, MinQuorum: 0, ServerStabilizationTime: '10s' });
    expect(await c.operator.autopilotCASConfiguration({ ...conf, MaxTrailingLogs: 300, LastContactThreshold: '1.5s' })).toBe(true);
    // The same ModifyIndex again: the configuration changed meanwhile, so nothing is written.
    expect(await c.operator.autopilotCASConfiguration({ ...conf, MaxTrailingLogs: 400 })).toBe(false);
    expect(await c.operator.autopilotGetConfiguration()).toMatchObject({ MaxTrailingLogs: 300, LastContactThreshold: '1.5s' });
  });

  it('status leader and peers are the server RPC address', async () => {
    expect(await c.status.leader()).toBe('127.0.2.10:8300');
    expect(await c.status.peers()).toEqual(['127.0.2.10:8300']);
  });
});

describe('kv', () => {
  it('put/get/list/keys with flags and binary values', async () => {
    expect(await c.kv.put('api/a', 'one', { flags: 42 })).toBe(true);
    const bin = new Uint8Array([0, 255, 1, 254]);
    await c.kv.put('api/b/bin', bin);
    const a = await c.kv.get('api/a');
    expect(a.data?.Flags).toBe(42);
    expect(kvValueText(a.data!)).toBe('one');
    expect(a.meta.lastIndex).toBe(a.data!.ModifyIndex);
    expect(Array.from(kvValueBytes((await c.kv.get('api/b/bin')).data!))).toEqual([0, 255, 1, 254]);
    expect((await c.kv.list('api/')).data.map((p) => p.Key)).toEqual(['api/a', 'api/b/bin']);
    expect((await c.kv.keys('api/', '/')).data).toEqual(['api/a', 'api/b/']);
    expect((await c.kv.get('api/missing')).data).toBeNull();
  });

  it('keeps uint64 flags above 2^53 exact (kvFlags)', async () => {
    await c.kv.put('api/big', 'x', { flags: 18446744073709551615n });
    const got = (await c.kv.get('api/big')).data!;
    expect(kvFlags(got)).toBe(18446744073709551615n);
    const listed = (await c.kv.list('api/big')).data;
    expect(kvFlags(listed[0]!)).toBe(18446744073709551615n);
    expect(JSON.stringify(got)).not.toContain('Symbol');
  });

  it('check-and-set and delete-cas follow ModifyIndex', async () => {
    expect(await c.kv.cas('api/cas', 'v0', 0)).toBe(true);
    expect(await c.kv.cas('api/cas', 'again', 0)).toBe(false);
    const cur = (await c.kv.get('api/cas')).data!;
    expect(await c.kv.cas('api/cas', 'v1', cur.ModifyIndex)).toBe(true);
    expect(await c.kv.cas('api/cas', 'v2', cur.ModifyIndex)).toBe(false);
    const now = (await c.kv.get('api/cas')).data!;
    expect(await c.kv.deleteCAS('api/cas', now.ModifyIndex - 1)).toBe(false);
    expect(await c.kv.deleteCAS('api/cas', now.ModifyIndex)).toBe(true);
    expect((await c.kv.get('api/cas')).data).toBeNull();
  });

  it('GET with an empty key is Consul\'s 400 Missing key name', async () => {
    const err = await c.kv.get('').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulError);
    expect((err as ConsulError).statusCode).toBe(400);
    expect((err as ConsulError).body).toContain('Missing key name');
  });

  it('a blocking get returns once the key changes', async () => {
    await c.kv.put('api/block', 'v1');
    const first = await c.kv.get('api/block');
    const waiting = c.kv.get('api/block', { index: first.meta.lastIndex, wait: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    await c.kv.put('api/block', 'v2');
    const changed = await waiting;
    expect(kvValueText(changed.data!)).toBe('v2');
    expect(changed.meta.lastIndex).toBeGreaterThan(first.meta.lastIndex);
  });

  it('watch yields each change of a prefix and stops on abort', async () => {
    const controller = new AbortController();
    const seen: string[][] = [];
    const iter = c.watch((q) => c.kv.list('api/watch/', q), { signal: controller.signal, waitMs: 10_000 });
    const writer = (async () => {
      await new Promise((r) => setTimeout(r, 200));
      await c.kv.put('api/watch/x', '1');
      await new Promise((r) => setTimeout(r, 200));
      await c.kv.put('api/watch/y', '2');
    })();
    for await (const r of iter) {
      seen.push(r.data.map((p) => p.Key));
      if (seen.at(-1)!.length === 2) controller.abort();
    }
    await writer;
    expect(seen[0]).toEqual([]);
    expect(seen.at(-1)).toEqual(['api/watch/x', 'api/watch/y']);
  });
});

describe('snapshot', () => {
  it('save returns a gzipped archive at an index; restore brings the KV state back', async () => {
    await c.kv.put('api/snap', 'before');
    const snap = await c.snapshot.save();
    expect(Array.from(snap.data.subarray(0, 2))).toEqual([0x1f, 0x8b]);
    expect(snap.meta.lastIndex).toBeGreaterThan(0);
    await c.kv.put('api/snap', 'after');
    await c.snapshot.restore(snap.data);
    expect(kvValueText((await c.kv.get('api/snap')).data!)).toBe('before');
    const err = await c.snapshot.restore(new TextEncoder().encode('not an archive')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulError);
  });
});

describe('sessions, events, txn', () => {
  it('a session takes and releases a lock', async () => {
    const id = await c.session.create({ Name: 'api-lock', TTL: '30s' });
    expect((await c.session.info(id)).data?.Name).toBe('api-lock');
    expect(await c.kv.acquire('api/lock', 'me', id)).toBe(true);
    expect((await c.kv.get('api/lock')).data?.Session).toBe(id);
    const renewed = await c.session.renew(id);
    expect(renewed?.ID).toBe(id);
    expect(await c.kv.release('api/lock', 'me', id)).toBe(true);
    expect((await c.kv.get('api/lock')).data?.Session).toBeUndefined();
    await c.session.destroy(id);
    expect((await c.session.info(id)).data).toBeNull();
    expect(await c.session.renew(id)).toBeNull();
  });

  it('fires an event and lists it', async () => {
    const ev = await c.event.fire('api-deploy', 'v1.2.3');
    expect(ev.Name).toBe('api-deploy');
    expect(ev.Payload).toBe(Buffer.from('v1.2.3').toString('base64'));
    let list = (await c.event.list('api-deploy')).data;
    for (let i = 0; i < 20 && !list.some((e) => e.ID === ev.ID); i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = (await c.event.list('api-deploy')).data;
    }
    expect(list.some((e) => e.ID === ev.ID)).toBe(true);
  });

  it('a transaction applies atomically or rolls back with 409', async () => {
    const ok = await c.txn.execute([
      { KV: { Verb: 'set', Key: 'api/txn/a', Value: Buffer.from('1').toString('base64') } },
      { KV: { Verb: 'set', Key: 'api/txn/b', Value: Buffer.from('2').toString('base64') } },
    ]);
    expect(ok.ok).toBe(true);
    expect(ok.Results?.length).toBe(2);
    const bad = await c.txn.execute([
      { KV: { Verb: 'set', Key: 'api/txn/c', Value: Buffer.from('3').toString('base64') } },
      { KV: { Verb: 'cas', Key: 'api/txn/a', Value: Buffer.from('x').toString('base64'), Index: 1 } },
    ]);
    expect(bad.ok).toBe(false);
    expect(bad.Errors?.[0]?.OpIndex).toBe(1);
    expect((await c.kv.get('api/txn/c')).data).toBeNull();
  });
});
