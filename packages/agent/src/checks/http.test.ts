import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheck } from './start.js';
import type { CheckRunner } from './runner.js';
import { UpdateCollector } from './testing/collector.js';

const HOST = '127.0.8.1';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
let seen: Seen[];
let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
const runners: CheckRunner[] = [];

beforeEach(async () => {
  seen = [];
  handler = (_req, res) => res.end('ok');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  base = `http://${HOST}:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const r of runners.splice(0)) r.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function start(check: Parameters<typeof startCheck>[0], collector: UpdateCollector): CheckRunner {
  const runner = startCheck(check, { onUpdate: collector.onUpdate, initialDelayMs: 0 });
  runners.push(runner);
  return runner;
}

describe('http check', () => {
  it('passes on 2xx with Consul\'s output format and sends Consul\'s default headers', async () => {
    const c = new UpdateCollector();
    start({ HTTP: `${base}/health`, Interval: '10s' }, c);
    const u = await c.nth(1);
    expect(u).toEqual({ status: 'passing', output: `HTTP GET ${base}/health: 200 OK Output: ok` });
    expect(seen[0]?.headers['user-agent']).toBe('Consul Health Check');
    expect(seen[0]?.headers.accept).toBe('text/plain, text/*, */*');
    expect(seen[0]?.headers.connection).toBe('close');
  });

  it('is warning on 429 and critical on other codes', async () => {
    handler = (req, res) => {
      res.statusCode = req.url === '/busy' ? 429 : 503;
      res.end('nope');
    };
    const warn = new UpdateCollector();
    start({ HTTP: `${base}/busy`, Interval: '10s' }, warn);
    expect(await warn.nth(1)).toEqual({
      status: 'warning',
      output: `HTTP GET ${base}/busy: 429 Too Many Requests Output: nope`,
    });
    const crit = new UpdateCollector();
    start({ HTTP: `${base}/down`, Interval: '10s' }, crit);
    expect(await crit.nth(1)).toEqual({
      status: 'critical',
      output: `HTTP GET ${base}/down: 503 Service Unavailable Output: nope`,
    });
  });

  it('sends Method, Header and Body, and a Host header overrides the host', async () => {
    const c = new UpdateCollector();
    start(
      {
        HTTP: `${base}/write`,
        Method: 'POST',
        Header: { 'X-Check': ['1'], Host: ['svc.example'], 'User-Agent': ['mine'] },
        Body: '{"ping":true}',
        Interval: '10s',
      },
      c,
    );
    expect((await c.nth(1)).output).toBe(`HTTP POST ${base}/write: 200 OK Output: ok`);
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"ping":true}' });
    expect(seen[0]?.headers).toMatchObject({ 'x-check': '1', host: 'svc.example', 'user-agent': 'mine' });
  });

  it('keeps only the tail of a long body (OutputMaxSize)', async () => {
    handler = (_req, res) => res.end(`${'a'.repeat(100)}END`);
    const c = new UpdateCollector();
    start({ HTTP: `${base}/big`, Interval: '10s', OutputMaxSize: 10 }, c);
    expect((await c.nth(1)).output).toBe(`HTTP GET ${base}/big: 200 OK Output: aaaaaaaEND`);
  });

  it('is critical with Go\'s error text when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, HOST, resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = new UpdateCollector();
    start({ HTTP: `http://${HOST}:${port}/health`, Interval: '10s' }, c);
    expect(await c.nth(1)).toEqual({
      status: 'critical',
      output: `Get "http://${HOST}:${port}/health": dial tcp ${HOST}:${port}: connect: connection refused`,
    });
  });

  it('is critical when the server is slower than Timeout', async () => {
    handler = () => undefined; // never answers
    const c = new UpdateCollector();
    start({ HTTP: `${base}/slow`, Interval: '10s', Timeout: '200ms' }, c);
    expect(await c.nth(1)).toEqual({
      status: 'critical',
      output: `Get "${base}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });

  it('follows redirects unless DisableRedirects', async () => {
    handler = (req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { Location: '/new' });
        res.end();
      } else res.end('moved here');
    };
    const follow = new UpdateCollector();
    start({ HTTP: `${base}/old`, Interval: '10s' }, follow);
    expect(await follow.nth(1)).toEqual({ status: 'passing', output: `HTTP GET ${base}/old: 200 OK Output: moved here` });
    const stay = new UpdateCollector();
    start({ HTTP: `${base}/old`, Interval: '10s', DisableRedirects: true }, stay);
    expect(await stay.nth(1)).toEqual({ status: 'critical', output: `HTTP GET ${base}/old: 302 Found Output: ` });
  });

  it('runs again every Interval and reflects a server going away', async () => {
    const c = new UpdateCollector();
    start(
      {
        kind: 'http',
        intervalMs: 100,
        timeoutMs: 1_000,
        ttlMs: 0,
        deregisterCriticalServiceAfterMs: 0,
        successBeforePassing: 0,
        failuresBeforeWarning: 0,
        failuresBeforeCritical: 0,
        outputMaxSize: 0,
        http: { url: `${base}/`, method: 'GET', header: {}, body: '', tlsSkipVerify: false, tlsServerName: '', disableRedirects: false },
      },
      c,
    );
    expect((await c.nth(2)).status).toBe('passing');
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    let n = 3;
    while ((await c.nth(n)).status === 'passing') n += 1;
    expect(c.updates[n - 1]?.output).toContain('connect: connection refused');
  });

  it('stops: no update after stop()', async () => {
    handler = (_req, res) => setTimeout(() => res.end('late'), 200);
    const c = new UpdateCollector();
    const runner = start({ HTTP: `${base}/`, Interval: '10s' }, c);
    await new Promise((r) => setTimeout(r, 50));
    runner.stop();
    await new Promise((r) => setTimeout(r, 400));
    expect(c.updates).toEqual([]);
    expect(seen.length).toBe(1);
  });
});
