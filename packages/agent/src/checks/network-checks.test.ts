// UDP, H2PING and gRPC checks against real servers on 127.0.62.140: a UDP echo and a silent
// UDP socket, node:http2 servers (cleartext and TLS with a self-signed certificate), and a
// gRPC server from @grpc/grpc-js serving grpc.health.v1 (an implementation independent of ours).
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckRunner } from './runner.js';
import { startCheck } from './start.js';
import { UpdateCollector } from './testing/collector.js';
import { startHealthServer, type HealthServer } from './testing/grpc-health-server.js';
import { decodeHealthStatus, encodeHealthRequest } from './grpc.js';
import { validateCheckType, parseCheckType } from './definition.js';

const HOST = '127.0.62.140';
const runners: CheckRunner[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
let dir: string;
let tls: { key: Buffer; cert: Buffer };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'proconsul-net-checks-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=checks.test',
    '-addext', 'subjectAltName=DNS:checks.test',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  tls = { key: await readFile(path.join(dir, 'key.pem')), cert: await readFile(path.join(dir, 'cert.pem')) };
});
afterEach(async () => {
  for (const r of runners.splice(0)) r.stop();
  for (const c of cleanups.splice(0)) await c();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(check: Parameters<typeof startCheck>[0]): UpdateCollector {
  const c = new UpdateCollector();
  runners.push(startCheck(check, { onUpdate: c.onUpdate, initialDelayMs: 0 }));
  return c;
}

async function udpSocket(echo: boolean): Promise<string> {
  const s = dgram.createSocket('udp4');
  if (echo) s.on('message', (m, r) => s.send(m, r.port, r.address));
  await new Promise<void>((r) => s.bind(0, HOST, r));
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  return `${HOST}:${s.address().port}`;
}

describe('udp check', () => {
  it('passes on an answer, and on silence until the timeout (as Consul)', async () => {
    const echo = await udpSocket(true);
    expect(await run({ UDP: echo, Interval: '10s', Timeout: '2s' }).nth(1)).toEqual({ status: 'passing', output: `UDP connect ${echo}: Success` });
    const silent = await udpSocket(false);
    expect(await run({ UDP: silent, Interval: '10s', Timeout: '300ms' }).nth(1)).toEqual({ status: 'passing', output: `UDP connect ${silent}: Success` });
  });

  it('is critical when the port is unreachable (ICMP: connection refused)', async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, HOST, r));
    const closed = `${HOST}:${s.address().port}`;
    await new Promise<void>((r) => s.close(() => r()));
    const u = await run({ UDP: closed, Interval: '10s', Timeout: '2s' }).nth(1);
    expect(u.status).toBe('critical');
    expect(u.output).toMatch(new RegExp(`^read udp [\\d.]+:\\d+->${closed}: read: connection refused$`));
  });
});

describe('h2ping check', () => {
  it('passes against HTTP/2 in cleartext (H2PingUseTLS false) and over TLS (TLSSkipVerify, TLSServerName)', async () => {
    const clear = http2.createServer();
    await new Promise<void>((r) => clear.listen(0, HOST, r));
    cleanups.push(() => new Promise<void>((r) => clear.close(() => r())));
    const clearAddr = `${HOST}:${(clear.address() as AddressInfo).port}`;
    expect(await run({ H2PING: clearAddr, H2PingUseTLS: false, Interval: '10s' }).nth(1)).toEqual({ status: 'passing', output: 'HTTP2 ping was successful' });

    const secure = http2.createSecureServer(tls);
    await new Promise<void>((r) => secure.listen(0, HOST, r));
    cleanups.push(() => new Promise<void>((r) => secure.close(() => r())));
    const secureAddr = `${HOST}:${(secure.address() as AddressInfo).port}`;
    expect(await run({ H2PING: secureAddr, TLSSkipVerify: true, Interval: '10s' }).nth(1)).toEqual({ status: 'passing', output: 'HTTP2 ping was successful' });
    // TLS is the default, and an untrusted certificate fails.
    const untrusted = await run({ H2PING: secureAddr, TLSServerName: 'checks.test', Interval: '10s' }).nth(1);
    expect(untrusted.status).toBe('critical');
    expect(untrusted.output).toMatch(/^Failed to ping server: .*(self[- ]signed|certificate)/i);
    // Cleartext against a TLS server fails.
    expect((await run({ H2PING: secureAddr, H2PingUseTLS: false, Interval: '10s', Timeout: '1s' }).nth(1)).status).toBe('critical');
  });
});

describe('grpc check', () => {
  const track = async (s: HealthServer): Promise<string> => {
    cleanups.push(() => s.close());
    return s.address;
  };
  it('frames the health messages as protobuf does', () => {
    expect([...encodeHealthRequest('web')]).toEqual([0, 0, 0, 0, 5, 0x0a, 3, 0x77, 0x65, 0x62]);
    expect([...encodeHealthRequest('')]).toEqual([0, 0, 0, 0, 0]);
    expect(decodeHealthStatus(Buffer.from([0, 0, 0, 0, 2, 0x08, 1]))).toBe(1);
    expect(decodeHealthStatus(Buffer.from([0, 0, 0, 0, 0]))).toBe(0);
  });

  it('passes on SERVING and is critical otherwise, per service (host:port/service)', async () => {
    const addr = await track(await startHealthServer(HOST, { '': 1, web: 1, db: 2 }));
    expect(await run({ GRPC: addr, Interval: '10s' }).nth(1)).toEqual({ status: 'passing', output: `gRPC check ${addr}: success` });
    expect(await run({ GRPC: `${addr}/web`, Interval: '10s' }).nth(1)).toEqual({ status: 'passing', output: `gRPC check ${addr}/web: success` });
    expect(await run({ GRPC: `${addr}/db`, Interval: '10s' }).nth(1)).toEqual({ status: 'critical', output: `gRPC ${addr}/db serving status: NOT_SERVING` });
    expect(await run({ GRPC: `${addr}/nope`, Interval: '10s' }).nth(1)).toEqual({ status: 'critical', output: 'rpc error: code = NotFound desc = unknown service' });
  });

  it('speaks TLS with GRPCUseTLS (TLSSkipVerify), and is critical when nothing listens', async () => {
    const addr = await track(await startHealthServer(HOST, { '': 1 }, tls));
    expect(await run({ GRPC: addr, GRPCUseTLS: true, TLSSkipVerify: true, Interval: '10s' }).nth(1)).toEqual({ status: 'passing', output: `gRPC check ${addr}: success` });
    const refused = await run({ GRPC: `${HOST}:1`, Interval: '10s' }).nth(1);
    expect(refused.status).toBe('critical');
    expect(refused.output).toMatch(/^rpc error: code = Unavailable desc = /);
  });
});

describe('definitions', () => {
  it('accepts Consul fields in any case and validates addresses and intervals', () => {
    expect(parseCheckType({ grpc: 'a:1/x', grpc_use_tls: true, h2ping: 'b:2', h2ping_use_tls: false, udp: 'c:3' })).toEqual({ GRPC: 'a:1/x', GRPCUseTLS: true, H2PING: 'b:2', H2PingUseTLS: false, UDP: 'c:3' });
    expect(() => validateCheckType({ UDP: 'nohost', Interval: '10s' })).toThrow('address nohost: missing port in address');
    expect(() => validateCheckType({ GRPC: 'a:1/svc' })).toThrow('Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks');
  });
});
