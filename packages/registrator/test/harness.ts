// Test harness: a real agent process, real containers on the real Docker engine, and the
// locally built base image (deploy/base-image/build.sh, which needs no image registry).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = resolve(import.meta.dirname, '../../..');
export const IMAGE = 'proconsul/base:bookworm-node20';
export const TEST_LABEL = 'proconsul.test=registrator';

export function ensureBaseImage(): void {
  execFileSync(join(repoRoot, 'deploy/base-image/build.sh'), [IMAGE], { stdio: 'inherit', timeout: 600_000 });
}

export interface TestAgent {
  httpAddr: string;
  stop(): Promise<void>;
}

/** A dev agent on 127.0.5.x, as `proconsul agent -dev` runs it. */
export async function startAgent(ip: string, httpPort: number, dnsPort: number): Promise<TestAgent> {
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'packages/agent/dist/run.js'), '-dev', '-node', 'regtest', '-bind', ip, '-client', ip, '-http-port', String(httpPort), '-dns-port', String(dnsPort), '-log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const httpAddr = `http://${ip}:${httpPort}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`agent exited with code ${child.exitCode}`);
    return (await fetch(`${httpAddr}/v1/status/leader`)).ok;
  }, 15_000, 'agent to answer');
  return {
    httpAddr,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
      if ((err as Error).message.startsWith('agent exited')) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { timeout: 60_000 })).stdout.trim();
}

/** A container serving HTTP on port 80 (and any extra ports), labelled for clean-up. */
export async function runContainer(name: string, args: string[], ports = [80]): Promise<string> {
  const listen = ports.map((p) => `require('http').createServer((q,s)=>s.end('ok')).listen(${p});`).join('');
  return docker('run', '-d', '--name', name, '--label', TEST_LABEL, ...args, IMAGE, 'node', '-e', listen);
}

export async function removeTestContainers(): Promise<void> {
  const ids = (await docker('ps', '-aq', '--filter', `label=${TEST_LABEL}`)).split('\n').filter(Boolean);
  if (ids.length > 0) await docker('rm', '-f', ...ids);
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'pcreg-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A unix-socket proxy in front of the engine's socket: `cut()` drops every connection and
 * refuses new ones until `restore()`, as an engine restart does to its clients.
 */
export class EngineProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;

  constructor(readonly path: string, upstream = '/var/run/docker.sock') {
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      const engine = createConnection(upstream);
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(engine).pipe(client);
      client.on('close', () => engine.destroy());
      engine.on('close', () => client.destroy());
    });
  }

  listen(): Promise<void> {
    return new Promise((ok) => this.server.listen(this.path, ok));
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}
