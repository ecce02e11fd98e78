// multi-dc: two datacenters of one server each (dc1 on 127.0.73.51, dc2 on 127.0.74.51) joined
// over the WAN pool. Default-mode GET /v1/kv/foo (100-byte value) on dc1's HTTP API, of dc1's own
// key (the local GET) and of dc2's key with ?dc=dc2 (forwarded: dc1 -> WAN router -> dc2's
// server over agent RPC, answered there), alternately for ROUNDS rounds at CONNS connections.
// The peer is the local GET itself. Ends with `RESULT multi-dc ...` and
// `RATIO multi-dc forwarded_get=<forwarded req/s / local req/s> forwarded_get_p50=<p50 ratio>`.
// Needs the agent built (npm run build) and wrk.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJs, waitHttp, wrk, writeKvScripts, type Run } from './lib/kv-load.js';

const DC1 = '127.0.73.51';
const DC2 = '127.0.74.51';
const DUR = Number(process.env.DUR ?? 8);
const CONNS = Number(process.env.CONNS ?? 16);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const VSIZE = 100;

const procs: ChildProcess[] = [];
process.on('exit', () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
});

function start(work: string, ip: string, dc: string, extra: string[]): void {
  const args = ['-server', '-bootstrap', '-datacenter', dc, '-data-dir', `${work}/${dc}`, '-bind', ip, '-client', ip, '-node', `bench-${dc}`, '-dns-port', '-1', '-log-level', 'warn', ...extra];
  procs.push(spawn(process.execPath, [runJs, ...args], { stdio: ['ignore', 'ignore', 'inherit'] }));
}

const leaderKnown = async (r: Response): Promise<boolean> => r.status === 200 && (await r.json()) !== '';

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'proconsul-multi-dc-'));
  try {
    start(work, DC2, 'dc2', []);
    start(work, DC1, 'dc1', ['-retry-join-wan', DC2, '-retry-interval-wan', '1s']);
    await waitHttp(`http://${DC1}:8500/v1/status/leader`, leaderKnown);
    await waitHttp(`http://${DC2}:8500/v1/status/leader`, leaderKnown);
    // dc2 reachable from dc1 (the WAN join has happened).
    await waitHttp(`http://${DC1}:8500/v1/status/leader?dc=dc2`, leaderKnown);
    for (const [ip, dc] of [[DC1, 'dc1'], [DC2, 'dc2']] as const) {
      const r = await fetch(`http://${ip}:8500/v1/kv/foo`, { method: 'PUT', body: dc.padEnd(VSIZE, 'v') });
      if ((await r.text()) !== 'true') throw new Error(`PUT in ${dc} failed`);
    }
    const check = await (await fetch(`http://${DC1}:8500/v1/kv/foo?dc=dc2&raw`)).text();
    if (!check.startsWith('dc2')) throw new Error(`the forwarded GET did not answer dc2's value: ${check}`);

    const local = writeKvScripts(work, VSIZE, 'foo').get;
    const forwardedDir = join(work, 'fwd');
    mkdirSync(forwardedDir);
    const forwarded = writeKvScripts(forwardedDir, VSIZE, 'foo?dc=dc2').get;
    const base = `http://${DC1}:8500`;
    const runs: Array<{ local: Run; forwarded: Run }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const l = wrk(local, CONNS, base, DUR);
      const f = wrk(forwarded, CONNS, base, DUR);
      runs.push({ local: l, forwarded: f });
      console.log(
        `round ${round}: local GET ${l.rps} req/s (p50 ${l.p50} ms, p99 ${l.p99} ms, non2xx ${l.non2xx}); ` +
          `forwarded GET ?dc=dc2 ${f.rps} req/s (p50 ${f.p50} ms, p99 ${f.p99} ms, non2xx ${f.non2xx}); ratio ${(f.rps / l.rps).toFixed(2)}`,
      );
      if (l.non2xx > 0 || f.non2xx > 0) throw new Error('non-2xx answers: the figures would not mean anything');
    }
    // The median round by ratio: one noisy run on a shared machine does not decide the figure.
    const byRatio = runs.map((r) => ({ r, ratio: r.forwarded.rps / r.local.rps })).sort((a, b) => a.ratio - b.ratio);
    const mid = byRatio[Math.floor(byRatio.length / 2)]!.r;
    console.log(
      `RESULT multi-dc local_get=${mid.local.rps} local_get_p50_ms=${mid.local.p50} local_get_p99_ms=${mid.local.p99} ` +
        `forwarded_get=${mid.forwarded.rps} forwarded_get_p50_ms=${mid.forwarded.p50} forwarded_get_p99_ms=${mid.forwarded.p99} conns=${CONNS} duration_s=${DUR} rounds=${ROUNDS}`,
    );
    console.log(`RATIO multi-dc forwarded_get=${(mid.forwarded.rps / mid.local.rps).toFixed(2)} forwarded_get_p50=${(mid.forwarded.p50 / mid.local.p50).toFixed(2)}`);
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
