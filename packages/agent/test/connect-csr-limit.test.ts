// The leader's CSR rate limit on a real server (127.0.121.3, connect.ca_config.csr_max_per_second
// = 0.2): a burst of new leaf certificates gets one signed and Consul's 429 "Rate limit reached,
// try again later" for the rest (agent/consul/leader_connect_ca.go SignCertificate, agent/http.go
// isTooManyRequests); after a root rotation, a renewal that is refused serves the kept
// certificate instead of failing (agent/leafcert generateNewLeaf).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, tempDir, workDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.121.3';
const dir = workDir('connect-csr-limit-');
let server: AgentProcess;
// One token every 5 s: a request is refused unless it comes 4.5 s after the last signing, so
// the burst below is refused even when a loaded machine spreads it over seconds.
const BUCKET_MS = 5_100;

type Leaf = { SerialNumber: string; Service: string };
const leaf = (svc: string) => http(server.base, 'GET', `/v1/agent/connect/ca/leaf/${svc}`);
const activeRoot = async (): Promise<string> => ((await http(server.base, 'GET', '/v1/agent/connect/ca/roots')).json() as { ActiveRootID: string }).ActiveRootID;

beforeAll(async () => {
  const cfg = dir.config('server.json', { connect: { ca_config: { csr_max_per_second: 0.2 } } });
  server = await startAgentProcess(
    ['-server', '-bootstrap', '-data-dir', join(dir.path, 'data'), '-bind', SERVER, '-client', SERVER, '-node', 's1', '-dns-port', '-1', '-log-level', 'warn', '-config-file', cfg],
    `${SERVER}:8500`,
  );
  await eventually(async () => ((await activeRoot()) !== '' ? true : undefined), 'the CA roots', 200);
}, 120_000);

afterAll(async () => {
  await server?.kill9();
  dir.remove();
});

describe('CSRMaxPerSecond', () => {
  it('the configuration carries it; a burst of new leaves gets one signed and 429s', async () => {
    const conf = (await http(server.base, 'GET', '/v1/connect/ca/configuration')).json() as { Config: Record<string, unknown> };
    expect(conf.Config['CSRMaxPerSecond']).toBe(0.2);
    await sleep(BUCKET_MS); // a full bucket
    const rs = await Promise.all(['s1', 's2', 's3'].map(leaf));
    const statuses = rs.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 429, 429]);
    for (const r of rs.filter((x) => x.status === 429)) expect(r.text).toBe('Rate limit reached, try again later');
  }, 60_000);

  it('a refused renewal after a root rotation serves the kept certificate', async () => {
    await sleep(BUCKET_MS);
    expect((await leaf('a')).status).toBe(200);
    await sleep(BUCKET_MS);
    expect((await leaf('b')).status).toBe(200);
    const before = { a: ((await leaf('a')).json() as Leaf).SerialNumber, b: ((await leaf('b')).json() as Leaf).SerialNumber };

    const oldRoot = await activeRoot();
    await sleep(BUCKET_MS);
    const rotate = await http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: 384, CSRMaxPerSecond: 0.2 } }));
    expect(rotate.status, rotate.text).toBe(200);
    await eventually(async () => ((await activeRoot()) !== oldRoot ? true : undefined), 'the agent to see the new root', 100);

    // Both are due (new root); the bucket has one token: one is re-signed, the other keeps its cert.
    const [ra, rb] = await Promise.all([leaf('a'), leaf('b')]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const after = { a: (ra.json() as Leaf).SerialNumber, b: (rb.json() as Leaf).SerialNumber };
    const renewed = (['a', 'b'] as const).filter((s) => after[s] !== before[s]);
    expect(renewed).toHaveLength(1);
    const kept = renewed[0] === 'a' ? 'b' : 'a';
    expect(after[kept]).toBe(before[kept]);
  }, 90_000);
});
