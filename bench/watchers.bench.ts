// watchers: the cost of recursive blocking watchers (`GET /v1/kv/w/?recurse&index=N`, as
// consul-template and `consul watch -type keyprefix` run them) on a 1,000-key prefix, while
// writers change keys under that prefix. With 0, 1, 10 and 100 watchers: KV write throughput
// (8 concurrent writers) and the p99 latency of an unrelated request (/v1/status/leader every
// 10 ms). One `-dev` agent (in memory: CPU, not fsync, is what watchers cost); watchers run in
// a worker thread of this process, so their client work does not delay the writers' loop.
// No peer: the figure compared is 100 watchers against none (goal: less than 2x slower).
// Ends with `RESULT watchers ...`. Needs the agent built (npm run build).
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.62.110';
const PORT = 18562;
const BASE = `http://${HOST}:${PORT}`;
const DUR_MS = Number(process.env.DUR ?? 10) * 1000;
const KEYS = 1000;
const VSIZE = 100;
const WRITERS = 8;
const COUNTS = (process.env.WATCHERS ?? '0 1 10 100').split(' ').map(Number);

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Each watcher: a blocking recursive read, re-issued with the index of the last answer.
const WATCHER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false; let wakes = 0;
parentPort.on('message', () => { stop = true; });
async function watch() {
  let index = 1;
  while (!stop) {
    try {
      const r = await fetch(workerData.url + '&index=' + index + '&wait=5s');
      await r.arrayBuffer();
      index = Number(r.headers.get('x-consul-index')) || index;
      wakes++;
    } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
}
Promise.all(Array.from({ length: workerData.n }, watch)).then(() => parentPort.postMessage(wakes));
`;

async function run(watchers: number): Promise<{ writes: number; p99: number; wakes: number }> {
  let worker: Worker | undefined;
  if (watchers > 0) {
    worker = new Worker(WATCHER_CODE, { eval: true, workerData: { url: `${BASE}/v1/kv/w/?recurse`, n: watchers } });
    await sleep(1000); // let every watcher reach its blocking wait
  }
  const value = 'x'.repeat(VSIZE);
  const deadline = Date.now() + DUR_MS;
  let writes = 0;
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; Date.now() < deadline; i++) {
      const r = await fetch(`${BASE}/v1/kv/w/k${String((w * 997 + i) % KEYS).padStart(4, '0')}`, { method: 'PUT', body: value });
      await r.arrayBuffer();
      if (r.status === 200) writes++;
    }
  };
  const latencies: number[] = [];
  const prober = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const t = performance.now();
      await (await fetch(`${BASE}/v1/status/leader`)).arrayBuffer();
      latencies.push(performance.now() - t);
      await sleep(10);
    }
  };
  await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), prober()]);
  let wakes = 0;
  if (worker) {
    const done = new Promise<number>((r) => worker!.once('message', r));
    worker.postMessage('stop');
    wakes = await done;
    await worker.terminate();
  }
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? NaN;
  return { writes: writes / (DUR_MS / 1000), p99, wakes };
}

async function main(): Promise<void> {
  const agent = spawn(
    process.execPath,
    [join(repoRoot, 'packages/agent/dist/run.js'), '-dev', '-client', HOST, '-bind', HOST, '-http-port', String(PORT), '-dns-port', '-1', '-log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(agent);
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${BASE}/v1/status/leader`)).status === 200) break;
    } catch {
      // not yet listening
    }
    await sleep(100);
  }
  // The 1,000-key prefix, 128 keys per transaction.
  for (let i = 0; i < KEYS; i += 128) {
    const ops = [];
    for (let k = i; k < Math.min(KEYS, i + 128); k++) {
      ops.push({ KV: { Verb: 'set', Key: `w/k${String(k).padStart(4, '0')}`, Value: Buffer.from('x'.repeat(VSIZE)).toString('base64') } });
    }
    const r = await fetch(`${BASE}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops) });
    if (r.status !== 200) throw new Error(`preload failed: ${r.status} ${await r.text()}`);
  }
  await (await fetch(`${BASE}/v1/kv/w/?recurse`)).arrayBuffer(); // the memo's gauges exist from the first read
  const memo = async (): Promise<[number, number]> => {
    const m = (await (await fetch(`${BASE}/v1/agent/metrics`)).json()) as { Gauges: { Name: string; Value: number }[] };
    // Gauge names carry the hostname unless telemetry.disable_hostname.
    const g = (n: string): number => m.Gauges.find((x) => x.Name.endsWith(n))?.Value ?? NaN;
    return [g('.http.read_memo.runs'), g('.http.read_memo.encodings')];
  };
  const figures: string[] = [];
  const results: Record<number, { writes: number; p99: number }> = {};
  for (const n of COUNTS) {
    const [runs0, enc0] = await memo();
    const r = await run(n);
    const [runs1, enc1] = await memo();
    results[n] = r;
    console.log(
      `watchers=${n}: ${r.writes.toFixed(0)} writes/s, /v1/status/leader p99 ${r.p99.toFixed(2)} ms, ` +
        `watcher answers ${r.wakes}, prefix reads ${runs1 - runs0}, encodings ${enc1 - enc0}`,
    );
    figures.push(`writes_${n}=${r.writes.toFixed(0)} leader_p99_ms_${n}=${r.p99.toFixed(2)}`);
  }
  agent.kill('SIGTERM');
  const none = results[0]?.writes;
  const most = results[Math.max(...COUNTS)]?.writes;
  const slowdown = none && most ? (none / most).toFixed(2) : '?';
  console.log(`RESULT watchers ${figures.join(' ')} slowdown_${Math.max(...COUNTS)}=${slowdown} keys=${KEYS} writers=${WRITERS} duration_s=${DUR_MS / 1000}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
