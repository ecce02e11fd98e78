/**
 * The client against a real HTTP server on real sockets (TCP on 127.0.2.x and a unix
 * socket): headers, query parameters, meta, error mapping, aborting a blocking request.
 * The server here is a stand-in for an agent, used to see exactly what goes on the wire;
 * test/agent.test.ts runs the same client against the real Proconsul agent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consul, ConsulConnectionError, ConsulError } from '../src/index.js';
import { createClient } from '../src/node.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let seen: Seen[] = [];
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void = () => undefined;

function listen(server: Server, target: { host: string; port: number } | string): Promise<void> {
  return new Promise((resolve) => {
    if (typeof target === 'string') server.listen(target, resolve);
    else server.listen(target.port, target.host, resolve);
  });
}

function makeServer(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
}

const tcp = makeServer();
const unix = makeServer();
let addr = '';
let dir = '';
let socketPath = '';

beforeAll(async () => {
  await listen(tcp, { host: '127.0.2.2', port: 0 });
  const a = tcp.address();
  if (typeof a !== 'object' || !a) throw new Error('no address');
  addr = `127.0.2.2:${a.port}`;
  dir = mkdtempSync(join(tmpdir(), 'proconsul-api-'));
  socketPath = join(dir, 'agent.sock');
  await listen(unix, socketPath);
});

afterAll(async () => {
  tcp.closeAllConnections();
  unix.closeAllConnections();
  await new Promise((r) => tcp.close(r));
  await new Promise((r) => unix.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function reply(status: number, body: string, headers: Record<string, string> = {}) {
  handler = (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

describe('transport', () => {
  it('sends the token and default dc, and reads the query meta', async () => {
    seen = [];
    reply(200, '[{"Node":"n1"}]', { 'X-Consul-Index': '12', 'X-Consul-KnownLeader': 'true', 'X-Consul-LastContact': '0' });
    const c = createClient({ address: addr, token: 'secret', datacenter: 'dc7', env: {} });
    const res = await c.catalog.nodes({ index: 3, wait: 1000, nodeMeta: { rack: 'a' } });
    expect(res.data).toEqual([{ Node: 'n1' }]);
    expect(res.meta.lastIndex).toBe(12);
    expect(res.meta.knownLeader).toBe(true);
    expect(seen[0]!.url).toBe('/v1/catalog/nodes?dc=dc7&index=3&wait=1s&node-meta=rack%3Aa');
    expect(seen[0]!.headers['x-consul-token']).toBe('secret');
  });

  it('takes address and token from CONSUL_HTTP_ADDR / CONSUL_HTTP_TOKEN', async () => {
    seen = [];
    reply(200, '"127.0.2.2:8300"');
    const c = createClient({ env: { CONSUL_HTTP_ADDR: `http://${addr}`, CONSUL_HTTP_TOKEN: 'envtok' } });
    expect(await c.status.leader()).toBe('127.0.2.2:8300');
    expect(seen[0]!.headers['x-consul-token']).toBe('envtok');
  });

  it('sends HTTP basic auth from CONSUL_HTTP_AUTH (user:password, or a user alone)', async () => {
    reply(200, '"127.0.2.2:8300"');
    for (const [auth, expected] of [['ops:pä:ss', 'ops:pä:ss'], ['ops', 'ops:']] as const) {
      seen = [];
      await createClient({ env: { CONSUL_HTTP_ADDR: `http://${addr}`, CONSUL_HTTP_AUTH: auth } }).status.leader();
      expect(Buffer.from(String(seen[0]!.headers['authorization']).replace(/^Basic /, ''), 'base64').toString('utf8')).toBe(expected);
    }
    seen = [];
    await createClient({ env: { CONSUL_HTTP_ADDR: `http://${addr}` } }).status.leader();
    expect(seen[0]!.headers['authorization']).toBeUndefined();
  });

  it('maps a non-2xx answer to ConsulError with status and body text', async () => {
    reply(500, 'No path to datacenter');
    const c = createClient({ address: addr, env: {} });
    const err = await c.catalog.nodes({ datacenter: 'nowhere' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulError);
    expect((err as ConsulError).statusCode).toBe(500);
    expect((err as ConsulError).body).toBe('No path to datacenter');
    expect((err as ConsulError).message).toBe('Unexpected response code: 500 (No path to datacenter)');
  });

  it('reads a missing KV key (404) as null and sends raw values with flags and cas', async () => {
    seen = [];
    reply(404, '', { 'X-Consul-Index': '9' });
    const c = createClient({ address: addr, env: {} });
    const got = await c.kv.get('no/such');
    expect(got.data).toBeNull();
    expect(got.meta.lastIndex).toBe(9);
    reply(200, 'false');
    expect(await c.kv.put('a/b c', 'v1', { flags: 42n, cas: 7 })).toBe(false);
    expect(seen[1]!.method).toBe('PUT');
    expect(seen[1]!.url).toBe('/v1/kv/a/b%20c?flags=42&cas=7');
    expect(seen[1]!.body).toBe('v1');
  });

  it('reports a refused connection in the Go client\'s words', async () => {
    const c = new Consul({ address: '127.0.2.2:1999', env: {} });
    const err = await c.agent.self().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulConnectionError);
    expect((err as Error).message).toBe('Get "http://127.0.2.2:1999/v1/agent/self": dial tcp 127.0.2.2:1999: connect: connection refused');
  });

  it('talks over a unix socket with unix:// addresses', async () => {
    seen = [];
    reply(200, '{"consul":[]}', { 'X-Consul-Index': '4' });
    const c = createClient({ address: `unix://${socketPath}`, env: {} });
    const res = await c.catalog.services();
    expect(res.data).toEqual({ consul: [] });
    expect(seen[0]!.url).toBe('/v1/catalog/services');
  });

  it('aborts a blocking request through its AbortSignal', async () => {
    handler = () => undefined; // never answers, like a blocking query with a long wait
    const c = createClient({ address: addr, env: {} });
    const controller = new AbortController();
    const p = c.health.service('web', { index: 5, wait: '10m', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('decodes the txn 409 answer instead of throwing', async () => {
    reply(409, '{"Results":null,"Errors":[{"OpIndex":0,"What":"failed to set key \\"b\\", index is stale"}]}');
    const c = createClient({ address: addr, env: {} });
    const out = await c.txn.execute([{ KV: { Verb: 'cas', Key: 'b', Value: 'eA==', Index: 1 } }]);
    expect(out.ok).toBe(false);
    expect(out.Errors?.[0]?.What).toContain('index is stale');
  });
});

describe('fetch binding', () => {
  it('never calls fetch as a method of the client (browsers reject a foreign `this`)', async () => {
    reply(200, '"leader:8300"');
    const seenThis: unknown[] = [];
    const strictFetch = function (this: unknown, url: string, init: RequestInit) {
      seenThis.push(this);
      return fetch(url, init);
    };
    const c = new Consul({ address: addr, env: {}, fetch: strictFetch as unknown as typeof fetch });
    expect(await c.status.leader()).toBe('leader:8300');
    expect(seenThis).toEqual([undefined]);
  });
});
