// Registrator: time from `docker run` returning to the service appearing in
// /v1/health/service/<name>, and from `docker stop` being issued to its removal.
// A real agent, a real engine, registrator in this process. No peer: gliderlabs/registrator
// cannot be fetched here (no image registry); the floor printed instead is how long the
// engine's own event stream takes to report the start, which no registrator can beat.
import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { parseOptions, startRegistrator } from '@proconsul/registrator';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 20);
const IMAGE = 'proconsul/base:bookworm-node20';
const IP = '127.0.0.1';
const HTTP = 28500;

const docker = (...args: string[]) => run('docker', args).then((r) => r.stdout.trim());
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function waitHealth(name: string, present: boolean, index = 0): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await fetch(`http://${IP}:${HTTP}/v1/health/service/${name}?index=${index}&wait=10s`);
    const body = (await res.json()) as unknown[];
    if ((body.length > 0) === present) return;
    index = Number(res.headers.get('x-consul-index') ?? 0);
  }
  throw new Error(`${name} did not ${present ? 'appear' : 'disappear'}`);
}

await run(join(root, 'deploy/base-image/build.sh'), [IMAGE]);
const agent = spawn(process.execPath, [join(root, 'packages/agent/dist/run.js'), '-dev', '-bind', IP, '-client', IP, '-http-port', String(HTTP), '-dns-port', '28600', '-log-level', 'warn'], { stdio: 'inherit' });
try {
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://${IP}:${HTTP}/v1/status/leader`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const silent = { info: () => {}, error: (l: string) => console.error(l) };
  const registrator = await startRegistrator(parseOptions([`consul://${IP}:${HTTP}`]), { hostname: 'bench', log: silent });
  const engine = new Docker();
  const register: number[] = [];
  const deregister: number[] = [];
  const eventFloor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const name = `bench${i}`;
    const events = (await engine.getEvents({ filters: { type: ['container'], event: ['start'] } })) as NodeJS.ReadableStream & { destroy(): void };
    const sawStart = new Promise<number>((ok) => events.once('data', () => ok(performance.now())));
    const appeared = waitHealth(name, true).then(() => performance.now());
    await docker('run', '-d', '--name', `pcbench-${i}`, '--label', 'proconsul.bench=registrator', '-e', `SERVICE_NAME=${name}`, '-p', '127.0.0.1::80', IMAGE, 'node', '-e', "require('http').createServer((q,s)=>s.end()).listen(80)");
    const t1 = performance.now();
    register.push(Math.max(0, (await appeared) - t1));
    eventFloor.push(Math.max(0, (await sawStart) - t1));
    events.destroy();
    const t2 = performance.now();
    const removed = waitHealth(name, false).then(() => performance.now());
    await docker('stop', '-t', '5', `pcbench-${i}`);
    deregister.push((await removed) - t2);
    await docker('rm', '-f', `pcbench-${i}`);
  }
  await registrator.stop();
  console.log(`registrator runs=${RUNS} register_ms p50=${pct(register, 50).toFixed(1)} p99=${pct(register, 99).toFixed(1)} deregister_ms p50=${pct(deregister, 50).toFixed(1)} p99=${pct(deregister, 99).toFixed(1)} engine_event_floor_ms p50=${pct(eventFloor, 50).toFixed(1)}`);
  console.log(`RESULT registrator register_p50_ms=${pct(register, 50).toFixed(1)} deregister_p50_ms=${pct(deregister, 50).toFixed(1)} engine_event_floor_p50_ms=${pct(eventFloor, 50).toFixed(1)}`);
} finally {
  const left = (await docker('ps', '-aq', '--filter', 'label=proconsul.bench=registrator')).split('\n').filter(Boolean);
  if (left.length > 0) await docker('rm', '-f', ...left);
  agent.kill('SIGTERM');
}
