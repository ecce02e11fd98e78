// Drives the compose stack of deploy/ on a real Docker engine: npm start / npm stop (with
// this test's project name and ports), compose, docker inspect, HTTP through the published
// ports, dig against the agent's DNS port.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeCommand, composeFile, topology } from '../../deploy/stack.mjs';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * Host ports of this test's stack (127.0.0.1 only): not the defaults (80, 8500, 8600), so a
 * user's stack or another test is not in the way; given through the variables npm start reads.
 */
export const ports = {
  lb: Number(process.env.E2E_LB_PORT ?? 18080),
  http: Number(process.env.E2E_HTTP_PORT ?? 18501),
  dns: Number(process.env.E2E_DNS_PORT ?? 18601),
};

/**
 * The ACL token of this test's HTTP reads (the stack denies by default): the management token
 * the stack generated, set once it is up (Stack.upOnce); empty for a stack without ACLs.
 */
export const acl = { token: '' };

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command; rejects with its output when it exits non-zero or runs past the timeout. */
export function run(file: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(file, args, { cwd: repoRoot, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 << 20, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      if (err) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
        reject(new Error(`${file} ${args.join(' ')} failed (${err.code ?? err.signal ?? err.message}):\n${tail}`));
        return;
      }
      resolvePromise({ stdout, stderr });
    });
  });
}

/** Fails with a clear message when no Docker engine answers: these tests are never skipped. */
export async function requireDocker(): Promise<void> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
  } catch (err) {
    throw new Error(`no Docker engine answers (start dockerd; .ci/run does): ${(err as Error).message}`);
  }
  if (!composeCommand()) throw new Error('neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)');
}

/** One compose project: a unique name, so parallel runs and leftovers never mix. */
export class Stack {
  readonly project = `${process.env.E2E_PROJECT_PREFIX ?? 'pce2e'}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  readonly env = {
    PROCONSUL_PROJECT: this.project,
    PROCONSUL_LB_PORT: String(ports.lb),
    PROCONSUL_HTTP_PORT: String(ports.http),
    PROCONSUL_DNS_PORT: String(ports.dns),
  };
  readonly file = composeFile(topology());

  compose(args: string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const [cmd, ...pre] = composeCommand() ?? ['docker-compose'];
    return run(cmd!, [...pre, '-p', this.project, '-f', this.file, ...args], { timeoutMs, env: { ...this.env, ...env } });
  }

  private setup?: Promise<number>;
  /** Set once a Docker engine answered (teardown has something to clean). */
  dockerAnswered = false;

  /**
   * Docker check and `npm start`, once; resolves with how long the start took. Not a
   * beforeAll: when it fails (no Docker engine), every test fails with its message instead
   * of being reported as skipped.
   */
  upOnce(): Promise<number> {
    this.setup ??= (async () => {
      await requireDocker();
      this.dockerAnswered = true;
      // Builds the base image when missing and the images from the current tree (only what changed).
      const ms = (await this.start(1_500_000)).ms;
      if (topology() === 'cluster') acl.token = await this.managementToken();
      return ms;
    })();
    return this.setup;
  }

  /** The management token the stack generated at its first start (cluster topology). */
  async managementToken(): Promise<string> {
    return (await this.compose(['exec', '-T', 'server-1', 'cat', '/consul/management/token'], 30_000)).stdout.trim();
  }

  /** After the tests: logs when one failed, then `npm stop -v`, and nothing of the project may be left. */
  async teardown(failed: boolean): Promise<void> {
    if (!this.dockerAnswered) return;
    if (failed) {
      const logs = await this.compose(['logs', '--no-color', '--tail', '40']).catch((err: Error) => ({ stdout: err.message }));
      console.error(`logs of ${this.project}:\n${logs.stdout}`);
    }
    await this.destroy();
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${this.project}`]);
    if (stdout.trim() !== '') throw new Error(`containers left behind: ${stdout.trim()}`);
  }

  /** `npm start` for this project and these ports; resolves with its output and how long it took. */
  async start(timeoutMs: number): Promise<RunResult & { ms: number }> {
    const t0 = Date.now();
    const r = await run(process.execPath, [resolve(repoRoot, 'scripts/start.mjs')], { timeoutMs, env: this.env });
    return { ...r, ms: Date.now() - t0 };
  }

  /** Running containers of a compose service, with their address on the project network. */
  async containers(service: string): Promise<Array<{ id: string; ip: string }>> {
    const { stdout } = await run('docker', ['ps', '-q', '--no-trunc',
      '--filter', `label=com.docker.compose.project=${this.project}`,
      '--filter', `label=com.docker.compose.service=${service}`]);
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const inspected = await run('docker', ['inspect', '-f', '{{.Id}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', ...ids]);
    return inspected.stdout.split('\n').filter(Boolean).map((line) => {
      const [id = '', ip = ''] = line.split(' ');
      return { id, ip };
    });
  }

  /** Removes the project's containers, networks and volumes, whatever state they are in. */
  async destroy(): Promise<void> {
    await run(process.execPath, [resolve(repoRoot, 'scripts/stop.mjs'), '-v'], { env: this.env, timeoutMs: 120_000 }).catch((err: Error) => console.error(err.message));
    const label = `label=com.docker.compose.project=${this.project}`;
    const leftovers = async (kind: string[], filter: string[]) => (await run('docker', [...kind, ...filter, '--filter', label]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    const containers = await leftovers(['ps'], ['-aq']);
    if (containers.length) await run('docker', ['rm', '-f', '-v', ...containers]).catch(() => undefined);
    const networks = await leftovers(['network', 'ls'], ['-q']);
    if (networks.length) await run('docker', ['network', 'rm', ...networks]).catch(() => undefined);
    const volumes = await leftovers(['volume', 'ls'], ['-q']);
    if (volumes.length) await run('docker', ['volume', 'rm', '-f', ...volumes]).catch(() => undefined);
  }
}

/** One answer of the web demo through nginx: "N requests from <client> to WebServer <ip>". */
export interface Answer {
  status: number;
  body: string;
  /** The backend that served it, from the body; undefined when the body is not the demo's. */
  backend?: string;
}

const DEMO_BODY = /^(\d+) requests from (\S+) to WebServer (\S+)\n?$/;

/**
 * One GET on a fresh connection (as `curl` in a loop): nginx closes idle keep-alive connections
 * when it reloads, and a client that reuses one at that instant must retry (curl and browsers
 * do); a fresh connection per request keeps that client-side race out of the failure count.
 */
export function get(url: string): Promise<Answer> {
  return new Promise((resolvePromise) => {
    const req = httpGet(url, { agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const m = DEMO_BODY.exec(body);
        resolvePromise({ status: res.statusCode ?? 0, body, ...(m ? { backend: m[3] } : {}) });
      });
      res.on('error', (err) => resolvePromise({ status: 0, body: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', (err) => resolvePromise({ status: 0, body: err.message }));
  });
}

/** `count` requests through the load balancer, one after another (nginx's round robin). */
export async function sample(count: number, url = `http://127.0.0.1:${ports.lb}/`): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) answers.push(await get(url));
  return answers;
}

export function backends(answers: Answer[]): string[] {
  return [...new Set(answers.map((a) => a.backend ?? `(status ${a.status}: ${a.body.trim().slice(0, 60)})`))].sort();
}

/** A records of a name from the agent's DNS interface, by dig over UDP or TCP. */
export async function digA(name: string, tcp = false): Promise<string[]> {
  const args = ['@127.0.0.1', '-p', String(ports.dns), name, 'A', '+short', '+time=2', '+tries=2', ...(tcp ? ['+tcp'] : [])];
  const { stdout } = await run('dig', args, { timeoutMs: 15_000 });
  return stdout.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l)).sort();
}

/**
 * SRV answers for a name, as "address:port" sorted: each SRV target (`<hex ip>.addr.dc1.consul.`)
 * resolved through the A records of the additional section, as a client would.
 */
export async function digSRV(name: string): Promise<string[]> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(ports.dns), name, 'SRV', '+noall', '+answer', '+additional', '+time=2', '+tries=2'], { timeoutMs: 15_000 });
  const a = new Map<string, string>();
  const srv: Array<{ target: string; port: string }> = [];
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[3] === 'A') a.set(f[0]!, f[4]!);
    if (f[3] === 'SRV') srv.push({ port: f[6]!, target: f[7]! });
  }
  return srv.map((r) => `${a.get(r.target) ?? `(no A record for ${r.target})`}:${r.port}`).sort();
}

/** Passing instances of a service from the agent's health endpoint, as addresses. */
export async function passingAddresses(service: string): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${ports.http}/v1/health/service/${service}?passing`, {
    signal: AbortSignal.timeout(5_000),
    headers: acl.token ? { 'X-Consul-Token': acl.token } : {},
  });
  if (res.status !== 200) throw new Error(`/v1/health/service/${service}?passing: HTTP ${res.status}`);
  const entries = (await res.json()) as Array<{ Service: { Address: string; Port: number } }>;
  return entries.map((e) => e.Service.Address).sort();
}

/**
 * Polls `probe` until `done` holds for its value: bounded by `timeoutMs`; the error names what
 * was awaited and the last value seen.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const seen = lastError ? `error: ${(lastError as Error).message}` : JSON.stringify(last);
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
}

export interface LoadResult {
  total: number;
  failed: number;
  /** Up to 10 failures: status and the start of the body or error. */
  failures: string[];
  /** When each failed request was sent and when it ended (ms since the epoch). */
  failedSpans: Array<{ sentAt: number; endedAt: number }>;
  slowestMs: number;
}

/**
 * A steady, bounded request load through the lb (loopback only): `workers` loops, each one
 * request at a time with `pauseMs` between; stops when asked or after `maxMs`.
 */
export function startLoad(opts: { workers?: number; pauseMs?: number; maxMs?: number; url?: string } = {}): { stop: () => Promise<LoadResult> } {
  const { workers = 4, pauseMs = 20, maxMs = 180_000, url = `http://127.0.0.1:${ports.lb}/` } = opts;
  const result: LoadResult = { total: 0, failed: 0, failures: [], failedSpans: [], slowestMs: 0 };
  const deadline = Date.now() + maxMs;
  let stopped = false;
  const loop = async () => {
    while (!stopped && Date.now() < deadline) {
      const t0 = Date.now();
      const a = await get(url);
      result.slowestMs = Math.max(result.slowestMs, Date.now() - t0);
      result.total++;
      if (a.status !== 200) {
        result.failed++;
        result.failedSpans.push({ sentAt: t0, endedAt: Date.now() });
        if (result.failures.length < 10) result.failures.push(`${a.status} ${a.body.trim().slice(0, 80)} (sent at ${clock(t0)})`);
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const running = Promise.all(Array.from({ length: workers }, loop));
  return {
    stop: async () => {
      stopped = true;
      await running;
      return result;
    },
  };
}

/** A wall-clock time to the millisecond (UTC), to line up a test's events with logs. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** Time from now until requests through the lb have been answered by `count` distinct backends. */
export async function timeToServe(count: number, timeoutMs = 30_000, url = `http://127.0.0.1:${ports.lb}/`): Promise<number> {
  const t0 = Date.now();
  const seen = new Set<string>();
  while (Date.now() - t0 < timeoutMs) {
    const a = await get(url);
    if (a.status === 200 && a.backend) seen.add(a.backend);
    if (seen.size >= count) return Date.now() - t0;
  }
  throw new Error(`only ${seen.size} of ${count} backends answered within ${timeoutMs} ms`);
}
