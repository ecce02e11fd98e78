// Test helpers: the Consul HTTP calls the tests arrange state with, and the
// proconsul-template CLI as a child process. The agent process, free ports,
// bounded polling and process stopping come from @proconsul/testing.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { createClient } from '@proconsul/api/node';
import { startAgent, stopProcess, tempDir, waitFor, type AgentProcess, type TempDir } from '@proconsul/testing';
import { fileURLToPath } from 'node:url';
import { defaultConfig, Runner, type RunnerConfig, type TemplateConfig } from '../src/index.js';
import { createLogger } from '../src/runner/log.js';

export const cliPath = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/proconsul-template.js');

/** A template rendered into `dir`, with the settings the runner tests use. */
export function templateIn(dir: string, name: string, contents: string): TemplateConfig {
  return { contents, destination: join(dir, name), commandTimeoutMs: 10_000, backup: false, errorOnMissingKey: false, createDestDirs: true, minInstances: 0 };
}

/** An in-process Runner against an agent's HTTP address; warnings and errors go to `logs`. */
export function runnerAgainst(httpAddr: string, templates: TemplateConfig[], logs: string[] = []): Runner {
  const config: RunnerConfig = { ...defaultConfig(), templates, blockWaitMs: 10_000 };
  return new Runner({ config, client: createClient({ address: httpAddr }), log: createLogger('warn', (l) => logs.push(l)) });
}

export interface PeeredPair {
  a: AgentProcess;
  b: AgentProcess;
  dir: TempDir;
  stop(): Promise<void>;
}

/**
 * Two single-server clusters peered: A (dc1) accepts as `cluster-b` (with `meta`), B (dc2) dials
 * it as `cluster-a`; returns once A sees the peering ACTIVE. `dir` is a temporary directory.
 */
export async function startPeeredPair(ips: [string, string], prefix: string, meta: Record<string, string> = {}): Promise<PeeredPair> {
  const dir = tempDir(prefix);
  const args = (dc: string) => ['-datacenter', dc, '-log-level', 'warn'];
  const [a, b] = await Promise.all([startAgent({ ip: ips[0], extraArgs: args('dc1') }), startAgent({ ip: ips[1], extraArgs: args('dc2') })]);
  const stop = async () => {
    await Promise.all([a.stop(), b.stop()]);
    dir.remove();
  };
  try {
    const token = ((await (await api(a.url, 'POST', '/v1/peering/token', { PeerName: 'cluster-b', Meta: meta })).json()) as { PeeringToken: string }).PeeringToken;
    await api(b.url, 'POST', '/v1/peering/establish', { PeerName: 'cluster-a', PeeringToken: token });
    await waitFor(async () => ((await (await fetch(`${a.url}/v1/peering/cluster-b`)).json()) as { State: string }).State === 'ACTIVE', 'the peering ACTIVE on A', 30_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { a, b, dir, stop };
}

/** A file's text, '' while it does not exist. */
export const readOrEmpty = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');

/** A shell command that writes its environment to `file` as JSON. */
export const dumpEnvCommand = (file: string): string => `${process.execPath} -e "require('fs').writeFileSync('${file}', JSON.stringify(process.env))"`;
/** The environment a dumpEnvCommand wrote. */
export const readEnvFile = (file: string): Record<string, string> => JSON.parse(readOrEmpty(file)) as Record<string, string>;

/**
 * GET through nginx on a connection of its own: "status body". A reload closes nginx's idle
 * keep-alive connections, so a pooled one may be closed under the next request.
 */
export function getOnce(url: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
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

export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): CliProcess {
  const proc = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, output: () => out, exited };
}

/** nginx's temp directories under `dir` (nginx as a test's child, not the system's), as directives. */
export function nginxScratch(dir: string, indent = '  '): string {
  const kinds = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  for (const d of kinds) mkdirSync(join(dir, d), { recursive: true });
  return kinds.map((d) => `${indent}${d}_temp_path ${dir}/${d};`).join('\n');
}

/** Stops what an nginx test started: the CLI, nginx (graceful), the backends, the agent; removes `dir`. */
export async function stopAll(s: { cli?: CliProcess; nginx?: ChildProcess; backends: Server[]; agent?: { stop(): Promise<void> }; dir: string }): Promise<void> {
  if (s.cli) await stopProcess(s.cli.proc);
  if (s.nginx) await stopProcess(s.nginx, 'SIGQUIT');
  for (const b of s.backends) b.close();
  await s.agent?.stop();
  rmSync(s.dir, { recursive: true, force: true });
}
