/**
 * Starts the real Proconsul agent (`node packages/agent/dist/run.js -dev ...`) on a
 * 127.0.2.x address with free ports, waits until it has a leader, and stops it by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const agentEntry = resolve(repoRoot, 'packages/agent/dist/run.js');

export interface AgentProcess {
  ip: string;
  httpAddr: string;
  httpPort: number;
  dnsPort: number;
  nodeName: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function freePort(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, host, () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function leaderReady(httpAddr: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${httpAddr}/v1/status/leader`);
    if (res.status !== 200) return false;
    const leader = (await res.json()) as string;
    return typeof leader === 'string' && leader !== '';
  } catch {
    return false;
  }
}

/** Spawns an agent with `command` (default: node run.js) and the dev flags. Throws with the agent's output if it does not come up in 30 s. */
export async function startAgent(ip: string, opts: { command?: string[]; nodeName?: string } = {}): Promise<AgentProcess> {
  if (!opts.command && !existsSync(agentEntry)) throw new Error(`agent not built: ${agentEntry} (npm run build -w @proconsul/agent)`);
  const httpPort = await freePort(ip);
  const dnsPort = await freePort(ip);
  const nodeName = opts.nodeName ?? `cli-test-${ip.replace(/\./g, '-')}`;
  const command = opts.command ?? [process.execPath, agentEntry];
  const args = [...command.slice(1), '-dev', '-client', ip, '-bind', ip, '-http-port', String(httpPort), '-dns-port', String(dnsPort), '-node', nodeName];
  const child = spawn(command[0]!, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const httpAddr = `${ip}:${httpPort}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}:\n${out.slice(-2000)}`);
    if (await leaderReady(httpAddr)) {
      return { ip, httpAddr, httpPort, dnsPort, nodeName, child, output: () => out, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`agent on ${httpAddr} had no leader within 30 s:\n${out.slice(-2000)}`);
}
