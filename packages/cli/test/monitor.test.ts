/**
 * `proconsul monitor` against a real agent (127.0.2.27): lines from the asked level as they are
 * written, exit 0 on SIGINT, and Consul's message and exit 1 when the agent goes away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, startAgent, waitFor, type AgentProcess } from '@proconsul/testing';

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

/** Waits for `seen()`, registering a service (`register`) between looks to make the agent log. */
function loggedWhile(seen: () => boolean, register: () => Promise<unknown>, what: string): Promise<boolean> {
  return waitFor(async () => seen() || (await register(), false), what, 10_000, 100);
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
    await loggedWhile(() => m.stdout().includes('[DEBUG]'), register, 'a DEBUG line');
    const lines = m.stdout().split('\n');
    expect(lines.find((l) => l.includes('[DEBUG]'))).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[DEBUG\] anti-entropy: /);
    expect(lines).toContainEqual(expect.stringMatching(/ \[INFO\]  agent: Synced service: service=m\d+$/));
    m.child.kill('SIGINT');
    expect(await m.exited).toBe(0);

    const json = startMonitor(agent, ['-log-level=debug', '-log-json']);
    await loggedWhile(() => json.stdout().includes('"@level":"debug"'), register, 'a JSON DEBUG line');
    const records = json.stdout().split('\n').slice(0, -1).map((l) => JSON.parse(l) as unknown); // whole lines only
    expect(records).toContainEqual(expect.objectContaining({ '@level': 'debug', '@module': 'agent.anti-entropy' }));
    expect(records).toContainEqual(expect.objectContaining({ '@level': 'info', '@module': 'agent', '@message': 'Synced service' }));
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
    await loggedWhile(() => m.stdout().includes('[DEBUG]'), register, 'the monitor attached');
    await agent.stop();
    expect(await m.exited).toBe(1);
    expect(m.stdout()).toMatch(/\nRemote side ended the monitor! This usually means that the\nremote side has exited or crashed.\n$/);
  }, 60_000);
});
