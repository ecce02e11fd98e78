// http-read: GET /v1/health/service/web?passing req/s with wrk -t2 -c64 against a -dev agent
// (with a registered `web` service), and against a bare fastify server returning the same
// body, in the same run. Ends with `RESULT http-read ...` and `RATIO http-read req_per_s=<x>`.
// Needs the agent built (npm run build) and wrk installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.1.60';
const AGENT_HTTP_PORT = 18500;
const PEER_PORT = 18580;
const DURATION = process.env.DUR ?? '8s';
/** Rounds of agent-then-peer runs; the machine is shared, so adjacent runs are compared. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNS = process.env.CONNS ?? '64';
const PATH = '/v1/health/service/web?passing';

const children: ChildProcess[] = [];
const cleanup = (): void => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

async function waitHttp(url: string, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

function wrk(url: string): { rps: number; p99: string } {
  const r = spawnSync('wrk', ['-t2', `-c${CONNS}`, `-d${DURATION}`, '--latency', url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const p99 = /^\s+99%\s+(\S+)/m.exec(r.stdout)?.[1] ?? '?';
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${r.stdout}`);
  return { rps, p99 };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'proconsul-bench-'));
  try {
    const agent = spawn(
      process.execPath,
      [join(repoRoot, 'packages/agent/dist/run.js'), '-dev', '-client', HOST, '-bind', HOST, '-http-port', String(AGENT_HTTP_PORT), '-dns-port', '-1', '-log-level', 'warn'],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(agent);
    const base = `http://${HOST}:${AGENT_HTTP_PORT}`;
    await waitHttp(`${base}/v1/status/leader`);
    const reg = await fetch(`${base}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ ID: 'web1', Name: 'web', Tags: ['v1', 'primary'], Port: 8080, Meta: { version: '1' }, Check: { TTL: '10m', Status: 'passing' } }),
    });
    if (reg.status !== 200) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
    let body = '';
    for (let i = 0; i < 50 && !body.includes('web1'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = await (await fetch(base + PATH)).text();
    }
    if (!body.includes('web1')) throw new Error('web did not show up as passing');
    console.log(`body: ${body.length} bytes`);

    // The peer: a bare fastify server in its own process, returning the same bytes.
    const peerSrc = `
      import Fastify from 'fastify';
      const body = ${JSON.stringify(body)};
      const app = Fastify({ logger: false });
      app.get('/v1/health/service/web', (req, reply) => reply.header('content-type', 'application/json').send(body));
      await app.listen({ host: ${JSON.stringify(HOST)}, port: ${PEER_PORT} });
    `;
    const peer = spawn(process.execPath, ['--input-type=module', '-e', peerSrc], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(peer);
    await waitHttp(`http://${HOST}:${PEER_PORT}${PATH}`);

    const ratios: number[] = [];
    const agentRuns: { rps: number; p99: string }[] = [];
    const peerRuns: { rps: number; p99: string }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const a = wrk(base + PATH);
      const p = wrk(`http://${HOST}:${PEER_PORT}${PATH}`);
      agentRuns.push(a);
      peerRuns.push(p);
      ratios.push(a.rps / p.rps);
      console.log(`round ${round}: proconsul ${a.rps.toFixed(0)} req/s (p99 ${a.p99}), bare fastify ${p.rps.toFixed(0)} req/s (p99 ${p.p99}), ratio ${(a.rps / p.rps).toFixed(2)}`);
    }
    // The median round: one noisy run on a shared machine does not decide the figure.
    const order = ratios.map((r, i) => [r, i] as const).sort((x, y) => x[0] - y[0]);
    const mid = order[Math.floor(order.length / 2)]![1];
    const a = agentRuns[mid]!;
    const p = peerRuns[mid]!;
    console.log(`RESULT http-read req_per_s=${a.rps.toFixed(0)} p99=${a.p99} peer_req_per_s=${p.rps.toFixed(0)} peer_p99=${p.p99} conns=${CONNS} duration=${DURATION} rounds=${ROUNDS}`);
    console.log(`RATIO http-read req_per_s=${ratios[mid]!.toFixed(2)}`);
  } finally {
    cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  cleanup();
  process.exit(1);
});
