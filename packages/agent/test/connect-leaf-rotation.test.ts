// Leaf certificates after a CA root rotation, on real processes (127.0.127.1 server, .2 client):
// a blocking leaf read is not re-signed at once but at a random point of the next 30 s
// (Consul's agent/leafcert/generate.go caChangeJitterWindow), or after the fixed
// `connect.test_ca_leaf_root_change_spread`; while one waits, a plain read serves the kept
// certificate (certNeedsUpdate's "refreshing"); with none waiting, a plain read re-signs at once
// (MustRevalidate).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, workDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.127.1';
const CLIENT = '127.0.127.2';
/** The server agent's own fixed spread (its client agent keeps the random one). */
const SPREAD_MS = 4_000;
const dir = workDir('connect-leaf-rotation-');
let server: AgentProcess;
let client: AgentProcess;

type Leaf = { SerialNumber: string; ModifyIndex: number };
type Roots = { ActiveRootID: string };

const leaf = (a: AgentProcess, svc: string, query = '') => http(a.base, 'GET', `/v1/agent/connect/ca/leaf/${svc}${query}`);
const activeRoot = async (a: AgentProcess): Promise<string> => ((await http(a.base, 'GET', '/v1/agent/connect/ca/roots')).json() as Roots).ActiveRootID;
let bits = 256;
/** A new key size makes the leader generate a new active root. */
const rotate = () => http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: (bits = bits === 256 ? 384 : 256) } }));

async function start(ip: string, args: string[], waitForLeader: boolean): Promise<AgentProcess> {
  return startAgentProcess(['-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', `n-${ip}`, '-dns-port', '-1', '-log-level', 'warn', ...args], `${ip}:8500`, { waitForLeader });
}

beforeAll(async () => {
  const cfg = dir.config('server.json', { connect: { test_ca_leaf_root_change_spread: `${SPREAD_MS}ms` } });
  server = await start(SERVER, ['-server', '-bootstrap', '-config-file', cfg], true);
  client = await start(CLIENT, ['-retry-join', SERVER, '-retry-interval', '1s'], false);
  await eventually(async () => ((await activeRoot(client)) !== '' ? true : undefined), 'the client to see the CA roots', 200);
}, 120_000);

afterAll(async () => {
  await client?.kill9();
  await server?.kill9();
  dir.remove();
});

describe('leaf certificates after a root rotation', () => {
  it('a blocking read is re-signed after the configured spread; a plain read meanwhile serves the kept one', async () => {
    const cur = (await leaf(server, 'api')).json() as Leaf;
    const old = await activeRoot(server);
    const t0 = Date.now();
    const blocked = leaf(server, 'api', `?index=${cur.ModifyIndex}&wait=60s`).then((r) => ({ r, at: Date.now() }));
    await sleep(300);
    const put = await rotate();
    expect(put.status, put.text).toBe(200);
    await eventually(async () => ((await activeRoot(server)) !== old ? true : undefined), 'the agent to see the new root');
    // Within the spread, with the blocking read waiting: the kept certificate, served from the cache.
    await sleep(1_000);
    const during = await leaf(server, 'api');
    expect([during.headers.get('x-cache'), (during.json() as Leaf).SerialNumber]).toEqual(['HIT', cur.SerialNumber]);
    const { r: woke, at } = await blocked;
    // The rotation was seen after t0 + 300 ms: the re-signing waits the spread from then.
    expect(at - t0).toBeGreaterThanOrEqual(SPREAD_MS + 300);
    expect(at - t0).toBeLessThan(SPREAD_MS + 15_000);
    const fresh = woke.json() as Leaf;
    expect([woke.status, woke.headers.get('x-cache')]).toEqual([200, 'MISS']);
    expect(fresh.SerialNumber).not.toBe(cur.SerialNumber);
    expect(fresh.ModifyIndex).toBeGreaterThan(cur.ModifyIndex);
    const again = await leaf(server, 'api');
    expect([again.headers.get('x-cache'), (again.json() as Leaf).SerialNumber]).toEqual(['HIT', fresh.SerialNumber]);
  }, 60_000);

  it('with no blocking read waiting, a plain read after a rotation re-signs at once', async () => {
    const cur = (await leaf(server, 'plain')).json() as Leaf;
    const old = await activeRoot(server);
    expect((await rotate()).status).toBe(200);
    await eventually(async () => ((await activeRoot(server)) !== old ? true : undefined), 'the agent to see the new root');
    const t0 = Date.now();
    const r = await leaf(server, 'plain');
    expect(Date.now() - t0).toBeLessThan(SPREAD_MS);
    expect([r.status, r.headers.get('x-cache')]).toEqual([200, 'MISS']);
    expect((r.json() as Leaf).SerialNumber).not.toBe(cur.SerialNumber);
  }, 60_000);

  it('blocking reads on an agent without the override are re-signed at random points of the 30 s window', async () => {
    const services = ['w1', 'w2', 'w3', 'w4', 'w5'];
    const cur = new Map<string, Leaf>();
    for (const s of services) cur.set(s, (await leaf(client, s)).json() as Leaf);
    const waits = services.map((s) => leaf(client, s, `?index=${cur.get(s)!.ModifyIndex}&wait=60s`).then((r) => ({ s, r, at: Date.now() })));
    await sleep(300);
    const t0 = Date.now();
    expect((await rotate()).status).toBe(200);
    const woke = await Promise.all(waits);
    const after = woke.map((w) => w.at - t0);
    for (const w of woke) expect((w.r.json() as Leaf).SerialNumber, w.s).not.toBe(cur.get(w.s)!.SerialNumber);
    // Uniform in [0, 30 s) plus the signing: five draws all within one second of each other
    // have a chance of about 6e-6; a renewal at once puts them all there.
    expect(Math.max(...after) - Math.min(...after), after.join(',')).toBeGreaterThan(1_000);
    expect(Math.max(...after), after.join(',')).toBeLessThan(40_000);
  }, 90_000);
});
