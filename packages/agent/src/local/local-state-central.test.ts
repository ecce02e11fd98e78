// LocalState with central defaults: what it shows is the registration merged with them, what it
// persists is the registration as given with the defaults, and only proxies and gateways take them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServiceConfigResponse } from '../connect/central-config/resolve.js';
import { LocalState } from './local-state.js';

const dir = mkdtempSync(join(tmpdir(), 'proconsul-local-central-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function state(dataDir: string): { local: LocalState; changes: () => number } {
  let changes = 0;
  const local = new LocalState({
    nodeName: 'n1', dataDir, enableScriptChecks: false, enableLocalScriptChecks: false, checkOutputMaxSize: 4096,
    logger: pino({ level: 'silent' }), onChange: () => changes++,
  });
  return { local, changes: () => changes };
}

const defaults = (protocol: string): ServiceConfigResponse => ({ ProxyConfig: { protocol }, MeshGateway: { Mode: 'local' }, Expose: {}, TransparentProxy: {}, Mode: '' });
const PROXY = { Kind: 'connect-proxy', ID: 'p1', Name: 'web-proxy', Port: 21000, Proxy: { DestinationServiceName: 'web', Config: { own: 1 } } };
const opts = { token: '', replaceExistingChecks: false, source: 'remote' as const };

describe('LocalState central defaults', () => {
  it('shows the merge, keeps the defaults across re-registration, and changes only when the merge does', () => {
    const { local, changes } = state('');
    local.addService(PROXY, { ...opts, centralDefaults: defaults('http') });
    expect(local.service('p1')!.Proxy).toMatchObject({ Config: { own: 1, protocol: 'http' }, MeshGateway: { Mode: 'local' } });
    expect(local.registrations()[0]!.service.Proxy!.Config).toEqual({ own: 1 });
    local.addService({ ...PROXY, Tags: ['x'] }, opts);
    expect(local.service('p1')!.Proxy!.Config).toEqual({ own: 1, protocol: 'http' });
    const before = changes();
    local.setCentralDefaults('p1', defaults('http'));
    expect(changes()).toBe(before);
    local.setCentralDefaults('p1', defaults('grpc'));
    expect(changes()).toBe(before + 1);
    expect(local.service('p1')!.Proxy!.Config).toEqual({ own: 1, protocol: 'grpc' });
    // Re-registered as a typical service: nothing is merged into it.
    local.addService({ ID: 'p1', Name: 'web-proxy', Port: 21000 }, opts);
    expect(local.service('p1')!.Proxy).toBeUndefined();
    local.stop();
  });

  it('persists the registration as given with its defaults, and merges them again on restore', () => {
    const first = state(dir);
    first.local.addService(PROXY, { ...opts, centralDefaults: defaults('http2') });
    first.local.stop();
    const saved = JSON.parse(readFileSync(join(dir, 'local-state.json'), 'utf8'));
    expect(saved.services[0].service.Proxy.Config).toEqual({ own: 1 });
    expect(saved.services[0].defaults.ProxyConfig).toEqual({ protocol: 'http2' });
    const second = state(dir);
    second.local.restore();
    expect(second.local.service('p1')!.Proxy!.Config).toEqual({ own: 1, protocol: 'http2' });
    second.local.stop();
  });
});
