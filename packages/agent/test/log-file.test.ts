// -log-file on a real agent (127.0.66.52): the log goes to <dir>/consul.log as well as stdout,
// and a path that cannot be opened refuses the start.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.66.52';
const dir = tempDir('proconsul-log-file-');
let agent: AgentProcess | undefined;

afterAll(async () => {
  await agent?.stop();
  dir.remove();
});

describe('-log-file', () => {
  it('writes the log to consul.log in a directory path, as stdout gets it', async () => {
    const logs = join(dir.path, 'logs');
    mkdirSync(logs);
    agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-dns-port', '-1', '-log-file', `${logs}/`, '-log-rotate-max-files', '3'], `${IP}:8500`);
    await vi.waitFor(() => expect(readFileSync(join(logs, 'consul.log'), 'utf8')).toContain('[INFO]  agent: Consul agent running!'), { timeout: 10_000, interval: 100 });
    expect(agent.output()).toContain('[INFO]  agent: Consul agent running!');
    await agent.stop();
    agent = undefined;
    expect(readFileSync(join(logs, 'consul.log'), 'utf8')).toContain('agent shut down');
  });

  it('refuses to start when the file cannot be opened', () => {
    const r = spawnSync(process.execPath, [RUN_JS, '-dev', '-client', IP, '-bind', IP, '-dns-port', '-1', '-log-file', join(dir.path, 'no-such-dir', 'x.log')], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('Failed to setup logging: ');
  });
});
