import { describe, expect, it } from 'vitest';
import { textLine } from './log.js';

describe('textLine', () => {
  it('renders a pino line as Consul text logs look', () => {
    const line = JSON.stringify({ level: 30, time: '2026-01-01T00:00:00.000Z', component: 'agent', node: 'n 1', port: 8500, msg: 'Consul agent running!' });
    expect(textLine(line)).toBe('2026-01-01T00:00:00.000Z [INFO]  agent: Consul agent running!: node="n 1" port=8500\n');
    expect(textLine(JSON.stringify({ level: 50, time: 't', msg: 'boom', err: { message: 'bad' } }))).toBe('t [ERROR] boom: err="bad"\n');
    expect(textLine('not json')).toBe('not json');
  });
});
