import { describe, expect, it } from 'vitest';
import { runCommand } from './command.js';

describe('runCommand', () => {
  it('runs a string through sh -c and captures its output', async () => {
    const r = await runCommand('echo out; echo err >&2; exit 3', 5000);
    expect(r).toMatchObject({ code: 3, ok: false, timedOut: false });
    expect(r.output).toContain('out');
    expect(r.output).toContain('err');
  });
  it('runs a list without a shell', async () => {
    const r = await runCommand(['printf', '%s', 'a b;c'], 5000);
    expect(r).toMatchObject({ ok: true, output: 'a b;c' });
  });
  it('kills the whole process group on timeout', async () => {
    const r = await runCommand('sleep 30 & sleep 30; echo never', 300);
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.output).not.toContain('never');
  });
});
