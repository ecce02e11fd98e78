// The lb image's nginx configuration (deploy/lb), run by a real nginx on 127.0.9.x with two
// backends: one that accepted the request and never answers (its host died with the request in
// flight: no answer, no reset) and one that answers. A GET must still be answered, by the other
// backend, after the read timeout. Needs only nginx, no Docker.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, stopProcess, tempDir, waitFor } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './stack.js';

const IP = '127.0.9.41';
const scratchDir = tempDir('pct-lb-conf-');
const dir = scratchDir.path;
const held: Socket[] = [];
/** Requests the silent backend received (their first line). */
const silentSaw: string[] = [];
const silent = createTcpServer((s) => {
  held.push(s);
  s.once('data', (d) => silentSaw.push(d.toString('latin1').split('\r\n')[0]!));
});
const answering: Server = createHttpServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('answered'));
});
const running: ChildProcess[] = [];

/** Listens on a free port of IP; resolves with it. */
function listen(s: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((res) => s.listen(0, IP, () => res((s.address() as { port: number }).port)));
}

/** The upstream's server lines: the silent backend, then the answering one. */
let upstreamServers = '';

/**
 * A runnable copy of one of the lb's configurations: the same `location /` (its proxy
 * directives are what is under test), with this test's address, scratch paths and backends.
 */
function runnable(name: 'nginx.conf.ctmpl' | 'nginx.handwritten.conf', port: number): string {
  let text = readFileSync(join(repoRoot, 'deploy/lb', name), 'utf8');
  if (name === 'nginx.conf.ctmpl') {
    // The template is the site (conf.d/web.conf): render its upstream by hand, wrap it in an http block.
    text = text.replace(/\{\{- range service "web" \}\}[\s\S]*?\{\{- end \}\}/, upstreamServers);
    text = `worker_processes 1;\nevents { worker_connections 64; }\nhttp {\n${text}\n}\n`;
  } else {
    text = text.replace(/server 127\.0\.0\.1:65535;/, upstreamServers).replace(/^pid .*$/m, '');
  }
  expect(text).not.toContain('{{');
  const scratch = join(dir, name);
  mkdirSync(scratch, { recursive: true });
  const paths = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${scratch}/${k};`).join(' ');
  text = text
    .replace(/listen 80 default_server;/, `listen ${IP}:${port};`)
    .replace(/http \{/, `http {\n  ${paths}\n  access_log off;`)
    .replace(/^error_log .*$/m, '');
  return `daemon off;\nmaster_process off;\npid ${scratch}/nginx.pid;\nerror_log ${scratch}/error.log warn;\n${text}`;
}

async function startNginx(name: 'nginx.conf.ctmpl' | 'nginx.handwritten.conf'): Promise<number> {
  const port = await freePort(IP);
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, runnable(name, port));
  const p = spawn('nginx', ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.push(p);
  let stderr = '';
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor(async () => {
    if (p.exitCode !== null) throw new Error(`nginx (${name}) exited: ${stderr.trim()}`);
    return listening(port);
  }, `nginx (${name}) listening on ${IP}:${port}`, 5_000);
  return port;
}

/** Whether nginx accepts connections (a request would already go to a backend). */
function listening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const c = connect({ host: IP, port }, () => {
      c.destroy();
      res(true);
    });
    c.on('error', () => res(false));
  });
}

/** One GET through nginx; resolves with status, body and how long it took. */
function get(port: number, timeoutMs: number): Promise<{ status: number; body: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((res, rej) => {
    const req = request({ host: IP, port, path: '/', agent: false, timeout: timeoutMs }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body, ms: Date.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', rej);
    req.end();
  });
}

beforeAll(async () => {
  const silentPort = await listen(silent);
  const answeringPort = await listen(answering);
  upstreamServers = `server ${IP}:${silentPort};\n  server ${IP}:${answeringPort};`;
});

afterAll(async () => {
  await Promise.all(running.map((p) => stopProcess(p)));
  for (const s of held) s.destroy();
  await new Promise((r) => silent.close(r));
  await new Promise((r) => answering.close(r));
  scratchDir.remove();
});

describe.each(['nginx.conf.ctmpl', 'nginx.handwritten.conf'] as const)('deploy/lb/%s: a backend whose host died with the request in flight', (name) => {
  it('the GET is answered by the next backend after the read timeout', async () => {
    const port = await startNginx(name);
    silentSaw.length = 0;
    // Round robin: one of the first two requests goes to the silent backend.
    const answers = [];
    for (let i = 0; i < 2 && silentSaw.length === 0; i++) answers.push(await get(port, 8_000));
    expect(silentSaw).toEqual(['GET / HTTP/1.0']);
    for (const a of answers) expect(a).toMatchObject({ status: 200, body: 'answered' });
    // The one the silent backend held waited for the read timeout (3 s), not nginx's default 60 s.
    expect(answers.at(-1)!.ms).toBeGreaterThanOrEqual(2_500);
  });
});
