// Test helpers: a real Proconsul agent process on a 127.0.4.x address, free
// ports, bounded polling, and the proconsul-template CLI as a child process.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const cliPath = resolve(here, '../bin/proconsul-template.js');

export function freePort(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value; bounded in time. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface AgentProcess {
  ip: string;
  httpPort: number;
  addr: string;
  base: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node packages/agent/dist/run.js -dev` on `ip` and waits for a leader. */
export async function startAgent(ip: string, httpPort?: number): Promise<AgentProcess> {
  const port = httpPort ?? (await freePort(ip));
  const dnsPort = await freePort(ip);
  const proc = spawn(
    process.execPath,
    [resolve(repoRoot, 'packages/agent/dist/run.js'), '-dev', '-client', ip, '-bind', ip, '-http-port', String(port), '-dns-port', String(dnsPort), '-log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const base = `http://${ip}:${port}`;
  await waitFor(async () => {
    if (proc.exitCode !== null) throw new Error(`agent exited: ${stderr}`);
    const r = await fetch(`${base}/v1/status/leader`);
    return r.ok && (await r.json()) !== '';
  }, 'agent leader', 30_000, 100);
  return {
    ip,
    httpPort: port,
    addr: `${ip}:${port}`,
    base,
    proc,
    stop: () => stopProcess(proc),
  };
}

export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return res();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => {
      clearTimeout(kill);
      res();
    });
    proc.kill(signal);
  });
}

export async function api(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  const r = await fetch(`${base}${path}`, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r;
}

export function registerService(base: string, svc: { Name: string; ID: string; Address: string; Port: number; Tags?: string[] }): Promise<Response> {
  return api(base, 'PUT', '/v1/agent/service/register', svc);
}

export function deregisterService(base: string, id: string): Promise<Response> {
  return api(base, 'PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
}

export interface CliProcess {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): CliProcess {
  const proc = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, output: () => out, exited };
}
