// After a CA root rotation, each new blocking leaf read draws the re-signing delay anew from its
// own start (Consul's agent/leafcert/generate.go attemptLeafRefresh: the pre-filled rootUpdateCh
// finds the leaf under an old root and sets forceExpireAfter = now + getJitteredCAChangeDelay()),
// on a real server (127.0.130.1) with a fixed `connect.test_ca_leaf_root_change_spread`.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, workDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.130.1';
const SPREAD_MS = 4_000;
const dir = workDir('connect-leaf-rejitter-');
let server: AgentProcess;

type Leaf = { SerialNumber: string; ModifyIndex: number };

const leaf = (svc: string, query = '') => http(server.base, 'GET', `/v1/agent/connect/ca/leaf/${svc}${query}`);
const activeRoot = async (): Promise<string> => ((await http(server.base, 'GET', '/v1/agent/connect/ca/roots')).json() as { ActiveRootID: string }).ActiveRootID;

beforeAll(async () => {
  const cfg = dir.config('server.json', { connect: { test_ca_leaf_root_change_spread: `${SPREAD_MS}ms` } });
  const args = ['-server', '-bootstrap', '-config-file', cfg, '-data-dir', join(dir.path, 'server'), '-bind', SERVER, '-client', SERVER, '-node', 'rejitter', '-dns-port', '-1', '-log-level', 'warn'];
  server = await startAgentProcess(args, `${SERVER}:8500`, { waitForLeader: true });
}, 120_000);

afterAll(async () => {
  await server?.kill9();
  dir.remove();
});

describe('leaf re-signing delay after a rotation', () => {
  it('is drawn anew by each blocking read, so reads shorter than the delay keep the old certificate', async () => {
    const cur = (await leaf('again')).json() as Leaf;
    const old = await activeRoot();
    // A new key size makes the leader generate a new active root.
    const put = await http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: 384 } }));
    expect(put.status, put.text).toBe(200);
    await eventually(async () => ((await activeRoot()) !== old ? true : undefined), 'the agent to see the new root');
    // Six reads of 1 s, one after the other (6 s > the 4 s delay): each starts the delay again,
    // so none reaches the re-signing (keeping the first delay re-signs during the fourth).
    for (let i = 0; i < 6; i++) {
      const r = await leaf('again', `?index=${cur.ModifyIndex}&wait=1s`);
      expect([i, r.status, (r.json() as Leaf).SerialNumber]).toEqual([i, 200, cur.SerialNumber]);
    }
    // A read that waits long enough is re-signed when the delay drawn by the previous read ends.
    const t0 = Date.now();
    const r = await leaf('again', `?index=${cur.ModifyIndex}&wait=30s`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - t0).toBeLessThan(SPREAD_MS + 10_000);
    expect([r.status, (r.json() as Leaf).SerialNumber === cur.SerialNumber]).toEqual([200, false]);
  }, 60_000);
});
