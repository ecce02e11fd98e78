import { describe, expect, it, vi } from 'vitest';
import { textLine } from './log.js';

describe('textLine', () => {
  it('renders a pino line as Consul text logs look', () => {
    const line = JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', component: 'agent', node: 'n 1', port: 8500, msg: 'Consul agent running!' });
    expect(textLine(line)).toBe('2026-01-01T00:00:00.000Z [INFO]  agent: Consul agent running!: node="n 1" port=8500\n');
    expect(textLine(JSON.stringify({ level: 50, time: 't', msg: 'boom', err: { message: 'bad' } }))).toBe('t [ERROR] boom: err="bad"\n');
    expect(textLine('not json')).toBe('not json');
  });
});

describe('LogTap (GET /v1/agent/monitor)', () => {
  it('hands a subscriber lines below the agent level without printing them, and stops after unsubscribe', async () => {
    const { createLoggers, LogTap, hclogJsonLine } = await import('./log.js');
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const tap = new LogTap();
      const log = createLoggers('info', undefined, false, tap);
      const seen: string[] = [];
      log.agent.debug('hidden');
      const off = tap.subscribe(20, (l) => seen.push(l));
      log.agent.debug('below');
      log.agent.info('at');
      off();
      log.agent.debug('after');
      expect(seen.map((l) => JSON.parse(l).msg)).toEqual(['below', 'at']);
      expect(printed.join('')).toMatch(/\[INFO\]  agent: at/);
      expect(printed.join('')).not.toMatch(/hidden|below|after/);
      expect(JSON.parse(hclogJsonLine(seen[0]!))).toMatchObject({ '@level': 'debug', '@message': 'below', '@module': 'agent' });
    } finally {
      spy.mockRestore();
    }
  });
});
