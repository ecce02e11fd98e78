// http-read: GET /v1/health/service/web?passing req/s with wrk -t2 -c64 against a -dev agent
// (with a registered `web` service), and against a bare fastify server returning the same
// body, in the same run. Ends with `RESULT http-read ...` and `RATIO http-read req_per_s=<x>`.
// `npm run bench -- http-read --acl` is the ACL variant: the agent with ACLs on (default deny)
// read with a token whose policy has 50 rules, against the same agent setup with ACLs off
// (`RESULT http-read-acl ...`, `RATIO http-read-acl req_per_s=<acl/off>`).
// Needs the agent built (npm run build) and wrk installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
const ACL_VARIANT = process.argv.includes('--acl');
const ACL_HTTP_PORT = 18510;
const MGMT = '3b0c5e2a-8f1d-4e6b-9c7a-0d2e4f6a8b10';

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

function wrk(url: string, token?: string): { rps: number; p99: string } {
  const r = spawnSync('wrk', ['-t2', `-c${CONNS}`, `-d${DURATION}`, '--latency', ...(token ? ['-H', `X-Consul-Token: ${token}`] : []), url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const p99 = /^\s+99%\s+(\S+)/m.exec(r.stdout)?.[1] ?? '?';
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk output:\n${r.stdout}`);
  return { rps, p99 };
}

/** A -dev agent on `port` with `web` registered and passing; with `aclFile`, ACLs from that config. */
async function startAgent(port: number, aclFile?: string): Promise<string> {
  const agent = spawn(
    process.execPath,
    [join(repoRoot, 'packages/agent/dist/run.js'), '-dev', '-client', HOST, '-bind', HOST, '-http-port', String(port), '-dns-port', '-1', '-log-level', 'warn',
      '-serf-lan-port', String(port + 1), '-server-port', String(port + 2), ...(aclFile ? ['-config-file', aclFile] : [])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(agent);
  const base = `http://${HOST}:${port}`;
  await waitHttp(`${base}/v1/status/leader`);
  const reg = await fetch(`${base}/v1/agent/service/register`, {
    method: 'PUT',
    headers: aclFile ? { 'X-Consul-Token': MGMT } : {},
    body: JSON.stringify({ ID: 'web1', Name: 'web', Tags: ['v1', 'primary'], Port: 8080, Meta: { version: '1' }, Check: { TTL: '10m', Status: 'passing' } }),
  });
  if (reg.status !== 200) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
  return base;
}

async function readBody(base: string, token?: string): Promise<string> {
  let body = '';
  for (let i = 0; i < 50 && !body.includes('web1'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    body = await (await fetch(base + PATH, { headers: token ? { 'X-Consul-Token': token } : {} })).text();
  }
  if (!body.includes('web1')) throw new Error('web did not show up as passing');
  return body;
}

/** A policy of 50 rules (48 that do not match `web`), and a token holding it. */
async function fiftyRuleToken(base: string): Promise<string> {
  const rules = ['service "web" { policy = "read" }', 'node_prefix "" { policy = "read" }'];
  for (let i = 0; rules.length < 50; i++) rules.push(i % 2 ? `service_prefix "svc-${i}-" { policy = "read" }` : `key_prefix "app/${i}/" { policy = "read" }`);
  const h = { 'X-Consul-Token': MGMT };
  const p = await fetch(`${base}/v1/acl/policy`, { method: 'PUT', headers: h, body: JSON.stringify({ Name: 'bench-50', Rules: rules.join('\n') }) });
  if (p.status !== 200) throw new Error(`policy: ${p.status} ${await p.text()}`);
  const t = await fetch(`${base}/v1/acl/token`, { method: 'PUT', headers: h, body: JSON.stringify({ Policies: [{ Name: 'bench-50' }] }) });
  if (t.status !== 200) throw new Error(`token: ${t.status} ${await t.text()}`);
  return ((await t.json()) as { SecretID: string }).SecretID;
}

/** Adjacent rounds of a and b; the median ratio's round is reported. */
function rounds(name: string, a: () => { rps: number; p99: string }, b: () => { rps: number; p99: string }, labels: [string, string]): void {
  const ratios: number[] = [];
  const aRuns: { rps: number; p99: string }[] = [];
  const bRuns: { rps: number; p99: string }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const x = a();
    const y = b();
    aRuns.push(x);
    bRuns.push(y);
    ratios.push(x.rps / y.rps);
    console.log(`round ${round}: ${labels[0]} ${x.rps.toFixed(0)} req/s (p99 ${x.p99}), ${labels[1]} ${y.rps.toFixed(0)} req/s (p99 ${y.p99}), ratio ${(x.rps / y.rps).toFixed(2)}`);
  }
  // The median round: one noisy run on a shared machine does not decide the figure.
  const order = ratios.map((r, i) => [r, i] as const).sort((x, y) => x[0] - y[0]);
  const mid = order[Math.floor(order.length / 2)]![1];
  const x = aRuns[mid]!;
  const y = bRuns[mid]!;
  console.log(`RESULT ${name} req_per_s=${x.rps.toFixed(0)} p99=${x.p99} peer_req_per_s=${y.rps.toFixed(0)} peer_p99=${y.p99} conns=${CONNS} duration=${DURATION} rounds=${ROUNDS}`);
  console.log(`RATIO ${name} req_per_s=${ratios[mid]!.toFixed(2)}`);
}

async function aclVariant(dataDir: string): Promise<void> {
  const aclFile = join(dataDir, 'acl.json');
  writeFileSync(aclFile, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  const off = await startAgent(AGENT_HTTP_PORT);
  const on = await startAgent(ACL_HTTP_PORT, aclFile);
  const token = await fiftyRuleToken(on);
  const bodyOn = await readBody(on, token);
  const bodyOff = await readBody(off);
  console.log(`body: ${bodyOn.length} bytes with ACLs, ${bodyOff.length} without`);
  rounds('http-read-acl', () => wrk(on + PATH, token), () => wrk(off + PATH), ['ACLs on (50-rule token)', 'ACLs off']);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'proconsul-bench-'));
  try {
    if (ACL_VARIANT) return await aclVariant(dataDir);
    const base = await startAgent(AGENT_HTTP_PORT);
    const body = await readBody(base);
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

    rounds('http-read', () => wrk(base + PATH), () => wrk(`http://${HOST}:${PEER_PORT}${PATH}`), ['proconsul', 'bare fastify']);
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
