import { describe, expect, it } from 'vitest';
import { lanConfig, pushPullIntervalMs, retransmitLimit, suspicionTimeoutMs, validateConfig, wanConfig } from './config.js';

describe('config formulas (memberlist util_test.go cases)', () => {
  it('suspicion timeout scales with log10(n) and never below one unit', () => {
    expect(suspicionTimeoutMs(3, 1, 1000)).toBe(3000);
    expect(suspicionTimeoutMs(3, 10, 1000)).toBe(3000);
    expect(suspicionTimeoutMs(3, 50, 1000)).toBe(5096);
    expect(suspicionTimeoutMs(3, 100, 1000)).toBe(6000);
    expect(suspicionTimeoutMs(3, 1000, 1000)).toBe(9000);
    expect(suspicionTimeoutMs(4, 10_000, 500)).toBe(8000);
  });

  it('retransmit limit is mult * ceil(log10(n + 1))', () => {
    expect(retransmitLimit(3, 0)).toBe(0);
    expect(retransmitLimit(3, 1)).toBe(3);
    expect(retransmitLimit(3, 99)).toBe(6);
    expect(retransmitLimit(4, 10_000)).toBe(20);
  });

  it('push-pull interval grows past 32 members', () => {
    expect(pushPullIntervalMs(1000, 1)).toBe(1000);
    expect(pushPullIntervalMs(1000, 32)).toBe(1000);
    expect(pushPullIntervalMs(1000, 33)).toBe(2000);
    expect(pushPullIntervalMs(1000, 64)).toBe(2000);
    expect(pushPullIntervalMs(1000, 65)).toBe(3000);
    expect(pushPullIntervalMs(1000, 1024)).toBe(6000);
  });

  it('validates settings', () => {
    expect(() => validateConfig(lanConfig())).not.toThrow();
    expect(() => validateConfig(wanConfig())).not.toThrow();
    expect(() => validateConfig({ ...lanConfig(), probeTimeoutMs: 500, probeIntervalMs: 400 })).toThrow(/probeTimeoutMs/);
    expect(() => validateConfig({ ...lanConfig(), gossipIntervalMs: 0 })).toThrow(/gossipIntervalMs/);
    expect(() => validateConfig({ ...lanConfig(), packetBytesMax: 100 })).toThrow(/packetBytesMax/);
  });

  it('WAN is slower than LAN', () => {
    expect(wanConfig().probeIntervalMs).toBeGreaterThan(lanConfig().probeIntervalMs);
    expect(wanConfig().suspicionMult).toBeGreaterThan(lanConfig().suspicionMult);
  });
});
