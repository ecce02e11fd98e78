/**
 * The built-in proxy end to end over real sockets and real TLS, against a stand-in for the
 * agent's HTTP API (testing/fake-agent.ts) and certificates made by openssl: an echo
 * application behind the `socat` proxy's public listener, the `web` proxy's upstream
 * listener in front of it.
 */
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Consul } from '@proconsul/api';
import { freePorts, tempDir, waitFor, type TempDir } from '@proconsul/testing';
import { agentConfigWatcher } from './config-watcher.js';
import { ProxyLogger } from './logger.js';
import { BuiltinProxy } from './proxy.js';
import { createTestCa, createTestLeaf, type TestCa, type TestLeaf } from './testing/certs.js';
import { FakeAgent, connectEntry, sidecarService } from './testing/fake-agent.js';

const TD = '11111111-2222-3333-4444-555555555555.consul';
const APP = '127.0.94.10'; // the echo application
const SOCAT = '127.0.94.11'; // the socat proxy's public listener
const WEB = '127.0.94.12'; // the web proxy's upstream listeners
const AGENT = '127.0.94.13';
const ROGUE = '127.0.94.14';

let dir: TempDir;
let ca1: TestCa;
let ca2: TestCa;
let leaves: { socat: TestLeaf; web: TestLeaf; db: TestLeaf; rogueSocat: TestLeaf; socat2: TestLeaf; web2: TestLeaf };

beforeAll(() => {
  dir = tempDir('proconsul-proxy-');
  ca1 = createTestCa(dir.path, 'ca1');
  ca2 = createTestCa(dir.path, 'ca2');
  leaves = {
    socat: createTestLeaf(ca1, TD, 'socat'),
    web: createTestLeaf(ca1, TD, 'web'),
    db: createTestLeaf(ca1, TD, 'db'),
    rogueSocat: createTestLeaf(ca2, TD, 'socat'),
    socat2: createTestLeaf(ca2, TD, 'socat'),
    web2: createTestLeaf(ca2, TD, 'web'),
  };
});

afterAll(() => dir?.remove());

/** An echo server; counts the connections it accepted. */
async function echoServer(host: string, port: number): Promise<{ server: Server; accepted: () => number }> {
  let n = 0;
  const server = createServer({ allowHalfOpen: true }, (s) => {
    n++;
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  return { server, accepted: () => n };
}

/** Connects, writes `payload`, optionally half-closes, and collects what comes back until the proxy closes. */
function exchange(host: string, port: number, payload: string, opts: { halfClose?: boolean; until?: string } = {}): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    const s: Socket = netConnect({ host, port, allowHalfOpen: true });
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ data, closed });
    };
    const timer = setTimeout(() => finish(false), 5000);
    s.on('connect', () => {
      s.write(payload);
      if (opts.halfClose) s.end();
    });
    s.on('data', (b) => {
      data += b.toString();
      if (opts.until !== undefined && data.includes(opts.until)) finish(false);
    });
    s.on('end', () => finish(true));
    s.on('error', () => finish(true));
  });
}

interface Rig {
  agent: FakeAgent;
  logs: string[];
  proxies: BuiltinProxy[];
  app: { server: Server; accepted: () => number };
  ports: { app: number; socat: number; upstream: number; upstream2: number };
  start(proxyId: string, opts?: { maxConnsPerListener?: number }): BuiltinProxy;
  stop(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const [app, socat, upstream, upstream2] = await freePorts(APP, 4);
  const ports = { app: app!, socat: socat!, upstream: upstream!, upstream2: upstream2! };
  const agent = new FakeAgent({ trustDomain: TD, roots: [ca1.certPem] });
  agent.update((s) => {
    s.leaves = { socat: leaves.socat, web: leaves.web };
    s.services = {
      'socat-sidecar-proxy': sidecarService('socat', SOCAT, ports.socat, { host: APP, port: ports.app }),
      // Port 0: the web proxy runs without a public listener; only its upstream is used here.
      'web-sidecar-proxy': sidecarService('web', WEB, 0, { host: APP, port: 1 }, [{ DestinationName: 'socat', LocalBindAddress: WEB, LocalBindPort: ports.upstream }]),
    };
    s.connect = { socat: [connectEntry('socat', SOCAT, ports.socat)] };
  });
  const addr = await agent.listen(AGENT);
  const appServer = await echoServer(APP, ports.app);
  const logs: string[] = [];
  const proxies: BuiltinProxy[] = [];
  const stop = new AbortController();
  return {
    agent,
    logs,
    proxies,
    app: appServer,
    ports,
    start(proxyId: string, opts = {}): BuiltinProxy {
      const client = new Consul({ address: addr, env: {} });
      const logger = new ProxyLogger((l) => logs.push(l), 'debug');
      const p = new BuiltinProxy(client, logger, { watchBackoffBaseMs: 20, ...opts });
      void p.serve(agentConfigWatcher(client, proxyId, logger, stop.signal, 20)).catch((err: unknown) => logs.push(`serve failed: ${String(err)}`));
      proxies.push(p);
      return p;
    },
    async stop(): Promise<void> {
      stop.abort();
      await Promise.all(proxies.map((p) => p.close()));
      await new Promise((r) => appServer.server.close(r));
      await agent.close();
    },
  };
}

/** A TLS client straight to the public listener: what it reads back after writing `text` (nothing when refused). */
function tlsClientSays(port: number, text: string, client: { cert?: string; key?: string; ca: string }): Promise<string> {
  return new Promise<string>((resolve) => {
    const s = tlsConnect({ host: SOCAT, port, ...(client.cert ? { cert: client.cert, key: client.key } : {}), ca: [client.ca], checkServerIdentity: () => undefined });
    let got = '';
    s.on('secureConnect', () => s.write(text));
    s.on('data', (b) => (got += b.toString()));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
  });
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = netConnect({ host, port });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function listening(host: string, port: number): Promise<void> {
  await waitFor(() => accepts(host, port), `${host}:${port} listening`);
}

/**
 * Waits until every proxy started has its leaf and roots: an upstream listener accepts before
 * then (as Consul's does) but cannot dial yet.
 */
async function certificatesLoaded(r: Rig): Promise<void> {
  await waitFor(() => r.proxies.every((p) => p.service?.tls.ready()), 'certificates loaded');
}

/** Starts the socat and web sidecars and waits until both listeners accept. */
async function startPair(r: Rig): Promise<[BuiltinProxy, BuiltinProxy]> {
  const pair: [BuiltinProxy, BuiltinProxy] = [r.start('socat-sidecar-proxy'), r.start('web-sidecar-proxy')];
  await listening(SOCAT, r.ports.socat);
  await listening(WEB, r.ports.upstream);
  await certificatesLoaded(r);
  return pair;
}

describe('connect proxy', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.stop();
  });

  it('carries bytes from the upstream listener through the public listener to the application (allow)', async () => {
    r = await rig();
    await startPair(r);
    const out = await exchange(WEB, r.ports.upstream, 'hello\n', { until: 'hello\n' });
    expect(out.data).toBe('hello\n');
    // The socat proxy asked the agent about the web proxy's identity, with Consul's serial encoding.
    const call = r.agent.authorizeCalls.at(-1)!;
    expect(call).toEqual({ Target: 'socat', ClientCertURI: leaves.web.uri, ClientCertSerial: leaves.web.serial });
    // Consul's log lines, where a user sees them.
    expect(r.logs.some((l) => /\[INFO\] {2}proxy: Proxy loaded config and ready to serve$/.test(l))).toBe(true);
    expect(r.logs.some((l) => l.includes(`proxy: Parsed TLS identity: uri=${leaves.socat.uri}`))).toBe(true);
    expect(r.logs.some((l) => l.includes(`proxy: Starting listener: listener="public listener" bind_addr=${SOCAT}:${r.ports.socat}`))).toBe(true);
    expect(r.logs.some((l) => l.includes(`proxy: Starting listener: listener=${WEB}:${r.ports.upstream}->service:default/socat bind_addr=${WEB}:${r.ports.upstream}`))).toBe(true);
    // The upstream was resolved with Consul's resolver query: passing, stale.
    expect(r.agent.requests.some((q) => q.startsWith('GET /v1/health/connect/socat?') && q.includes('stale') && q.includes('passing=1'))).toBe(true);
  });

  it('passes a half-close through: the client ends its side and still reads the whole echo', async () => {
    r = await rig();
    await startPair(r);
    const payload = 'x'.repeat(200_000);
    const out = await exchange(WEB, r.ports.upstream, payload, { halfClose: true });
    expect(out.closed).toBe(true);
    expect(out.data.length).toBe(payload.length);
  });

  it('closes the connection when the agent denies it, and the application never sees it (deny)', async () => {
    r = await rig();
    r.agent.update((s) => (s.authorize = () => ({ Authorized: false, Reason: 'Matched L4 intention: web => socat (deny)' })));
    await startPair(r);
    const before = r.app.accepted();
    const out = await exchange(WEB, r.ports.upstream, 'hello\n');
    expect(out).toEqual({ data: '', closed: true });
    expect(r.app.accepted()).toBe(before);
    expect(r.logs.some((l) => l.includes('[ERROR] proxy.connect: authz call denied: service=socat reason="Matched L4 intention: web => socat (deny)"'))).toBe(true);
  });

  it('refuses a client whose certificate another CA signed (public listener)', async () => {
    r = await rig();
    r.start('socat-sidecar-proxy');
    await listening(SOCAT, r.ports.socat);
    await waitFor(() => r.logs.some((l) => l.includes('Starting listener: listener="public listener"')), 'public listener');
    const before = r.app.accepted();
    const result = await tlsClientSays(r.ports.socat, 'hello\n', { cert: leaves.rogueSocat.certPem, key: leaves.rogueSocat.keyPem, ca: ca1.certPem });
    expect(result).toBe('');
    // Nor is a client without a certificate let through.
    const anonymous = await tlsClientSays(r.ports.socat, 'hello\n', { ca: ca1.certPem });
    expect(anonymous).toBe('');
    expect(r.app.accepted()).toBe(before);
    expect(r.agent.authorizeCalls).toHaveLength(0);
    await waitFor(() => r.logs.some((l) => l.includes('[ERROR] proxy.connect: failed TLS verification: service=socat error=UNABLE_TO_VERIFY_LEAF_SIGNATURE')), 'verification failure logged');
  });

  it('refuses an upstream instance whose certificate another CA signed', async () => {
    r = await rig();
    const [roguePort] = await freePorts(ROGUE, 1);
    // A TLS server with a socat certificate from the wrong CA, where the agent says socat is.
    const { createServer: createTlsServer } = await import('node:tls');
    let rogueSaw = 0;
    const rogue = createTlsServer({ cert: leaves.rogueSocat.certPem, key: leaves.rogueSocat.keyPem }, (s) => {
      rogueSaw++;
      s.on('error', () => undefined);
      s.pipe(s);
    });
    rogue.on('tlsClientError', () => undefined);
    await new Promise<void>((res) => rogue.listen(roguePort, ROGUE, res));
    try {
      r.agent.update((s) => (s.connect = { socat: [connectEntry('socat', ROGUE, roguePort!)] }));
      r.start('web-sidecar-proxy');
      await listening(WEB, r.ports.upstream);
      await certificatesLoaded(r);
      const out = await exchange(WEB, r.ports.upstream, 'hello\n');
      expect(out).toEqual({ data: '', closed: true });
      expect(rogueSaw).toBe(0);
      expect(r.logs.some((l) => l.includes('[ERROR] proxy.upstream: failed to dial') && /certificate/i.test(l))).toBe(true);
    } finally {
      await new Promise((res) => rogue.close(res));
    }
  });

  it('refuses an upstream instance that presents another service’s identity', async () => {
    r = await rig();
    // The agent says socat is at the db proxy's listener; db's certificate is from the right CA.
    const [dbPort] = await freePorts(ROGUE, 1);
    r.agent.update((s) => {
      s.leaves.db = leaves.db;
      s.services['db-sidecar-proxy'] = sidecarService('db', ROGUE, dbPort!, { host: APP, port: r.ports.app });
      s.connect = { socat: [connectEntry('socat', ROGUE, dbPort!)] };
    });
    r.start('db-sidecar-proxy');
    r.start('web-sidecar-proxy');
    await listening(ROGUE, dbPort!);
    await listening(WEB, r.ports.upstream);
    await certificatesLoaded(r);
    const before = r.app.accepted();
    const out = await exchange(WEB, r.ports.upstream, 'hello\n');
    expect(out).toEqual({ data: '', closed: true });
    expect(r.app.accepted()).toBe(before);
    expect(
      r.logs.some((l) =>
        l.includes(`failed to dial: error="peer certificate mismatch got spiffe://${TD}/ns/default/dc/dc1/svc/db, want spiffe://${TD}/ns/default/dc/dc1/svc/socat"`),
      ),
    ).toBe(true);
  });

  it('closes the connection when the upstream has no passing instance; asks the upstream’s datacenter', async () => {
    r = await rig();
    r.agent.update((s) => {
      s.connect = { socat: [] };
      s.services['web-sidecar-proxy']!.Proxy = {
        ...(s.services['web-sidecar-proxy']!.Proxy as object),
        Upstreams: [{ DestinationName: 'socat', Datacenter: 'dc2', LocalBindAddress: WEB, LocalBindPort: r.ports.upstream }],
      };
    });
    r.start('web-sidecar-proxy');
    await listening(WEB, r.ports.upstream);
    await certificatesLoaded(r);
    const out = await exchange(WEB, r.ports.upstream, 'hello\n');
    expect(out).toEqual({ data: '', closed: true });
    expect(r.logs.some((l) => l.includes('[ERROR] proxy.upstream: failed to dial: error="no healthy instances found"'))).toBe(true);
    expect(r.agent.requests.some((q) => q.startsWith('GET /v1/health/connect/socat?') && q.includes('dc=dc2'))).toBe(true);
  });

  it('resolves a prepared-query upstream with connect=true', async () => {
    r = await rig();
    r.agent.update((s) => {
      s.queries = { 'socat-query': [connectEntry('socat', SOCAT, r.ports.socat)] };
      s.services['web-sidecar-proxy']!.Proxy = {
        ...(s.services['web-sidecar-proxy']!.Proxy as object),
        Upstreams: [{ DestinationType: 'prepared_query', DestinationName: 'socat-query', LocalBindAddress: WEB, LocalBindPort: r.ports.upstream }],
      };
    });
    await startPair(r);
    const out = await exchange(WEB, r.ports.upstream, 'ping\n', { until: 'ping\n' });
    expect(out.data).toBe('ping\n');
    expect(r.agent.requests.some((q) => q.startsWith('GET /v1/query/socat-query/execute?') && q.includes('connect=true'))).toBe(true);
  });

  it('follows a root rotation: new leaves from the new CA work, certificates of the old CA no longer do', async () => {
    r = await rig();
    await startPair(r);
    expect((await exchange(WEB, r.ports.upstream, 'one\n', { until: 'one\n' })).data).toBe('one\n');
    // The agent rotates: new root, new leaves; blocked queries wake.
    r.agent.update((s) => {
      s.roots = [ca2.certPem];
      s.leaves = { socat: leaves.socat2, web: leaves.web2 };
    });
    const rotated = [leaves.socat2.certPem, leaves.web2.certPem];
    await waitFor(() => r.proxies.every((p) => rotated.includes(p.service?.tls.leaf?.certPem ?? '') && p.service?.tls.ready()), 'new leaves loaded');
    expect((await exchange(WEB, r.ports.upstream, 'two\n', { until: 'two\n' })).data).toBe('two\n');
    // A client still holding a leaf of the old CA is refused now.
    const old = await tlsClientSays(r.ports.socat, 'three\n', { cert: leaves.web.certPem, key: leaves.web.keyPem, ca: ca2.certPem });
    expect(old).toBe('');
  });

  it('applies upstreams added and removed in the proxy registration without a restart', async () => {
    r = await rig();
    r.start('socat-sidecar-proxy');
    r.start('web-sidecar-proxy');
    await listening(WEB, r.ports.upstream);
    r.agent.update((s) => {
      s.services['web-sidecar-proxy']!.Proxy = {
        ...(s.services['web-sidecar-proxy']!.Proxy as object),
        Upstreams: [{ DestinationName: 'socat', LocalBindAddress: WEB, LocalBindPort: r.ports.upstream2 }],
      };
    });
    await listening(WEB, r.ports.upstream2);
    expect((await exchange(WEB, r.ports.upstream2, 'again\n', { until: 'again\n' })).data).toBe('again\n');
    // The old upstream's listener is gone.
    expect(await accepts(WEB, r.ports.upstream)).toBe(false);
  });

  it('holds at most maxConnsPerListener connections per listener', async () => {
    r = await rig();
    r.start('socat-sidecar-proxy');
    r.start('web-sidecar-proxy', { maxConnsPerListener: 1 });
    await listening(SOCAT, r.ports.socat);
    await waitFor(() => r.proxies[1]!.upstreams.size === 1, 'upstream listener');
    await certificatesLoaded(r);
    const first = netConnect({ host: WEB, port: r.ports.upstream });
    first.on('error', () => undefined);
    await new Promise<void>((resolve) => first.once('data', () => resolve()).write('one\n'));
    // The second connection is closed as it arrives; the first still works.
    expect(await exchange(WEB, r.ports.upstream, 'two\n')).toEqual({ data: '', closed: true });
    await new Promise<void>((resolve) => first.once('data', () => resolve()).write('three\n'));
    first.destroy();
  });

  it('closes its listeners and connections on close()', async () => {
    r = await rig();
    const [socat, web] = await startPair(r);
    // An open connection through both proxies.
    const s = netConnect({ host: WEB, port: r.ports.upstream });
    const ended = new Promise<void>((resolve) => s.on('close', () => resolve()));
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.once('data', () => resolve()).write('hi\n'));
    await Promise.all([web.close(), socat.close()]);
    await ended;
    expect(await accepts(SOCAT, r.ports.socat)).toBe(false);
  });
});
