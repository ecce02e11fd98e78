// The Connect CA roots and leaf certificates through the agent cache, on real processes
// (127.0.107.1 server, .2 client): `/v1/agent/connect/ca/roots` always answers from the
// connect-ca-root entry (MISS, then HIT with Age 0 while its blocking query runs), a blocking
// `?index` read waits on the cache, a root rotation reaches the cached roots at once, and the
// leaf answers carry Consul's X-Cache/Age from the agent's one leaf cache (agent_endpoint.go
// AgentConnectCARoots, AgentConnectCALeafCert, setCacheMeta).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.107.1';
const CLIENT = '127.0.107.2';
const dir = tempDir('connect-agent-cache-');
let server: AgentProcess;
let client: AgentProcess;

type Roots = { ActiveRootID: string; Roots: { ID: string; Active: boolean }[] };

async function start(ip: string, args: string[], waitForLeader = true): Promise<AgentProcess> {
  return startAgentProcess(['-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', `n-${ip}`, '-dns-port', '-1', '-log-level', 'warn', ...args], `${ip}:8500`, { waitForLeader });
}

/** Rotates the root: a new key type makes the leader generate a new active root. */
const rotate = (bits: number) =>
  http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: bits } }));

beforeAll(async () => {
  server = await start(SERVER, ['-server', '-bootstrap']);
  // As Consul's own tests: no 30 s spread of the re-signing after a rotation (connect-leaf-rotation.test.ts tests it).
  client = await start(CLIENT, ['-retry-join', SERVER, '-retry-interval', '1s', '-hcl', 'connect { test_ca_leaf_root_change_spread = "1ms" }'], false);
  await eventually(async () => {
    const r = await http(client.base, 'GET', '/v1/connect/ca/roots');
    return r.status === 200 && (r.json() as Roots).ActiveRootID !== '' ? true : undefined;
  }, 'the client to see the CA roots', 200);
}, 120_000);

afterAll(async () => {
  await client?.kill9();
  await server?.kill9();
  dir.remove();
});

describe('/v1/agent/connect/ca/roots through the agent cache', () => {
  it('misses once, then hits with Age 0, answering what the servers have', async () => {
    const direct = await http(client.base, 'GET', '/v1/connect/ca/roots');
    const miss = await http(client.base, 'GET', '/v1/agent/connect/ca/roots');
    expect(miss.status, miss.text).toBe(200);
    expect([miss.headers.get('x-cache'), miss.headers.get('age')]).toEqual(['MISS', null]);
    expect(miss.json()).toEqual(direct.json());
    expect(miss.headers.get('x-consul-index')).toBe(direct.headers.get('x-consul-index'));
    expect(miss.headers.get('x-consul-knownleader')).toBe('true');
    const hit = await http(client.base, 'GET', '/v1/agent/connect/ca/roots');
    expect([hit.headers.get('x-cache'), hit.headers.get('age')]).toEqual(['HIT', '0']);
    expect(hit.text).toBe(miss.text);
    // A server's own agent endpoint goes through its cache too.
    expect((await http(server.base, 'GET', '/v1/agent/connect/ca/roots')).headers.get('x-cache')).toBe('MISS');
    expect((await http(server.base, 'GET', '/v1/agent/connect/ca/roots')).headers.get('x-cache')).toBe('HIT');
  });

  it('a blocking read waits on the cache; a rotation reaches it and the cached roots at once', async () => {
    const before = await http(client.base, 'GET', '/v1/agent/connect/ca/roots');
    const index = Number(before.headers.get('x-consul-index'));
    // Nothing changes: the blocking read times out with the same index and value.
    const t0 = Date.now();
    const idle = await http(client.base, 'GET', `/v1/agent/connect/ca/roots?index=${index}&wait=1s`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect([idle.status, Number(idle.headers.get('x-consul-index')), idle.text]).toEqual([200, index, before.text]);

    let done = false;
    const blocked = http(client.base, 'GET', `/v1/agent/connect/ca/roots?index=${index}&wait=30s`).then((r) => ((done = true), r));
    await sleep(400);
    expect(done).toBe(false);
    const t1 = Date.now();
    expect((await rotate(384)).status).toBe(200);
    const woke = await blocked;
    expect(Date.now() - t1).toBeLessThan(2_000);
    expect(woke.status).toBe(200);
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);
    const rotated = woke.json() as Roots;
    expect(rotated.ActiveRootID).not.toBe((before.json() as Roots).ActiveRootID);
    // The plain read is a hit with the new root, with no wait for any expiry.
    const after = await http(client.base, 'GET', '/v1/agent/connect/ca/roots');
    expect([after.headers.get('x-cache'), after.headers.get('age'), (after.json() as Roots).ActiveRootID]).toEqual(['HIT', '0', rotated.ActiveRootID]);
  }, 60_000);

  it('a bad Cache-Control is a 400 and ?cached with ?consistent is refused, as on the other cached reads', async () => {
    const cc = await http(client.base, 'GET', '/v1/agent/connect/ca/roots', undefined, { 'Cache-Control': 'max-age=x' });
    expect([cc.status, cc.text]).toEqual([400, 'Invalid Cache-Control header.']);
    const both = await http(client.base, 'GET', '/v1/agent/connect/ca/roots?cached&consistent');
    expect([both.status, both.text]).toEqual([400, 'Cannot specify ?cached with ?consistent, conflicting semantics.']);
  });
});

describe('/v1/agent/connect/ca/leaf/:service cache meta', () => {
  it('misses when signed, then hits with its Age; a blocking read is a miss', async () => {
    const miss = await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web');
    expect(miss.status, miss.text).toBe(200);
    expect([miss.headers.get('x-cache'), miss.headers.get('age')]).toEqual(['MISS', null]);
    const leaf = miss.json() as { SerialNumber: string; ModifyIndex: number };
    expect(Number(miss.headers.get('x-consul-index'))).toBe(leaf.ModifyIndex);
    await sleep(1_600);
    const hit = await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web');
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(1);
    expect((hit.json() as { SerialNumber: string }).SerialNumber).toBe(leaf.SerialNumber);
    // Waiting for a newer certificate that does not come: the same one, not a hit.
    const blocked = await http(client.base, 'GET', `/v1/agent/connect/ca/leaf/web?index=${leaf.ModifyIndex}&wait=1s`);
    expect([blocked.status, blocked.headers.get('x-cache'), (blocked.json() as { SerialNumber: string }).SerialNumber]).toEqual([200, 'MISS', leaf.SerialNumber]);
  }, 30_000);

  it('a rotation wakes a blocking leaf read with a certificate under the new root (a miss), kept afterwards', async () => {
    const cur = (await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web')).json() as { SerialNumber: string; ModifyIndex: number };
    const blocked = http(client.base, 'GET', `/v1/agent/connect/ca/leaf/web?index=${cur.ModifyIndex}&wait=30s`);
    await sleep(400);
    const t0 = Date.now();
    expect((await rotate(256)).status).toBe(200);
    const woke = await blocked;
    expect(Date.now() - t0).toBeLessThan(5_000);
    const fresh = woke.json() as { SerialNumber: string; ModifyIndex: number };
    expect(woke.headers.get('x-cache')).toBe('MISS');
    expect(fresh.SerialNumber).not.toBe(cur.SerialNumber);
    expect(fresh.ModifyIndex).toBeGreaterThan(cur.ModifyIndex);
    const again = await http(client.base, 'GET', '/v1/agent/connect/ca/leaf/web');
    expect([again.headers.get('x-cache'), (again.json() as { SerialNumber: string }).SerialNumber]).toEqual(['HIT', fresh.SerialNumber]);
  }, 60_000);
});
