/**
 * Consul's "Connect services" tutorial against a real agent (-dev, Connect on) on 127.0.94.1:
 * an echo service `socat` and `web` registered with sidecars from a config file, two
 * `proconsul connect proxy -sidecar-for` processes, bytes through web's upstream listener, then
 * `proconsul intention create -deny web socat` closes new connections and deleting it lets them
 * through again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startAgent, stopProcess, tempDir, waitFor, type AgentProcess, type TempDir } from '@proconsul/testing';
import { echoThrough } from '../src/connect-proxy/testing/echo.js';
import { CLI_BIN, runCli } from './run-cli.js';

const AGENT_IP = '127.0.94.1';
const SOCAT_IP = '127.0.94.3'; // socat, its sidecar's public listener
const WEB_IP = '127.0.94.4'; // web's sidecar: public listener and the upstream on 9191
const UPSTREAM_PORT = 9191;

let dir: TempDir;
let agent: AgentProcess;
let echo: Server;
let accepted = 0;
const proxies: Array<{ proc: ChildProcess; out: () => string }> = [];

function startProxy(sidecarFor: string): { proc: ChildProcess; out: () => string } {
  const proc = spawn(process.execPath, [CLI_BIN, 'connect', 'proxy', '-sidecar-for', sidecarFor], {
    env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: agent.httpAddr },
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const p = { proc, out: () => out };
  proxies.push(p);
  return p;
}

/** `nc WEB_IP 9191`: sends a line, returns what came back before the proxy closed or the echo arrived. */
const nc = (text: string): Promise<string> => echoThrough(WEB_IP, UPSTREAM_PORT, text);

beforeAll(async () => {
  dir = tempDir('proconsul-proxy-e2e-');
  const [appPort] = (await freePorts(SOCAT_IP, 1)) as [number];
  echo = createServer((s) => {
    accepted++;
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(appPort, SOCAT_IP, r));
  const cfg = join(dir.path, 'services.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      services: [
        { name: 'socat', address: SOCAT_IP, port: appPort, connect: { sidecar_service: { proxy: { local_service_address: SOCAT_IP } } } },
        {
          name: 'web',
          address: WEB_IP,
          port: 8080,
          connect: { sidecar_service: { proxy: { upstreams: [{ destination_name: 'socat', local_bind_address: WEB_IP, local_bind_port: UPSTREAM_PORT }] } } },
        },
      ],
    }),
  );
  agent = await startAgent({ ip: AGENT_IP, extraArgs: ['-config-file', cfg] });
}, 60_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => stopProcess(p.proc)));
  await agent?.stop();
  await new Promise((r) => echo?.close(r));
  dir?.remove();
});

describe('the Connect tutorial with proconsul connect proxy', () => {
  it('carries bytes from web to socat through both sidecars', async () => {
    const socat = startProxy('socat');
    const web = startProxy('web');
    await waitFor(() => socat.out().includes('Starting listener: listener="public listener"'), 'socat proxy listening', 30_000);
    expect(socat.out()).toContain('    Configuration mode: Agent API\n        Sidecar for ID: socat\n              Proxy ID: socat-sidecar-proxy\n');
    expect(socat.out()).toMatch(/proxy: Parsed TLS identity: uri=spiffe:\/\/[0-9a-f-]+\.consul\/ns\/default\/dc\/dc1\/svc\/socat/);
    await waitFor(() => web.out().includes(`listener=${WEB_IP}:${UPSTREAM_PORT}->service:default/socat`), 'web upstream listening', 30_000);
    // socat's sidecar turns passing once its TCP check sees the proxy's listener (a 10 s interval).
    await waitFor(async () => (await nc('hello\n')) === 'hello\n', 'bytes through the mesh', 40_000, 1000);
  }, 90_000);

  it('closes new connections once an intention denies web => socat, and lets them through when it is deleted', async () => {
    const created = await runCli(['intention', 'create', '-deny', 'web', 'socat'], { addr: agent.httpAddr });
    expect(created.stdout.trim()).toBe('Created: web => socat (deny)');
    // The agent may answer authorize from a cache that follows intention changes: allow it a moment.
    await waitFor(async () => (await nc('denied\n')) === '', 'connections refused', 10_000, 500);
    const before = accepted;
    expect(await nc('denied\n')).toBe('');
    expect(accepted).toBe(before);
    expect(proxies[0]!.out()).toContain('[ERROR] proxy.connect: authz call denied: service=socat');
    const deleted = await runCli(['intention', 'delete', 'web', 'socat'], { addr: agent.httpAddr });
    expect(deleted.stdout.trim()).toBe('Intention deleted.');
    await waitFor(async () => (await nc('again\n')) === 'again\n', 'allowed again', 20_000, 500);
  }, 60_000);

  it('stops both proxies cleanly on SIGINT', async () => {
    for (const p of proxies) p.proc.kill('SIGINT');
    const codes = await Promise.all(proxies.map((p) => new Promise<number | null>((r) => (p.proc.exitCode !== null ? r(p.proc.exitCode) : p.proc.once('exit', (c) => r(c))))));
    expect(codes).toEqual([0, 0]);
    for (const p of proxies) expect(p.out().trimEnd().endsWith('==> Consul Connect proxy shutdown')).toBe(true);
  });
});
