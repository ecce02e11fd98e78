// A single server (-server -bootstrap -data-dir) keeps every acknowledged write across a
// kill -9 of the real process: the command log is fsynced before a write is answered.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readArchive } from '../src/snapshot/archive.js';
import { http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.1.12';
const dir = tempDir('proconsul-durability-');
const args = ['-server', '-bootstrap', '-data-dir', dir.path, '-client', IP, '-bind', IP, '-node', 'dur', '-dns-port', '-1'];
let agent: AgentProcess | undefined;

afterAll(async () => {
  await agent?.kill9();
  dir.remove();
});

describe('durable single server', () => {
  it('keeps acknowledged writes and local services across kill -9', async () => {
    agent = await startAgentProcess(args, `${IP}:8500`);
    const nodeId = (await http(agent.base, 'GET', '/v1/agent/self')).json().Config.NodeID;
    const reg = await http(agent.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ ID: 'db1', Name: 'db', Port: 5432, Tags: ['primary'] }));
    expect(reg.status).toBe(200);

    // Many concurrent writes: group commit batches them; each answer means "on disk".
    const acked = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const r = await http(agent!.base, 'PUT', `/v1/kv/durable/k${i}`, `value-${i}`);
        if (r.status === 200 && r.json() === true) acked.set(`durable/k${i}`, `value-${i}`);
      }),
    );
    expect(acked.size).toBe(100);

    // More writes in flight while the process is killed: only the acknowledged ones are promised.
    const inflight = Array.from({ length: 200 }, (_, i) =>
      http(agent!.base, 'PUT', `/v1/kv/inflight/k${i}`, `v${i}`)
        .then((r) => (r.status === 200 && r.json() === true ? `inflight/k${i}` : undefined))
        .catch(() => undefined),
    );
    await new Promise((r) => setTimeout(r, 20));
    await agent.kill9();
    const inflightAcked = (await Promise.all(inflight)).filter((k): k is string => k !== undefined);

    agent = await startAgentProcess(args, `${IP}:8500`);
    const all = await http(agent.base, 'GET', '/v1/kv/?recurse');
    expect(all.status).toBe(200);
    const stored = new Map<string, string>(
      all.json().map((e: { Key: string; Value: string }) => [e.Key, Buffer.from(e.Value, 'base64').toString()]),
    );
    for (const [k, v] of acked) expect(stored.get(k)).toBe(v);
    for (const k of inflightAcked) expect(stored.has(k)).toBe(true);

    // The node keeps its ID; the agent still owns its service and the catalog has it.
    expect((await http(agent.base, 'GET', '/v1/agent/self')).json().Config.NodeID).toBe(nodeId);
    expect(Object.keys((await http(agent.base, 'GET', '/v1/agent/services')).json())).toEqual(['db1']);
    const svc = (await http(agent.base, 'GET', '/v1/catalog/service/db')).json();
    expect(svc.map((s: { ServiceID: string; ServiceTags: string[] }) => [s.ServiceID, s.ServiceTags])).toEqual([['db1', ['primary']]]);

    // A second agent on the same data dir is refused while this one runs.
    const second = spawnSync(process.execPath, [RUN_JS, '-server', '-bootstrap', '-data-dir', dir.path, '-client', '127.0.1.15', '-bind', '127.0.1.15', '-dns-port', '-1'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('in use by another agent');

    // Writes continue after recovery with higher indexes.
    const before = Number(all.headers.get('x-consul-index'));
    expect((await http(agent.base, 'PUT', '/v1/kv/after', 'restart')).json()).toBe(true);
    const after = await http(agent.base, 'GET', '/v1/kv/after');
    expect(Number(after.headers.get('x-consul-index'))).toBeGreaterThan(before);

    // A graceful stop exits 0.
    expect(await agent.stop()).toBe(0);
    agent = undefined;
  });
});

describe('snapshot save and restore', () => {
  it('restores a saved archive, durably, and refuses a damaged one', async () => {
    const ip = '127.0.1.14';
    const d = tempDir('proconsul-snapshot-');
    const a = ['-server', '-bootstrap', '-data-dir', d.path, '-client', ip, '-bind', ip, '-node', 'snap', '-dns-port', '-1'];
    let s = await startAgentProcess(a, `${ip}:8500`);
    try {
      await http(s.base, 'PUT', '/v1/kv/snap/one', '1');
      const saved = await fetch(`${s.base}/v1/snapshot`);
      expect(saved.status).toBe(200);
      expect(saved.headers.get('content-type')).toBe('application/x-gzip');
      const archive = Buffer.from(await saved.arrayBuffer());
      await http(s.base, 'PUT', '/v1/kv/snap/two', '2');
      await http(s.base, 'DELETE', '/v1/kv/snap/one');

      const damaged = Buffer.from(archive);
      damaged[damaged.length - 20] = damaged[damaged.length - 20]! ^ 0xff;
      expect((await http(s.base, 'PUT', '/v1/snapshot', damaged)).status).toBe(500);
      expect((await http(s.base, 'GET', '/v1/kv/snap/two')).status).toBe(200);

      const restored = await http(s.base, 'PUT', '/v1/snapshot', archive);
      expect(restored.status).toBe(200);
      const keys = async (): Promise<string[]> => (await http(s.base, 'GET', '/v1/kv/snap/?keys')).json();
      expect(await keys()).toEqual(['snap/one']);
      // The node is still registered and writes go on.
      expect((await http(s.base, 'GET', '/v1/catalog/services')).json()).toHaveProperty('consul');
      expect((await http(s.base, 'PUT', '/v1/kv/snap/three', '3')).json()).toBe(true);

      await s.kill9();
      s = await startAgentProcess(a, `${ip}:8500`);
      expect(await keys()).toEqual(['snap/one', 'snap/three']);

      // The archive's meta names the index and the Raft term of the entry it was taken at: the
      // restart elected this server again in a later term, and this write is of that term.
      expect((await http(s.base, 'PUT', '/v1/kv/snap/four', '4')).json()).toBe(true);
      const again = readArchive(Buffer.from(await (await fetch(`${s.base}/v1/snapshot`)).arrayBuffer())).meta;
      const raft = (await http(s.base, 'GET', '/v1/agent/self')).json().Stats.raft;
      expect(again.Term).toBe(Number(raft.last_log_term));
      expect(again.Term).toBeGreaterThan(readArchive(archive).meta.Term);
      expect(again.ID).toMatch(new RegExp(`^${again.Term}-${again.Index}-\\d+$`));
    } finally {
      await s.kill9();
      d.remove();
    }
  });
});
