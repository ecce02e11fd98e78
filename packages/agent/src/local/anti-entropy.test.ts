import { Catalog } from '@proconsul/catalog';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { raftApplierFor } from '../testing/catalog-raft.js';
import { Leader } from '../leader.js';
import { AntiEntropy } from './anti-entropy.js';
import { catalogNodeView } from './node-view.js';
import { LocalState } from './local-state.js';

async function setup() {
  let t = 1_000_000;
  const now = (): number => t;
  const catalog = new Catalog();
  const applier = await raftApplierFor(catalog);
  const logger = pino({ level: 'silent' });
  const leader = new Leader({ catalog, applier, nodeName: 'n1', nodeId: '', address: '127.0.1.41', taggedAddresses: { lan: '127.0.1.41', wan: '127.0.1.41' }, serverPort: 8300, nodeMeta: {}, logger, now });
  await leader.establish();
  leader.stop();
  const local = new LocalState({ nodeName: 'n1', dataDir: '', enableScriptChecks: false, enableLocalScriptChecks: false, checkOutputMaxSize: 4096, logger, onChange: () => undefined, now });
  const ae = new AntiEntropy({ view: catalogNodeView(catalog), applier, local, nodeName: 'n1', logger, now });
  return { catalog, applier, local, ae, advance: (ms: number) => (t += ms) };
}

describe('AntiEntropy', () => {
  it("logs Consul's INFO line for each service and check it syncs or deregisters", async () => {
    const { applier, local, catalog } = await setup();
    const lines: Array<{ msg: string; service?: string; check?: string }> = [];
    const agentLogger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[number]) });
    const ae = new AntiEntropy({ view: catalogNodeView(catalog), applier, local, nodeName: 'n1', logger: pino({ level: 'silent' }), agentLogger, now: () => 0 });
    local.addService({ ID: 'web1', Name: 'web', Port: 80, Check: { CheckID: 'web1-ttl', TTL: '10s' } }, { token: '', replaceExistingChecks: false, source: 'remote' });
    local.addCheck({ CheckID: 'solo', Name: 'solo', TTL: '10s' }, { token: '', source: 'remote' });
    await ae.syncOnce();
    // Only the service's check changed: Consul logs the check, not the service.
    local.updateTtl('web1-ttl', 'passing', 'ok', 'update');
    await ae.syncOnce();
    local.removeService('web1');
    local.removeCheck('solo');
    await ae.syncOnce();
    expect(lines.map((l) => [l.msg, l.service ?? l.check])).toEqual([
      ['Synced service', 'web1'],
      ['Synced check', 'solo'],
      ['Synced check', 'web1-ttl'],
      ['Deregistered service', 'web1'],
      ['Deregistered check', 'solo'],
    ]);
    await ae.syncOnce(); // in sync: nothing more
    expect(lines.length).toBe(5);
    local.stop();
  });

  it('takes a connect-native service with its server-set consul-virtual address as in sync', async () => {
    const { applier, local, catalog } = await setup();
    const lines: Array<{ msg: string; service?: string }> = [];
    const agentLogger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[number]) });
    const ae = new AntiEntropy({ view: catalogNodeView(catalog), applier, local, nodeName: 'n1', logger: pino({ level: 'silent' }), agentLogger, now: () => 0 });
    local.addService({ ID: 'api', Name: 'api', Port: 90, Connect: { Native: true } }, { token: '', replaceExistingChecks: false, source: 'remote' });
    await ae.syncOnce();
    expect(catalog.serviceNodes('api').value[0]!.ServiceTaggedAddresses).toEqual({ 'consul-virtual': { Address: '240.0.0.1', Port: 90 } });
    await ae.syncOnce();
    expect(lines.map((l) => [l.msg, l.service])).toEqual([['Synced service', 'api']]);
    local.stop();
  });

  it('tries a failed sync again soon, not a whole interval later (Consul: 15 s)', async () => {
    const { catalog, applier, local } = await setup();
    const view = catalogNodeView(catalog);
    let failures = 1;
    const failingOnce = { ...view, services: async (node: string) => {
      if (failures-- > 0) throw new Error('No cluster leader');
      return view.services(node);
    } };
    local.addService({ ID: 'w2', Name: 'web2', Port: 81 }, { token: '', replaceExistingChecks: false, source: 'remote' });
    const ae = new AntiEntropy({ view: failingOnce, applier, local, nodeName: 'n1', logger: pino({ level: 'silent' }), now: () => 0, intervalMs: 3_600_000, retryFailedMs: 50 });
    ae.start();
    for (let i = 0; i < 100 && !catalog.services().value['web2']; i++) await new Promise((r) => setTimeout(r, 20));
    expect(catalog.services().value['web2']).toBeDefined();
    ae.stop();
    local.stop();
  });

  it('drops the retry of a failed sync once a later sync succeeds (no extra pass at retry time)', async () => {
    const { catalog, applier, local } = await setup();
    const view = catalogNodeView(catalog);
    let failures = 1;
    let reads = 0;
    const counting = { ...view, services: async (node: string) => {
      reads++;
      if (failures-- > 0) throw new Error('No known Consul servers');
      return view.services(node);
    } };
    const ae = new AntiEntropy({ view: counting, applier, local, nodeName: 'n1', logger: pino({ level: 'silent' }), now: () => 0, intervalMs: 3_600_000, retryFailedMs: 100 });
    ae.start(); // fails: a retry is due in 100 ms
    await ae.idle();
    ae.trigger(); // a server came up: this pass succeeds
    await ae.idle();
    expect(reads).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(reads).toBe(2);
    ae.stop();
    local.stop();
  });

  it('registers local services and checks, and removes what the agent does not own', async () => {
    const { catalog, applier, local, ae } = await setup();
    local.addService({ ID: 'w1', Name: 'web', Port: 80, Tags: ['a'], Check: { TTL: '30s' } }, { token: '', replaceExistingChecks: false, source: 'remote' });
    await applier.apply({ Type: 'Register', Node: 'n1', SkipNodeUpdate: true, Service: { ID: 'stray', Service: 'stray' } });
    await ae.syncOnce();
    expect(Object.keys(catalog.services().value).sort()).toEqual(['consul', 'web']);
    expect(catalog.nodeChecks('n1').value.map((c) => [c.CheckID, c.Status])).toEqual([
      ['serfHealth', 'passing'],
      ['service:w1', 'critical'],
    ]);
    const index = applier.lastIndex;
    await ae.syncOnce();
    expect(applier.lastIndex).toBe(index); // in sync: no writes
    local.stop();
  });

  it('writes status changes at once and output-only changes at most every check_update_interval', async () => {
    const { catalog, local, ae, advance } = await setup();
    local.addService({ ID: 'w1', Name: 'web', Check: { TTL: '30s' } }, { token: '', replaceExistingChecks: false, source: 'remote' });
    await ae.syncOnce();
    local.updateTtl('service:w1', 'passing', 'first', 'note');
    await ae.syncOnce();
    expect(catalog.getCheck('n1', 'service:w1')).toMatchObject({ Status: 'passing', Output: 'first' });
    local.updateTtl('service:w1', 'passing', 'second', 'note');
    await ae.syncOnce();
    expect(catalog.getCheck('n1', 'service:w1')?.Output).toBe('first');
    advance(5 * 60_000);
    await ae.syncOnce();
    expect(catalog.getCheck('n1', 'service:w1')?.Output).toBe('second');
    local.updateTtl('service:w1', 'critical', 'third', 'note');
    await ae.syncOnce();
    expect(catalog.getCheck('n1', 'service:w1')).toMatchObject({ Status: 'critical', Output: 'third' });
    local.stop();
  });
});

describe('AntiEntropy and writes blocked by ACLs', () => {
  it('tries blocked writes once more at the retry interval, then waits for the periodic sync', async () => {
    const { catalog, applier, local } = await setup();
    let denials = 2;
    let attempts = 0;
    const denying: typeof applier = Object.assign(Object.create(applier) as typeof applier, {
      apply: async (cmd: Parameters<typeof applier.apply>[0]) => {
        if (cmd.Type === 'Register' && cmd.Service) {
          attempts++;
          if (denials-- > 0) throw new Error("Permission denied: token with AccessorID 'a' lacks permission 'node:write' on \"n1\"");
        }
        return applier.apply(cmd);
      },
    });
    local.addService({ ID: 'w3', Name: 'web3', Port: 82 }, { token: '', replaceExistingChecks: false, source: 'remote' });
    const ae = new AntiEntropy({ view: catalogNodeView(catalog), applier: denying, local, nodeName: 'n1', logger: pino({ level: 'silent' }), now: () => 0, intervalMs: 3_600_000, retryFailedMs: 50 });
    ae.start(); // blocked: one retry is due in 50 ms
    await ae.idle();
    expect(attempts).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    await ae.idle();
    expect(attempts).toBe(2); // the retry ran and was blocked again: no third attempt before the periodic sync
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts).toBe(2);
    expect(catalog.services().value['web3']).toBeUndefined();
    ae.trigger(); // the periodic sync (or a new token) writes it
    await ae.idle();
    expect(catalog.services().value['web3']).toBeDefined();
    ae.stop();
    local.stop();
  });
});
