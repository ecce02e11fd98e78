/**
 * `proconsul connect proxy` as a user runs it: the built executable against a stand-in for the
 * agent's HTTP API (the seam the proxy talks through), Consul's banner, errors and exit codes,
 * bytes through a flag-configured upstream, -register, and a clean stop on SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, tempDir, waitFor, type TempDir } from '@proconsul/testing';
import { createTestCa, createTestLeaf, type TestCa, type TestLeaf } from '../src/connect-proxy/testing/certs.js';
import { echoThrough } from '../src/connect-proxy/testing/echo.js';
import { FakeAgent, connectEntry, sidecarService } from '../src/connect-proxy/testing/fake-agent.js';
import { CLI_BIN, runCli } from './run-cli.js';

const TD = '11111111-2222-3333-4444-555555555555.consul';
const AGENT = '127.0.94.20';
const PROXY = '127.0.94.21';
const SOCAT = '127.0.94.22';

let dir: TempDir;
let ca: TestCa;
let web: TestLeaf;
let socat: TestLeaf;
let agent: FakeAgent;
let addr: string;
/** A TLS echo server with socat's certificate, standing in for socat's proxy; counts verified clients. */
let socatProxy: TlsServer;
let socatPort: number;

beforeAll(async () => {
  dir = tempDir('proconsul-proxy-cli-');
  ca = createTestCa(dir.path, 'ca');
  web = createTestLeaf(ca, TD, 'web');
  socat = createTestLeaf(ca, TD, 'socat');
  [socatPort] = (await freePorts(SOCAT, 1)) as [number];
  socatProxy = createTlsServer({ cert: socat.certPem, key: socat.keyPem, ca: [ca.certPem], requestCert: true, rejectUnauthorized: true }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  socatProxy.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => socatProxy.listen(socatPort, SOCAT, r));
  agent = new FakeAgent({ trustDomain: TD, roots: [ca.certPem] });
  agent.update((s) => {
    s.leaves = { web, socat };
    s.services = {
      socat: { ...sidecarService('socat', '', 8181, { host: PROXY, port: 1 }), Kind: '', ID: 'socat', Service: 'socat', Proxy: undefined },
      'socat-sidecar-proxy': sidecarService('socat', PROXY, 0, { host: PROXY, port: 8181 }),
      'api-sidecar-proxy-1': { ...sidecarService('api', PROXY, 0, { host: PROXY, port: 1 }), ID: 'api-sidecar-proxy-1' },
      'api-sidecar-proxy-2': { ...sidecarService('api', PROXY, 0, { host: PROXY, port: 1 }), ID: 'api-sidecar-proxy-2' },
    };
    s.connect = { socat: [connectEntry('socat', SOCAT, socatPort)] };
  });
  addr = await agent.listen(AGENT);
});

afterAll(async () => {
  await agent?.close();
  await new Promise((r) => socatProxy?.close(r));
  dir?.remove();
});

interface Running {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number>;
}

function start(args: string[]): Running {
  const proc = spawn(process.execPath, [CLI_BIN, 'connect', 'proxy', ...args], { env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: addr } });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<number>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return { proc, out: () => out, err: () => err, exit };
}

describe('proconsul connect proxy', () => {
  it('-sidecar-for prints Consul’s banner, serves, and stops cleanly on SIGINT', async () => {
    const r = start(['-sidecar-for', 'socat']);
    try {
      await waitFor(() => r.out().includes('Proxy loaded config and ready to serve'), 'proxy ready');
      expect(r.out().startsWith(
        [
          '==> Consul Connect proxy starting...',
          '    Configuration mode: Agent API',
          '        Sidecar for ID: socat',
          '              Proxy ID: socat-sidecar-proxy',
          '',
          '==> Log data will now stream in as it occurs:',
          '',
          '',
        ].join('\n'),
      )).toBe(true);
      expect(r.out()).toMatch(/\n {4}\d{4}-\d\d-\d\dT[\d:.]+Z \[INFO\] {2}proxy: Proxy loaded config and ready to serve\n/);
      expect(r.out()).toContain(`proxy: Parsed TLS identity: uri=${socat.uri}`);
      r.proc.kill('SIGINT');
      expect(await r.exit).toBe(0);
      expect(r.out().trimEnd().endsWith('==> Consul Connect proxy shutdown')).toBe(true);
    } finally {
      r.proc.kill('SIGKILL');
    }
  });

  it('-service with -upstream carries bytes over mTLS to the upstream, as web, and stops on SIGTERM', async () => {
    const [port] = (await freePorts(PROXY, 1)) as [number];
    const r = start(['-service', 'web', '-upstream', `socat:${PROXY}:${port}`, '-log-level', 'debug']);
    try {
      await waitFor(() => r.out().includes('Starting listener'), 'upstream listener');
      expect(r.out()).toContain(
        // Consul's Info lines, each behind the UI's four-space prefix.
        ['Configuration mode: Flags', '           Service: web', `          Upstream: socat => ${PROXY}:${port}`, '   Public listener: Disabled'].map((l) => `    ${l}`).join('\n'),
      );
      expect(r.out()).toContain(`proxy: Starting listener: listener=${PROXY}:${port}->service:default/socat bind_addr=${PROXY}:${port}`);
      await waitFor(() => r.out().includes('Proxy loaded config and ready to serve'), 'certificates loaded');
      expect(await echoThrough(PROXY, port, 'hello\n')).toBe('hello\n');
      expect(r.out()).toContain('[DEBUG] proxy.connect: successfully connected to service instance');
      r.proc.kill('SIGTERM');
      expect(await r.exit).toBe(0);
    } finally {
      r.proc.kill('SIGKILL');
    }
  });

  it('-register registers the proxy with a TTL check and deregisters it on shutdown', async () => {
    const [port] = (await freePorts(PROXY, 1)) as [number];
    const r = start(['-service', 'web', '-listen', `${PROXY}:${port}`, '-service-addr', `${PROXY}:8080`, '-register', '-register-id', 'a']);
    try {
      await waitFor(() => agent.registered.some((s) => s['ID'] === 'web-proxy-a'), 'registered');
      expect(agent.registered.find((s) => s['ID'] === 'web-proxy-a')).toEqual({
        Kind: 'connect-proxy',
        ID: 'web-proxy-a',
        Name: 'web-proxy',
        Address: PROXY,
        Port: port,
        Proxy: { DestinationServiceName: 'web' },
        Check: { CheckID: 'web-proxy-a-ttl', Name: 'proxy heartbeat', TTL: '30s', Notes: 'Built-in proxy will heartbeat this check.', Status: 'passing' },
      });
      expect(r.out()).toContain(`    ${'   Public listener'}: ${PROXY}:${port} => ${PROXY}:8080`);
      await waitFor(() => r.out().includes('Starting listener: listener="public listener"'), 'public listener');
      r.proc.kill('SIGINT');
      expect(await r.exit).toBe(0);
      expect(agent.deregistered).toContain('web-proxy-a');
    } finally {
      r.proc.kill('SIGKILL');
    }
  });

  it('watch -type connect_roots and connect_leaf print what the agent holds (the watches the proxy runs)', async () => {
    const roots = await runCli(['watch', '-type', 'connect_roots'], { addr });
    expect(roots.code).toBe(0);
    expect(JSON.parse(roots.stdout)).toMatchObject({ TrustDomain: TD, Roots: [{ RootCert: ca.certPem }] });
    const leaf = await runCli(['watch', '-type', 'connect_leaf', '-service', 'web'], { addr });
    expect(leaf.code).toBe(0);
    expect(JSON.parse(leaf.stdout)).toMatchObject({ Service: 'web', ServiceURI: web.uri, CertPEM: web.certPem });
  });

  it.each<[string[], string]>([
    [['-sidecar-for', 'nothing'], '==> Error preparing configuration: No sidecar proxy registered for nothing'],
    [['-sidecar-for', 'api'], '==> Error preparing configuration: More than one sidecar proxy registered for api.\n    Start proxy with -proxy-id and one of the following IDs: api-sidecar-proxy-1, api-sidecar-proxy-2'],
    [[], '==> Error preparing configuration: -service or -proxy-id must be specified so that proxy can configure itself.'],
    [['-service', 'web', '-listen', ':21000'], '==> Error preparing configuration: -service-addr must be specified with -listen so the proxy knows the backend service address.'],
    [['-service', 'web', '-listen', '21000', '-service-addr', '127.0.94.21:1'], '==> Error preparing configuration: address 21000: missing port in address'],
    [['-service', 'web', '-register'], '==> Failed initializing registration: -register may only be specified with -service and -listen'],
    [['-upstream', 'db'], '==> invalid value "db" for flag -upstream: Upstream value should be name:addr in "db"'],
    [['-log-level', 'loud', '-service', 'web'], '==> Invalid log level: loud. Valid log levels are: [TRACE DEBUG INFO WARN ERR ERROR]'],
    [['extra'], '==> Should have no non-flag arguments.'],
  ])('refuses %j with Consul’s error and exit 1', async (args, message) => {
    const res = await runCli(['connect', 'proxy', ...args], { addr });
    expect(res.code).toBe(1);
    expect(res.stderr.trimEnd()).toBe(message);
  });
});
