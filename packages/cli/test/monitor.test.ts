/**
 * `proconsul monitor` against a real agent (127.0.2.27): lines from the asked level as they are
 * written, exit 0 on SIGINT, and Consul's message and exit 1 when the agent goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, startAgent, type AgentProcess } from '@proconsul/testing';

const bin = resolve(repoRoot, 'packages/cli/bin/proconsul.js');
const agents: AgentProcess[] = [];
afterAll(async () => {
  for (const a of agents) await a.stop();
});

interface Monitor {
  child: ChildProcess;
  stdout(): string;
  exited: Promise<number | null>;
}

function startMonitor(agent: AgentProcess, args: string[]): Monitor {
  const child = spawn(process.execPath, [bin, 'monitor', ...args], { env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: agent.httpAddr } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stdout: () => out, exited };
}

async function until(cond: () => boolean, what: string, act: () => Promise<unknown> = async () => undefined): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (cond()) return;
    await act();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Each call registers a new service: anti-entropy writes it and logs that at DEBUG. */
function registrations(agent: AgentProcess): () => Promise<Response> {
  let i = 0;
  return () => fetch(`${agent.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'm', ID: `m${i++}`, Port: 1 }) });
}

describe('monitor', () => {
  it('streams DEBUG lines the agent does not log at its INFO level, and exits 0 on SIGINT', async () => {
    const agent = await startAgent({ ip: '127.0.2.27' });
    agents.push(agent);
    const m = startMonitor(agent, ['-log-level=debug']);
    const register = registrations(agent);
    await until(() => m.stdout().includes('[DEBUG]'), 'a DEBUG line', register);
    expect(m.stdout().split('\n').find((l) => l.includes('[DEBUG]'))).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[DEBUG\] anti-entropy: /);
    m.child.kill('SIGINT');
    expect(await m.exited).toBe(0);

    const json = startMonitor(agent, ['-log-level=debug', '-log-json']);
    await until(() => json.stdout().includes('\n'), 'a JSON line', register);
    expect(JSON.parse(json.stdout().split('\n')[0]!)).toMatchObject({ '@level': 'debug', '@module': 'agent.anti-entropy' });
    json.child.kill('SIGTERM');
    expect(await json.exited).toBe(0);
  }, 60_000);

  it('says the remote side ended it, exit 1, when the agent stops; refuses an unknown level', async () => {
    const agent = await startAgent({ ip: '127.0.2.28' });
    agents.push(agent);
    const bad = startMonitor(agent, ['-log-level=loud']);
    expect(await bad.exited).toBe(1);
    expect(bad.stdout()).toBe('Error starting monitor: Unexpected response code: 400 (Unknown log level: loud)\n');
    const m = startMonitor(agent, ['-log-level=debug']);
    const register = registrations(agent);
    await until(() => m.stdout().includes('[DEBUG]'), 'the monitor attached', register);
    await agent.stop();
    expect(await m.exited).toBe(1);
    expect(m.stdout()).toMatch(/\nRemote side ended the monitor! This usually means that the\nremote side has exited or crashed.\n$/);
  }, 60_000);
});
