// Template benchmark: catalog change -> file written -> command done, with
// `-wait 0`. A real agent (packages/agent) and the real proconsul-template CLI
// run on 127.0.4.31; each iteration registers or deregisters a `bench`
// instance over HTTP and measures until the template's command has run (the
// command stamps the wall clock into a marker file) and until the file was
// written (its mtime).
//
// Peer: HashiCorp consul-template is not installable on this machine (no
// network access to releases.hashicorp.com and no Debian package), so no peer
// runs and no RATIO line is printed.
//
//   npm run bench -- template      (ITER=100 by default)

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IP = '127.0.4.31';
const ITER = Number(process.env.ITER ?? 100);
const WARMUP = 5;

const nowMs = () => performance.timeOrigin + performance.now();

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, IP, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function stop(p: ChildProcess | undefined): Promise<void> {
  return new Promise((res) => {
    if (!p || p.exitCode !== null || p.signalCode !== null) return res();
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('exit', () => {
      clearTimeout(t);
      res();
    });
    p.kill('SIGTERM');
  });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  for (const f of ['packages/agent/dist/run.js', 'packages/template/dist/bin.js']) {
    if (!existsSync(join(repoRoot, f))) throw new Error(`${f} is missing: npm run build first`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pct-bench-'));
  const httpPort = await freePort();
  const dnsPort = await freePort();
  const base = `http://${IP}:${httpPort}`;
  let agent: ChildProcess | undefined;
  let cli: ChildProcess | undefined;
  try {
    agent = spawn(process.execPath, [join(repoRoot, 'packages/agent/dist/run.js'), '-dev', '-client', IP, '-bind', IP, '-http-port', String(httpPort), '-dns-port', String(dnsPort), '-log-level', 'warn'], { stdio: 'ignore' });
    await until(async () => (await (await fetch(`${base}/v1/status/leader`)).json()) !== '', 'agent leader', 30_000);

    const src = join(dir, 'bench.ctmpl');
    const dest = join(dir, 'bench.conf');
    const marker = join(dir, 'marker');
    writeFileSync(src, 'upstream bench {\n{{- range service "bench" }}\n  server {{ .Address }}:{{ .Port }};\n{{- else }}\n  server 127.0.0.1:65535;\n{{- end }}\n}\n');
    writeFileSync(marker, '');
    // The command stamps wall-clock nanoseconds: when it ran, the change was fully handled.
    cli = spawn(process.execPath, [join(repoRoot, 'packages/template/bin/proconsul-template.js'), '-consul-addr', `${IP}:${httpPort}`, '-wait', '0', '-log-level', 'warn', '-template', `${src}:${dest}:date +%s%N >> ${marker}`], { stdio: 'ignore' });
    await until(() => readFileSync(marker, 'utf8').split('\n').filter(Boolean).length >= 1, 'first render');

    const toCommand: number[] = [];
    const toWrite: number[] = [];
    let present = false;
    for (let i = 0; i < ITER + WARMUP; i++) {
      const before = readFileSync(marker, 'utf8').split('\n').filter(Boolean).length;
      const t0 = nowMs();
      if (present) {
        await fetch(`${base}/v1/agent/service/deregister/bench-1`, { method: 'PUT' });
      } else {
        await fetch(`${base}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify({ Name: 'bench', ID: 'bench-1', Address: '127.0.4.32', Port: 8000 + (i % 1000) }) });
      }
      present = !present;
      const lines = await until(() => {
        const l = readFileSync(marker, 'utf8').split('\n').filter(Boolean);
        return l.length > before ? l : undefined;
      }, `command after change ${i}`);
      const cmdMs = Number(BigInt(lines[lines.length - 1]!) / 1000n) / 1000;
      const writeMs = Number(statSync(dest, { bigint: true }).mtimeNs / 1000n) / 1000;
      if (i >= WARMUP) {
        toCommand.push(cmdMs - t0);
        toWrite.push(writeMs - t0);
      }
    }
    toCommand.sort((a, b) => a - b);
    toWrite.sort((a, b) => a - b);
    const f = (n: number) => n.toFixed(1);
    console.log(`iterations=${ITER} (after ${WARMUP} warm-up), -wait 0, agent and CLI on ${IP}`);
    console.log(`change -> file written:  p50 ${f(pct(toWrite, 50))} ms  p99 ${f(pct(toWrite, 99))} ms`);
    console.log(`change -> command done:  p50 ${f(pct(toCommand, 50))} ms  p99 ${f(pct(toCommand, 99))} ms  max ${f(toCommand[toCommand.length - 1]!)} ms`);
    console.log('peer: HashiCorp consul-template is not installable here (no release download, no Debian package); no peer run, no RATIO');
    console.log(`RESULT template change_to_command_p50_ms=${f(pct(toCommand, 50))} p99_ms=${f(pct(toCommand, 99))}`);
  } finally {
    await stop(cli);
    await stop(agent);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`template bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
