import { afterEach, describe, expect, it } from 'vitest';
import { isTtlCheck, type CheckRunner } from './runner.js';
import { startCheck, startTtlCheck } from './start.js';
import { sleep, UpdateCollector } from './testing/collector.js';

const runners: CheckRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.stop();
});

describe('ttl check', () => {
  it('turns critical with "TTL expired" when nothing reports', async () => {
    const c = new UpdateCollector();
    runners.push(startTtlCheck({ TTL: '100ms' }, { onUpdate: c.onUpdate }));
    expect(await c.nth(1)).toEqual({ status: 'critical', output: 'TTL expired' });
  });

  it('pass/warn/fail/update set status and output, and expiry quotes the last output', async () => {
    const c = new UpdateCollector();
    const runner = startCheck({ TTL: '150ms' }, { onUpdate: c.onUpdate });
    runners.push(runner);
    expect(isTtlCheck(runner)).toBe(true);
    if (!isTtlCheck(runner)) return;
    runner.pass('all good');
    runner.warn();
    runner.update('passing', 'disk 40%');
    expect(c.updates).toEqual([
      { status: 'passing', output: 'all good' },
      { status: 'warning', output: '' },
      { status: 'passing', output: 'disk 40%' },
    ]);
    expect(await c.nth(4)).toEqual({
      status: 'critical',
      output: 'TTL expired (last output before timeout follows): disk 40%',
    });
    runner.fail('down');
    expect(c.updates[4]).toEqual({ status: 'critical', output: 'down' });
  });

  it('each update restarts the timer', async () => {
    const c = new UpdateCollector();
    const runner = startTtlCheck({ TTL: '200ms' }, { onUpdate: c.onUpdate });
    runners.push(runner);
    for (let i = 0; i < 4; i += 1) {
      runner.pass(`beat ${i}`);
      await sleep(80);
    }
    expect(c.updates.every((u) => u.status === 'passing')).toBe(true);
    expect((await c.nth(5)).output).toBe('TTL expired (last output before timeout follows): beat 3');
  });

  it('truncates long output as Consul does', () => {
    const c = new UpdateCollector();
    const runner = startTtlCheck({ TTL: '10s', OutputMaxSize: 5 }, { onUpdate: c.onUpdate });
    runners.push(runner);
    runner.update('warning', '0123456789');
    expect(c.updates[0]).toEqual({ status: 'warning', output: '01234 ... (captured 5 of 10 bytes)' });
  });

  it('does not report after stop()', async () => {
    const c = new UpdateCollector();
    const runner = startTtlCheck({ TTL: '50ms' }, { onUpdate: c.onUpdate });
    runner.stop();
    runner.pass('late');
    await sleep(150);
    expect(c.updates).toEqual([]);
  });

  it('refuses a non-ttl definition', () => {
    expect(() => startTtlCheck({ TCP: '127.0.8.3:1', Interval: '1s' }, { onUpdate: () => undefined })).toThrow(
      'not a TTL check: tcp',
    );
  });
});
