// Registrator's etcd, skydns2, zookeeper and consulkv backends against the real Docker engine,
// real etcd 3.4 (v2 keys API) and ZooKeeper servers and a real agent: the key layouts and values
// of gliderlabs/registrator (etcd/etcd.go, skydns2/skydns2.go, zookeeper/zookeeper.go,
// consulkv/consulkv.go), TTL and refresh, removal on stop, dangling-key cleanup on resync.
import { createClient, type Client } from 'node-zookeeper-client';
import { startAgent, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseOptions, startRegistrator, type Registrator } from '../src/index.js';
import { startEtcd, startZookeeper, type Server } from './backends.js';
import { docker, ensureBaseImage, removeTestContainers, runContainer } from './harness.js';

const HOST = 'regback-host';
let etcd: Server;
let zookeeper: Server;
let agent: AgentProcess;
let registrator: Registrator | undefined;
const log = { info: () => {}, error: () => {} };

beforeAll(async () => {
  ensureBaseImage();
  await removeTestContainers();
  [etcd, zookeeper, agent] = await Promise.all([
    startEtcd('127.0.109.1'),
    startZookeeper('127.0.109.2'),
    startAgent({ ip: '127.0.109.3', extraArgs: ['-log-level', 'warn'], timeoutMs: 30_000 }),
  ]);
}, 600_000);

afterEach(async () => {
  await registrator?.stop();
  registrator = undefined;
  await removeTestContainers();
});

afterAll(async () => {
  await Promise.all([etcd?.stop(), zookeeper?.stop(), agent?.stop()]);
});

async function start(flags: string[], uri: string): Promise<Registrator> {
  registrator = await startRegistrator(parseOptions([...flags, uri]), { hostname: HOST, log });
  return registrator;
}

interface EtcdNode { key: string; value?: string; ttl?: number }
/** A key as etcd has it, or undefined. */
async function etcdKey(key: string): Promise<EtcdNode | undefined> {
  const res = await fetch(`http://${etcd.address}/v2/keys${key.split('/').map(encodeURIComponent).join('/')}`);
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return ((await res.json()) as { node: EtcdNode }).node;
}
async function etcdPut(key: string, value: string): Promise<void> {
  const res = await fetch(`http://${etcd.address}/v2/keys${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body: new URLSearchParams({ value }) });
  expect(res.status).toBeLessThan(300);
}
async function hostPort(container: string, port: number): Promise<number> {
  return Number((await docker('port', container, `${port}/tcp`)).split('\n')[0]!.split(':').pop());
}

describe('etcd://', () => {
  it('sets <prefix>/<name>/<id> = <ip>:<port> with the -ttl, keeps it refreshed, and deletes it on stop', async () => {
    await start(['-ttl', '3', '-ttl-refresh', '1'], `etcd://${etcd.address}/services`);
    await runContainer('pcreg-etcd', ['-e', 'SERVICE_NAME=web', '-p', '127.0.0.1::80']);
    const key = `/services/web/${HOST}:pcreg-etcd:80`;
    const node = await waitFor(() => etcdKey(key), 'the etcd key', 15_000);
    expect(node.value).toBe(`127.0.0.1:${await hostPort('pcreg-etcd', 80)}`);
    expect(node.ttl).toBeGreaterThan(0);
    expect(node.ttl).toBeLessThanOrEqual(3);
    // Twice the TTL later it is still there: registrator set it again every second.
    await new Promise((r) => setTimeout(r, 6_000));
    expect((await etcdKey(key))?.value).toBe(node.value);
    await docker('stop', '-t', '1', 'pcreg-etcd');
    await waitFor(async () => (await etcdKey(key)) === undefined, 'the key to be deleted', 15_000);
  });

  it('lets the key expire when registrator is gone, and sets no TTL without -ttl', async () => {
    await start(['-ttl', '2', '-ttl-refresh', '1'], `etcd://${etcd.address}/expiry`);
    await runContainer('pcreg-expire', ['-e', 'SERVICE_NAME=expire', '-p', '127.0.0.1::80']);
    const key = `/expiry/expire/${HOST}:pcreg-expire:80`;
    await waitFor(() => etcdKey(key), 'the etcd key', 15_000);
    await registrator!.stop();
    registrator = undefined;
    await waitFor(async () => (await etcdKey(key)) === undefined, 'the key to expire', 10_000);

    await start([], `etcd://${etcd.address}/expiry`);
    const node = await waitFor(() => etcdKey(key), 'the key again', 15_000);
    expect(node.ttl).toBeUndefined();
  });

  it('with -deregister on-success, stops refreshing a crashed container\'s key so its TTL runs out', async () => {
    await start(['-deregister', 'on-success', '-ttl', '2', '-ttl-refresh', '1'], `etcd://${etcd.address}/crash`);
    await docker('run', '-d', '--name', 'pcreg-crash', '--label', 'proconsul.test=registrator', '-e', 'SERVICE_NAME=crash', '-p', '127.0.0.1::80',
      'proconsul/base:bookworm-node20', 'node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(80);setTimeout(()=>process.exit(3),3000)");
    const key = `/crash/crash/${HOST}:pcreg-crash:80`;
    await waitFor(() => etcdKey(key), 'the etcd key', 15_000);
    await waitFor(async () => (await docker('inspect', '-f', '{{.State.Running}}', 'pcreg-crash')) === 'false', 'the container to crash', 15_000);
    await waitFor(async () => (await etcdKey(key)) === undefined, 'the key to expire', 10_000);
  });

  it('removes dangling keys of this host on resync and leaves other hosts\' keys alone', async () => {
    await start([], `etcd://${etcd.address}/clean`);
    await runContainer('pcreg-live', ['-e', 'SERVICE_NAME=live', '-p', '127.0.0.1::80']);
    const live = `/clean/live/${HOST}:pcreg-live:80`;
    await waitFor(() => etcdKey(live), 'the live key', 15_000);
    const dangling = `/clean/old/${HOST}:pcreg-crashed:80`;
    const foreign = `/clean/old/other-host:pcreg-crashed:80`;
    await etcdPut(dangling, '127.0.0.1:1234');
    await etcdPut(foreign, '127.0.0.1:1235');
    await registrator!.resync();
    expect(await etcdKey(dangling)).toBeUndefined();
    expect((await etcdKey(foreign))?.value).toBe('127.0.0.1:1235');
    expect(await etcdKey(live)).toBeDefined();
  });
});

describe('skydns2://', () => {
  it('writes {"host","port"} under /skydns/<reversed domain>/<name>/<id> and deletes it on stop', async () => {
    await start([], `skydns2://${etcd.address}/cluster.local`);
    await runContainer('pcreg-sky', ['-e', 'SERVICE_NAME=redis', '-e', 'SERVICE_ID=redis-1', '-p', '127.0.0.1::80']);
    const key = '/skydns/local/cluster/redis/redis-1';
    const node = await waitFor(() => etcdKey(key), 'the skydns record', 15_000);
    expect(node.value).toBe(`{"host":"127.0.0.1","port":${await hostPort('pcreg-sky', 80)}}`);
    await docker('stop', '-t', '1', 'pcreg-sky');
    await waitFor(async () => (await etcdKey(key)) === undefined, 'the record to be deleted', 15_000);
  });
});

describe('zookeeper://', () => {
  let zk: Client;
  beforeAll(async () => {
    zk = createClient(zookeeper.address, { sessionTimeout: 5_000 });
    const connected = new Promise<void>((r) => zk.once('connected', () => r()));
    zk.connect();
    await connected;
  });
  afterAll(() => zk?.close());

  const call = <T>(op: (done: (err: unknown, v: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => op((err, v) => (err ? reject(err) : resolve(v))));
  const getData = (path: string) => call<Buffer>((done) => zk.getData(path, (err, data) => done(err, data)));
  const exists = (path: string) => call<unknown>((done) => zk.exists(path, (err, stat) => done(err, stat)));

  it('creates an ephemeral <base>/<name>/<ip>:<port> with registrator\'s JSON body, and removes it and the empty name node on stop', async () => {
    await start([], `zookeeper://${zookeeper.address}/basepath`);
    await runContainer('pcreg-zk', ['--hostname', 'zkhost', '-e', 'SERVICE_80_NAME=www', '-e', 'SERVICE_TAGS=a,b', '-e', 'SERVICE_OWNER=team', '-p', '127.0.0.1::80']);
    const port = await hostPort('pcreg-zk', 80);
    const node = `/basepath/www/127.0.0.1:${port}`;
    await waitFor(() => exists(node), 'the znode', 15_000);
    expect((await getData(node)).toString()).toBe(
      `{"Name":"www","IP":"127.0.0.1","PublicPort":${port},"PrivatePort":80,"ContainerID":"zkhost","Tags":["a","b"],"Attrs":{"owner":"team"}}`,
    );
    const stat = (await call<{ ephemeralOwner: Buffer }>((done) => zk.exists(node, (err, s) => done(err, s))));
    expect(stat.ephemeralOwner.equals(Buffer.alloc(8))).toBe(false);
    await docker('stop', '-t', '1', 'pcreg-zk');
    await waitFor(async () => !(await exists('/basepath/www')), 'the znodes to be removed', 15_000);
    expect(await exists('/basepath')).toBeTruthy();
  });

  it('loses its ephemeral znodes when registrator stops, and registers them again on start', async () => {
    await start([], `zookeeper://${zookeeper.address}/eph`);
    await runContainer('pcreg-zk2', ['-e', 'SERVICE_NAME=eph', '-p', '127.0.0.1::80']);
    const node = `/eph/eph/127.0.0.1:${await hostPort('pcreg-zk2', 80)}`;
    await waitFor(() => exists(node), 'the znode', 15_000);
    await registrator!.stop();
    registrator = undefined;
    await waitFor(async () => !(await exists(node)), 'the znode to go with the session', 15_000);
    await start([], `zookeeper://${zookeeper.address}/eph`);
    await waitFor(() => exists(node), 'the znode again', 15_000);
  });
});

describe('consulkv://', () => {
  async function kv(key: string): Promise<string | undefined> {
    const res = await fetch(`${agent.url}/v1/kv/${key}?raw`);
    if (res.status === 404) return undefined;
    expect(res.status).toBe(200);
    return res.text();
  }

  it('puts <prefix>/<name>/<id> = <ip>:<port> in the KV store, deletes it on stop, and removes dangling keys', async () => {
    await start([], `consulkv://${agent.httpAddr}/services`);
    await runContainer('pcreg-kv', ['-e', 'SERVICE_NAME=kvweb', '-p', '127.0.0.1::80']);
    const key = `services/kvweb/${HOST}:pcreg-kv:80`;
    expect(await waitFor(() => kv(key), 'the KV key', 15_000)).toBe(`127.0.0.1:${await hostPort('pcreg-kv', 80)}`);
    const dangling = `services/old/${HOST}:pcreg-crashed:80`;
    expect((await fetch(`${agent.url}/v1/kv/${dangling}`, { method: 'PUT', body: '127.0.0.1:1' })).status).toBe(200);
    await registrator!.resync();
    expect(await kv(dangling)).toBeUndefined();
    await docker('stop', '-t', '1', 'pcreg-kv');
    await waitFor(async () => (await kv(key)) === undefined, 'the key to be deleted', 15_000);
  });
});
