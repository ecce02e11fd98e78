// Two agents on different loopback addresses with the default ports run side by side;
// -bind/-client pick the addresses; -pid-file is written and removed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dig, eventually, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const dir = tempDir('proconsul-sbs-');
const agents: AgentProcess[] = [];

afterAll(async () => {
  for (const a of agents) await a.kill9();
  dir.remove();
});

describe('agent process', () => {
  it('exits 1 with one line on stderr for a bad flag', () => {
    const r = spawnSync(process.execPath, [RUN_JS, '-dev', '-no-such-flag'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no-such-flag');
  });
});

describe('two agents side by side', () => {
  it('run on 127.0.1.2 and 127.0.1.3 with default ports', async () => {
    for (const [ip, node] of [['127.0.1.2', 'alpha'], ['127.0.1.3', 'beta']] as const) {
      agents.push(
        await startAgentProcess(['-dev', '-bind', ip, '-client', ip, '-node', node, '-pid-file', join(dir.path, `${node}.pid`)], `${ip}:8500`),
      );
    }
    const [a, b] = agents as [AgentProcess, AgentProcess];
    expect((await http(a.base, 'GET', '/v1/status/leader')).json()).toBe('127.0.1.2:8300');
    expect((await http(b.base, 'GET', '/v1/status/peers')).json()).toEqual(['127.0.1.3:8300']);
    expect((await http(a.base, 'GET', '/v1/agent/self')).json().Config.NodeName).toBe('alpha');
    expect((await http(b.base, 'GET', '/v1/agent/members')).json().map((m: { Name: string; Addr: string }) => [m.Name, m.Addr])).toEqual([['beta', '127.0.1.3']]);
    // Each keeps its own state.
    await http(a.base, 'PUT', '/v1/kv/who', 'alpha');
    expect((await http(b.base, 'GET', '/v1/kv/who')).status).toBe(404);
    // DNS on each client address answers for its own node.
    await eventually(async () => dig('127.0.1.3', 8600, 'beta.node.consul', 'A')[0] === '127.0.1.3', 'beta node A record');
    expect(dig('127.0.1.2', 8600, 'alpha.node.consul', 'A')).toEqual(['127.0.1.2']);

    expect(readFileSync(join(dir.path, 'alpha.pid'), 'utf8').trim()).toBe(String(a.proc.pid));
    // A graceful stop does not wait for a pending blocking query, and exits 0.
    const index = (await http(a.base, 'GET', '/v1/catalog/services')).headers.get('x-consul-index');
    const pending = http(a.base, 'GET', `/v1/catalog/services?index=${index}&wait=5m`).catch((err: Error) => err);
    expect(await a.stop()).toBe(0);
    await pending;
    expect(existsSync(join(dir.path, 'alpha.pid'))).toBe(false);
  });
});
