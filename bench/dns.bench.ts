// DNS benchmark: dnsperf A and SRV queries/s against Proconsul and against dnsmasq
// (../shared/peers/dns_bench.sh) in the same run, same query mix (web1..web5).
// Proconsul target: the real agent (packages/agent/dist/run.js -dev, web1..web5 registered
// over HTTP) when it answers DNS; otherwise the DNS server with the in-memory backend.
// Knobs: DUR (seconds per run, default 10), RUNS (per type, default 2), CLIENTS (4), OUTSTANDING (100),
// TARGET=memory to skip the agent and measure the DNS server alone.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDnsServer } from '../packages/dns/src/index.js';
import { MemoryBackend } from '../packages/dns/src/testing/memory-backend.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const peers = resolve(repoRoot, '../shared/peers');
const DUR = Number(process.env['DUR'] ?? 10);
const RUNS = Number(process.env['RUNS'] ?? 2);
const CLIENTS = Number(process.env['CLIENTS'] ?? 4);
const OUTSTANDING = Number(process.env['OUTSTANDING'] ?? 100);
const HOST = '127.0.3.200';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a command without blocking the event loop (the in-memory server lives in this process). */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(out));
    child.on('error', () => resolve(out));
  });
}

async function dig(port: number, name: string, type: string): Promise<string> {
  return (await run('dig', ['+short', '+time=1', '+tries=1', '-p', String(port), `@${HOST}`, name, type])).trim();
}

/** dnsperf one run; returns queries/s. */
async function dnsperf(port: number, file: string, seconds = DUR): Promise<number> {
  const out = await run('dnsperf', [
    '-s', HOST, '-p', String(port), '-d', file, '-l', String(seconds), '-c', String(CLIENTS), '-T', '1', '-q', String(OUTSTANDING),
  ]);
  const m = /Queries per second:\s+([\d.]+)/.exec(out);
  const lost = /Queries lost:\s+(\d+)/.exec(out);
  const codes = /Response codes:\s+(.*)/.exec(out);
  console.log(`  dnsperf qps=${m?.[1] ?? '?'} lost=${lost?.[1] ?? '?'} codes=${codes?.[1] ?? '?'}`);
  return m ? Number(m[1]) : 0;
}

/** Try the real agent: returns its DNS port if it comes up and answers web1. */
async function startAgent(): Promise<{ port: number; child: ChildProcess; dataDir: string } | undefined> {
  const run = join(repoRoot, 'packages/agent/dist/run.js');
  if (!existsSync(run)) return undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'proconsul-dns-bench-'));
  const child = spawn('node', [run, '-dev', '-client', HOST, '-bind', HOST, '-node', 'bench'], {
    cwd: dataDir,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const http = `http://${HOST}:8500`;
  let up = false;
  for (let i = 0; i < 50 && child.exitCode === null; i++) {
    try {
      const r = await fetch(`${http}/v1/status/leader`);
      if (r.ok) {
        up = true;
        break;
      }
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  if (up) {
    for (let i = 1; i <= 5; i++) {
      await fetch(`${http}/v1/agent/service/register`, {
        method: 'PUT',
        body: JSON.stringify({ Name: `web${i}`, ID: `web${i}`, Address: `127.0.0.${10 + i}`, Port: 8080 + i }),
      }).catch(() => undefined);
    }
    for (let i = 0; i < 25; i++) {
      if ((await dig(8600, 'web1.service.consul', 'A')) === '127.0.0.11') return { port: 8600, child, dataDir };
      await sleep(200);
    }
  }
  child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  return undefined;
}

/** A bare Node UDP server sending one fixed answer: the ceiling for any Node DNS server here. */
async function nodeEchoCeiling(file: string): Promise<number> {
  const code = `
    const s = require('node:dgram').createSocket('udp4');
    const r = Buffer.from('0000818000010001000000000477656231077365727669636506636f6e73756c0000010001c00c000100010000000000047f00000b', 'hex');
    s.on('message', (m, a) => { const o = Buffer.allocUnsafe(r.length); r.copy(o); o[0] = m[0]; o[1] = m[1]; s.send(o, a.port, a.address); });
    s.bind(0, '${HOST}', () => console.log(s.address().port));
    process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
  const child = spawn('node', ['-e', code], { stdio: ['pipe', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  try {
    return await dnsperf(port, file);
  } finally {
    child.stdin.end();
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'proconsul-dns-bench-q-'));
  writeFileSync(join(work, 'q_a.txt'), [1, 2, 3, 4, 5].map((i) => `web${i}.service.consul A`).join('\n') + '\n');
  writeFileSync(join(work, 'q_srv.txt'), [1, 2, 3, 4, 5].map((i) => `_web${i}._tcp.service.consul SRV`).join('\n') + '\n');

  let target: string;
  let port: number;
  let stop: () => Promise<void>;
  const agent = process.env['TARGET'] === 'memory' ? undefined : await startAgent();
  if (agent) {
    target = 'real agent (packages/agent/dist/run.js -dev, web1..web5 registered over HTTP)';
    port = agent.port;
    stop = async () => {
      agent.child.kill('SIGTERM');
      await sleep(300);
      rmSync(agent.dataDir, { recursive: true, force: true });
    };
  } else {
    target = 'DNS server with the in-memory backend (the agent is not built or does not answer DNS)';
    const backend = new MemoryBackend(['dc1']);
    backend.addNode({ name: 'bench', address: HOST, datacenter: 'dc1' });
    for (let i = 1; i <= 5; i++) {
      backend.addInstance({ node: 'bench', serviceName: `web${i}`, serviceId: `web${i}`, serviceAddress: `127.0.0.${10 + i}`, port: 8080 + i });
    }
    const server = createDnsServer({ backend, host: HOST, port: 0, datacenter: 'dc1' });
    port = (await server.start()).port;
    stop = () => server.close();
  }
  console.log(`== proconsul: ${target} on ${HOST}:${port}`);
  console.log(`sample A:   ${await dig(port, 'web1.service.consul', 'A')}`);
  console.log(`sample SRV: ${await dig(port, '_web1._tcp.service.consul', 'SRV')}`);
  // Load on this shared machine drifts: Proconsul runs before and after the peer, best run kept on both sides.
  const ours: Record<string, number[]> = { a: [], srv: [] };
  let peerOut = '';
  try {
    const round = async () => {
      for (const type of ['a', 'srv']) ours[type]!.push(await dnsperf(port, join(work, `q_${type}.txt`)));
    };
    console.log('warm-up (2 s, not counted):');
    await dnsperf(port, join(work, 'q_a.txt'), 2);
    await round();
    console.log('== peer: dnsmasq (dns_bench.sh)');
    const peer = spawnSync('bash', [join(peers, 'dns_bench.sh')], {
      encoding: 'utf8',
      env: { ...process.env, DUR: String(DUR), RUNS: String(RUNS), CLIENTS: String(CLIENTS), OUTSTANDING: String(OUTSTANDING) },
    });
    peerOut = peer.stdout ?? '';
    process.stdout.write(peerOut);
    console.log('== proconsul again');
    for (let r = 2; r <= RUNS; r++) await round();
  } finally {
    await stop();
  }
  console.log('== bare Node UDP server (fixed answer), for scale');
  const ceiling = await nodeEchoCeiling(join(work, 'q_a.txt'));
  rmSync(work, { recursive: true, force: true });
  const peerQps = (type: string) => {
    const runs = [...peerOut.matchAll(new RegExp(`SUMMARY dns-dnsmasq type=${type} .*? qps=([\\d.]+)`, 'g'))].map((m) => Number(m[1]));
    return runs.length ? Math.max(...runs) : 0;
  };
  const a = Math.max(...ours['a']!);
  const srv = Math.max(...ours['srv']!);
  const pa = peerQps('A');
  const ps = peerQps('SRV');
  const ratio = (x: number, y: number) => (y > 0 ? (x / y).toFixed(2) : '0');
  console.log(
    `RESULT dns target=${agent ? 'agent' : 'in-memory-backend'} a_qps=${a.toFixed(0)} srv_qps=${srv.toFixed(0)} ` +
      `dnsmasq_a_qps=${pa.toFixed(0)} dnsmasq_srv_qps=${ps.toFixed(0)} node_udp_echo_qps=${ceiling.toFixed(0)}`,
  );
  console.log(`RATIO dns a_qps=${ratio(a, pa)} srv_qps=${ratio(srv, ps)}`);
}

await main();
