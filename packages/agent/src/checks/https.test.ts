import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRunner } from './runner.js';
import { startCheck } from './start.js';
import { UpdateCollector } from './testing/collector.js';

const HOST = '127.0.8.5';
let dir: string;
let server: https.Server;
let base: string;
const runners: CheckRunner[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'proconsul-https-check-'));
  // A self-signed certificate for the test server, made with the system's openssl.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=proconsul-test',
    '-addext', `subjectAltName=IP:${HOST}`,
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  server = https.createServer(
    { key: await readFile(path.join(dir, 'key.pem')), cert: await readFile(path.join(dir, 'cert.pem')) },
    (_req, res) => res.end('secure'),
  );
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  base = `https://${HOST}:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of runners.splice(0)) r.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('https check', () => {
  it('refuses an untrusted certificate with Go\'s wording', async () => {
    const c = new UpdateCollector();
    runners.push(startCheck({ HTTP: `${base}/`, Interval: '10s' }, { onUpdate: c.onUpdate, initialDelayMs: 0 }));
    expect(await c.nth(1)).toEqual({
      status: 'critical',
      output: `Get "${base}/": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    });
  });

  it('passes with TLSSkipVerify', async () => {
    const c = new UpdateCollector();
    runners.push(startCheck({ HTTP: `${base}/`, Interval: '10s', TLSSkipVerify: true }, { onUpdate: c.onUpdate, initialDelayMs: 0 }));
    expect(await c.nth(1)).toEqual({ status: 'passing', output: `HTTP GET ${base}/: 200 OK Output: secure` });
  });
});
