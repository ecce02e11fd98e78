// Helpers for integration tests: spawn the real agent process (dist/run.js), talk real HTTP,
// run real dig. Every wait is bounded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUN_JS = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/run.js');
/** The `proconsul` CLI's entry (packages/cli). */
export const CLI_JS = resolve(RUN_JS, '../../../cli/bin/proconsul.js');

export interface AgentProcess {
  proc: ChildProcess;
  /** http://host:port */
  base: string;
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill9(): Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; throws after `tries` attempts. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, tries = 100, everyMs = 100): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function startAgentProcess(args: string[], httpHostPort: string, opts: { waitForLeader?: boolean } = {}): Promise<AgentProcess> {
  // Another process answering there would pass for ours: refuse to start the test on it.
  const taken = await fetch(`http://${httpHostPort}/v1/status/leader`).then(() => true, () => false);
  if (taken) throw new Error(`${httpHostPort} is already served by another process`);
  const proc = spawn(process.execPath, [RUN_JS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const base = `http://${httpHostPort}`;
  try {
    await eventually(
      async () => {
        if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}: ${out}`);
        const r = await fetch(`${base}/v1/status/leader`);
        if (opts.waitForLeader === false) return true; // answering at all (a client without servers answers 500)
        return r.status === 200 && (await r.json()) !== '';
      },
      `agent at ${base} (output: ${out.slice(-500)})`,
      300, // a loaded CI machine may stall a start for seconds (the agent itself waits as long as it takes)
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    proc,
    base,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface WorkDir {
  path: string;
  remove(): void;
  /** A path inside the dir. */
  file(name: string): string;
  /** Writes `body` as a JSON config file there; returns its path. */
  config(name: string, body: object): string;
  /** The `proconsul` CLI run in the dir, with only PATH in its environment. */
  cli(args: string[]): { status: number | null; stdout: string; stderr: string };
}

/** A temp dir where a TLS test makes its CA and certificates (`proconsul tls`) and config files. */
export function workDir(prefix: string): WorkDir {
  const d = tempDir(prefix);
  const file = (name: string): string => join(d.path, name);
  return {
    ...d,
    file,
    config: (name, body) => {
      writeFileSync(file(name), JSON.stringify(body));
      return file(name);
    },
    cli: (args) => {
      const r = spawnSync(process.execPath, [CLI_JS, ...args], { cwd: d.path, env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8', timeout: 30_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

export async function http(
  base: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json(): any }> {
  const r = await fetch(base + path, { method, body, headers });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: () => JSON.parse(text) };
}

/** `dig +short` against the agent's DNS; returns the answer lines. */
export function dig(server: string, port: number, name: string, type: string, extra: string[] = []): string[] {
  const r = spawnSync('dig', [`@${server}`, '-p', String(port), '+short', '+time=2', '+tries=1', ...extra, name, type], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dig failed: ${r.stdout}${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith(';'));
}

/** Full `dig` output (status line and sections). */
export function digFull(server: string, port: number, name: string, type: string, extra: string[] = []): string {
  const r = spawnSync('dig', [`@${server}`, '-p', String(port), '+time=2', '+tries=1', ...extra, name, type], { encoding: 'utf8' });
  return r.stdout + r.stderr;
}

/** A seeded random source (mulberry32), so a fault schedule replays from its printed seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
