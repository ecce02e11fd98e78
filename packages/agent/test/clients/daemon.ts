// Real third-party daemons (Prometheus, HAProxy) run as children of a test, and the small HTTP
// backends they discover. A missing binary fails the test (CI installs it: .ci/run), never skips.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stopProcess } from '@proconsul/testing';

const OUTPUT_LIMIT = 50_000;

export interface Daemon {
  readonly child: ChildProcess;
  /** Its stdout and stderr interleaved (the last 50,000 characters). */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** The first line `binary <versionFlag>` prints; throws (the test fails) when the binary is missing. */
export function binaryVersion(binary: string, versionFlag: string): string {
  const r = spawnSync(binary, [versionFlag], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) throw new Error(`${binary} is not installed or does not run (the Debian package in .ci/run): ${r.error?.message ?? r.stderr}`);
  return `${r.stdout}${r.stderr}`.split('\n')[0]!;
}

/** Starts `binary args` in the foreground as our child. */
export function startDaemon(binary: string, args: string[]): Daemon {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const append = (d: Buffer) => (out = (out + d.toString()).slice(-OUTPUT_LIMIT));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  child.once('error', (err) => append(Buffer.from(`spawn error: ${err.message}\n`)));
  return { child, output: () => out, stop: () => stopProcess(child) };
}

export interface Backend {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** Requests served so far, by path. */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

/**
 * A small HTTP server on ip:0 that names itself: `/metrics` answers a Prometheus text exposition,
 * any other path the backend's name (so a test behind a proxy sees who answered).
 */
export async function startBackend(name: string, ip: string): Promise<Backend> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE proconsul_test_backend gauge\nproconsul_test_backend{name="${name}"} 1\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end(name);
  });
  await new Promise<void>((res, rej) => server.once('error', rej).listen(0, ip, res));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    ip,
    port,
    hits,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
