/**
 * A real Proconsul agent process (-dev) on a 127.0.9.x address, serving the built UI, with
 * an API client for arranging state. restart() brings it back on the same address.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Consul } from '@proconsul/api/node';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const runJs = resolve(repoRoot, 'packages/agent/dist/run.js');

export interface TestAgent {
  readonly url: string;
  readonly consul: Consul;
  stop(): Promise<void>;
  restart(): Promise<void>;
  log(): string;
}

async function waitForLeader(consul: Consul, proc: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}:\n${output()}`);
    try {
      if ((await consul.status.leader()) !== '') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`agent did not elect itself leader in time:\n${output()}`);
}

export async function startAgent(ip: string, httpPort = 8500, dnsPort = 8600): Promise<TestAgent> {
  if (!existsSync(runJs)) throw new Error(`${runJs} is missing: npm run build -w @proconsul/catalog -w @proconsul/dns -w @proconsul/agent`);
  const url = `http://${ip}:${httpPort}`;
  const consul = createClient({ address: `${ip}:${httpPort}` });
  let proc: ChildProcess;
  let out = '';
  const launch = async () => {
    out = '';
    proc = spawn(process.execPath, [runJs, '-dev', '-client', ip, '-bind', ip, '-http-port', String(httpPort), '-dns-port', String(dnsPort), '-log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    await waitForLeader(consul, proc, () => out);
  };
  const stop = async () => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return { url, consul, stop, restart: launch, log: () => out };
}
