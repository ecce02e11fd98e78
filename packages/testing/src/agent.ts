/**
 * The real Proconsul agent as a child process, as `proconsul agent -dev` runs it:
 * `node packages/agent/dist/run.js -dev -client IP -bind IP -http-port P -dns-port Q -node N`,
 * ready once /v1/status/leader names a leader. Stopped by PID; restart() brings it back on the
 * same address and ports (a fresh -dev agent: its state is gone, as with Consul's -dev).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { agentEntry, repoRoot } from './paths.js';
import { freePorts } from './ports.js';
import { stopProcess } from './process.js';

export interface StartAgentOptions {
  /** Address for -bind and -client (use your own 127.x.y.z: the server port 8300 is fixed). */
  ip: string;
  /** -http-port; a free port by default. */
  httpPort?: number;
  /** -dns-port; a free port by default. */
  dnsPort?: number;
  /** -node; `test-<ip with dashes>` by default. */
  nodeName?: string;
  /** Flags after the standard ones, e.g. ['-log-level', 'warn'] or ['-encrypt', key, '-retry-join', ip]. */
  extraArgs?: string[];
  /** Pass -dev (default true); false for `-server -bootstrap -data-dir D` given in extraArgs. */
  dev?: boolean;
  /** The program and its leading arguments; default [node, packages/agent/dist/run.js]. */
  command?: string[];
  /** How long to wait for a leader before giving up (default 30 s). */
  timeoutMs?: number;
}

export interface AgentProcess {
  readonly ip: string;
  readonly httpPort: number;
  readonly dnsPort: number;
  /** "ip:port", as CONSUL_HTTP_ADDR takes it. */
  readonly httpAddr: string;
  /** "http://ip:port". */
  readonly url: string;
  readonly nodeName: string;
  /** The current process (a new one after restart()). */
  readonly child: ChildProcess;
  /** The current process' stdout and stderr interleaved (the last 100,000 characters). */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** stop(), then start again on the same ports and wait for a leader. */
  restart(): Promise<void>;
}

const OUTPUT_LIMIT = 100_000;

async function hasLeader(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/status/leader`, { signal: AbortSignal.timeout(2_000) });
    if (res.status !== 200) return false;
    const leader = (await res.json()) as unknown;
    return typeof leader === 'string' && leader !== '';
  } catch {
    return false;
  }
}

/** Starts an agent and waits for its leader; throws with the agent's output if it exits or has none in time. */
export async function startAgent(opts: StartAgentOptions): Promise<AgentProcess> {
  const { ip } = opts;
  if (!opts.command && !existsSync(agentEntry)) throw new Error(`agent not built: ${agentEntry} (npm run build -w @proconsul/agent)`);
  // The ports not given, distinct from each other and from the given ones.
  const given = [opts.httpPort, opts.dnsPort].filter((p): p is number => p !== undefined);
  const picked = await freePorts(ip, 2 - given.length, given);
  const httpPort = opts.httpPort ?? picked.shift()!;
  const dnsPort = opts.dnsPort ?? picked.shift()!;
  const nodeName = opts.nodeName ?? `test-${ip.replace(/\./g, '-')}`;
  const command = opts.command ?? [process.execPath, agentEntry];
  const args = [
    ...command.slice(1),
    ...(opts.dev === false ? [] : ['-dev']), '-client', ip, '-bind', ip,
    '-http-port', String(httpPort), '-dns-port', String(dnsPort),
    '-node', nodeName,
    ...(opts.extraArgs ?? []),
  ];
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const httpAddr = `${ip}:${httpPort}`;
  const url = `http://${httpAddr}`;
  let child!: ChildProcess;
  let out = '';

  const stop = () => (child ? stopProcess(child) : Promise.resolve());

  const launch = async () => {
    out = '';
    let spawnError: Error | undefined;
    const proc = spawn(command[0]!, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.once('error', (err) => (spawnError = err));
    const append = (d: Buffer) => (out = (out + d.toString()).slice(-OUTPUT_LIMIT));
    proc.stdout!.on('data', append);
    proc.stderr!.on('data', append);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`agent did not start (${command[0]}): ${spawnError.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`agent exited with ${proc.exitCode ?? proc.signalCode}:\n${out.slice(-2_000)}`);
      }
      if (await hasLeader(url)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopProcess(proc);
    throw new Error(`agent on ${httpAddr} had no leader within ${timeoutMs / 1000} s:\n${out.slice(-2_000)}`);
  };

  const restart = async () => {
    await stop();
    await launch();
  };

  await launch();
  return {
    ip,
    httpPort,
    dnsPort,
    httpAddr,
    url,
    nodeName,
    get child() {
      return child;
    },
    output: () => out,
    stop,
    restart,
  };
}
