import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import { DEFAULT_AUTOPILOT } from './autopilot.js';

describe('autopilot configuration', () => {
  it('is null until set, then replicated with CAS on ModifyIndex and kept in snapshots', () => {
    const c = new Catalog();
    expect(c.autopilotConfig().value).toBeNull();
    const config = { ...DEFAULT_AUTOPILOT, CleanupDeadServers: false, MinQuorum: 3 };
    expect(c.apply(5, { Type: 'AutopilotSet', Config: config, CAS: true, Index: 1 })).toEqual({ ok: true, value: false });
    expect(c.apply(6, { Type: 'AutopilotSet', Config: config, CAS: true, Index: 0 })).toEqual({ ok: true, value: true });
    expect(c.autopilotConfig()).toMatchObject({ index: 6, value: { ...config, CreateIndex: 6, ModifyIndex: 6 } });
    expect(c.apply(7, { Type: 'AutopilotSet', Config: { ...config, MinQuorum: 5 }, CAS: true, Index: 5 }).value).toBe(false);
    expect(c.apply(8, { Type: 'AutopilotSet', Config: { ...config, MinQuorum: 5 } }).value).toBe(true);
    expect(c.autopilotConfig().value).toMatchObject({ MinQuorum: 5, CreateIndex: 6, ModifyIndex: 8 });
    const copy = Catalog.fromSnapshot(c.snapshot());
    expect(copy.autopilotConfig().value).toEqual(c.autopilotConfig().value);
    // A snapshot from before the field existed restores to the defaults.
    const { Autopilot: _a, ...old } = c.snapshot();
    expect(Catalog.fromSnapshot(old).autopilotConfig().value).toBeNull();
  });
});
