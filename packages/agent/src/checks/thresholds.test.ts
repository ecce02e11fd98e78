import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startCheck } from './start.js';
import { StatusHandler } from './thresholds.js';
import { UpdateCollector } from './testing/collector.js';
import type { CheckStatus } from './types.js';

function run(thresholds: ConstructorParameters<typeof StatusHandler>[0], results: CheckStatus[]): string[] {
  const out: string[] = [];
  const handler = new StatusHandler(thresholds, (status) => out.push(status));
  for (const r of results) handler.update(r, '');
  return out;
}

describe('StatusHandler', () => {
  it('passes everything through with zero thresholds', () => {
    expect(run({ successBeforePassing: 0, failuresBeforeWarning: 0, failuresBeforeCritical: 0 }, ['critical', 'passing', 'warning'])).toEqual([
      'critical',
      'passing',
      'warning',
    ]);
  });

  it('needs SuccessBeforePassing consecutive successes; a warning counts as one', () => {
    expect(
      run({ successBeforePassing: 3, failuresBeforeWarning: 0, failuresBeforeCritical: 0 }, [
        'passing',
        'warning',
        'critical',
        'passing',
        'passing',
        'passing',
      ]),
    ).toEqual(['critical', 'passing']);
  });

  it('goes warning after FailuresBeforeWarning and critical after FailuresBeforeCritical', () => {
    expect(
      run({ successBeforePassing: 0, failuresBeforeWarning: 1, failuresBeforeCritical: 3 }, [
        'critical',
        'critical',
        'critical',
        'passing',
        'critical',
      ]),
    ).toEqual(['warning', 'warning', 'critical', 'passing', 'warning']);
  });
});

describe('thresholds on a running check', () => {
  it('hold a flapping HTTP endpoint at its last settled status', async () => {
    let healthy = true;
    const server = http.createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.8.4', resolve));
    const url = `http://127.0.8.4:${(server.address() as AddressInfo).port}/`;
    const c = new UpdateCollector();
    let probes = 0;
    const runner = startCheck(
      {
        kind: 'http',
        intervalMs: 20,
        timeoutMs: 1_000,
        ttlMs: 0,
        deregisterCriticalServiceAfterMs: 0,
        successBeforePassing: 2,
        failuresBeforeWarning: 3,
        failuresBeforeCritical: 3,
        outputMaxSize: 0,
        http: { url, method: 'GET', header: {}, body: '', tlsSkipVerify: false, tlsServerName: '', disableRedirects: false },
      },
      {
        initialDelayMs: 0,
        onUpdate: c.onUpdate,
        logger: { debug: () => (probes += 1), warn: () => undefined },
      },
    );
    try {
      // Two successes are needed before the first passing update.
      expect((await c.nth(1)).status).toBe('passing');
      expect(probes).toBeGreaterThanOrEqual(2);
      healthy = false;
      const before = probes;
      let n = 2;
      while ((await c.nth(n)).status === 'passing') n += 1;
      expect(c.updates[n - 1]?.status).toBe('critical');
      // Three failures in a row were needed.
      expect(probes - before).toBeGreaterThanOrEqual(3);
    } finally {
      runner.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
