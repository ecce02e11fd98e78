/** startAgent against the real agent process on 127.0.10.x: ports, leader, restart on the same ports, stop. */
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '../src/index.js';

const started: AgentProcess[] = [];
afterAll(async () => {
  for (const a of started) await a.stop();
});

describe('startAgent', () => {
  it('starts a -dev agent on free ports that answers with a leader and its node name', async () => {
    const agent = await startAgent({ ip: '127.0.10.1', extraArgs: ['-log-level', 'warn'] });
    started.push(agent);
    expect(agent.httpAddr).toBe(`127.0.10.1:${agent.httpPort}`);
    expect(agent.url).toBe(`http://127.0.10.1:${agent.httpPort}`);
    expect(agent.dnsPort).not.toBe(agent.httpPort);
    expect(agent.nodeName).toBe('test-127-0-10-1');
    expect(await (await fetch(`${agent.url}/v1/status/leader`)).json()).toBe('127.0.10.1:8300');
    const self = (await (await fetch(`${agent.url}/v1/agent/self`)).json()) as { Config: { NodeName: string } };
    expect(self.Config.NodeName).toBe('test-127-0-10-1');
  });

  it('restart() brings a fresh agent back on the same ports; stop() ends it by PID', async () => {
    const agent = await startAgent({ ip: '127.0.10.2', nodeName: 'restarted' });
    started.push(agent);
    const first = agent.child;
    expect((await fetch(`${agent.url}/v1/kv/before`, { method: 'PUT', body: 'x' })).status).toBe(200);

    await agent.restart();
    expect(first.exitCode !== null || first.signalCode !== null).toBe(true);
    expect(agent.child.pid).not.toBe(first.pid);
    expect(await (await fetch(`http://127.0.10.2:${agent.httpPort}/v1/status/leader`)).json()).toBe('127.0.10.2:8300');
    // A -dev agent keeps nothing: the key written before the restart is gone.
    expect((await fetch(`${agent.url}/v1/kv/before`)).status).toBe(404);

    await agent.stop();
    expect(agent.child.exitCode !== null || agent.child.signalCode !== null).toBe(true);
    await expect(fetch(`${agent.url}/v1/status/leader`)).rejects.toThrow();
    await agent.stop(); // a second stop is a no-op
  });

  it('fails with the agent output when the agent exits instead of coming up', async () => {
    const err = await startAgent({ ip: '127.0.10.3', extraArgs: ['-no-such-flag'] }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^agent exited with 1:\n/);
    expect(err?.message).toContain('no-such-flag');
  });
});
