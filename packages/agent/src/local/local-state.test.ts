import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LocalState } from './local-state.js';

function state(now: () => number) {
  let changes = 0;
  const local = new LocalState({
    nodeName: 'n1',
    dataDir: '',
    enableScriptChecks: false,
    enableLocalScriptChecks: false,
    checkOutputMaxSize: 4096,
    logger: pino({ level: 'silent' }),
    onChange: () => changes++,
    now,
  });
  return { local, changes: () => changes };
}

describe('LocalState', () => {
  it('names embedded checks as Consul does and keeps status on re-registration', () => {
    const { local } = state(() => 0);
    local.addService({ ID: 'w1', Name: 'web', Checks: [{ TTL: '30s' }, { TTL: '30s', Status: 'passing' }] }, { token: '', replaceExistingChecks: false, source: 'remote' });
    expect(local.checks().map((c) => [c.CheckID, c.Name, c.Status])).toEqual([
      ['service:w1:1', "Service 'web' check", 'critical'],
      ['service:w1:2', "Service 'web' check", 'passing'],
    ]);
    local.updateTtl('service:w1:1', 'passing', 'ok', 'note');
    // Same IDs: status and output stay; a check no longer listed goes with replace-existing-checks.
    local.addService({ ID: 'w1', Name: 'web', Tags: ['x'], Checks: [{ TTL: '30s' }, { CheckID: 'other', TTL: '30s' }] }, { token: '', replaceExistingChecks: true, source: 'remote' });
    expect(local.checks().map((c) => [c.CheckID, c.Status, c.Output, c.ServiceTags])).toEqual([
      ['service:w1:1', 'passing', 'ok', ['x']],
      ['other', 'critical', '', ['x']],
    ]);
    local.stop();
  });

  it('reaps a service whose check stays critical past DeregisterCriticalServiceAfter', () => {
    let t = 1_000_000;
    const { local } = state(() => t);
    local.addService(
      { ID: 'w1', Name: 'web', Check: { TTL: '30s', DeregisterCriticalServiceAfter: '1m' } },
      { token: '', replaceExistingChecks: false, source: 'remote' },
    );
    local.addService({ ID: 'w2', Name: 'web', Check: { TTL: '30s' } }, { token: '', replaceExistingChecks: false, source: 'remote' });
    t += 30_000;
    expect(local.reapCritical(t)).toEqual([]);
    t += 31_000;
    expect(local.reapCritical(t)).toEqual(['w1']);
    expect(local.services().map((s) => s.ID)).toEqual(['w2']);
    local.stop();
  });

  it('a check that passes again restarts the critical clock', () => {
    let t = 0;
    const { local } = state(() => t);
    local.addService({ ID: 'w1', Name: 'web', Check: { TTL: '30s', DeregisterCriticalServiceAfter: '1m' } }, { token: '', replaceExistingChecks: false, source: 'remote' });
    t = 50_000;
    local.updateTtl('service:w1', 'passing', '', 'note');
    local.updateTtl('service:w1', 'critical', '', 'note');
    t = 100_000;
    expect(local.reapCritical(t)).toEqual([]);
    local.stop();
  });
});
