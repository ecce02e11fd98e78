/**
 * The common HTTP flags reach the wire: -token / -token-file / CONSUL_HTTP_TOKEN as
 * X-Consul-Token, -datacenter as ?dc=, -stale as ?stale, unix:// addresses. Uses a recording
 * HTTP server on real sockets, since the agent does not echo tokens back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';

let dir: string;
let tcp: Server;
let unix: Server;
let addr = '';
let sock = '';
let last: IncomingMessage | undefined;

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { addr, env });

const handler = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
  last = req;
  res.writeHead(200, { 'X-Consul-Index': '5' });
  res.end(JSON.stringify([{ LockIndex: 0, Key: 'k', Flags: 0, Value: Buffer.from('v').toString('base64'), CreateIndex: 5, ModifyIndex: 5 }]));
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proconsul-flags-'));
  tcp = createServer(handler);
  unix = createServer(handler);
  await new Promise<void>((r) => tcp.listen(0, '127.0.2.25', r));
  const a = tcp.address();
  addr = typeof a === 'object' && a ? `127.0.2.25:${a.port}` : '';
  sock = join(dir, 'agent.sock');
  await new Promise<void>((r) => unix.listen(sock, r));
});

afterAll(async () => {
  tcp.closeAllConnections();
  unix.closeAllConnections();
  await new Promise((r) => tcp.close(r));
  await new Promise((r) => unix.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('common HTTP flags', () => {
  it('-token wins over CONSUL_HTTP_TOKEN', async () => {
    expect((await cli(['kv', 'get', '-token=flagtok', 'k'], { CONSUL_HTTP_TOKEN: 'envtok' })).stdout).toBe('v\n');
    expect(last?.headers['x-consul-token']).toBe('flagtok');
    await cli(['kv', 'get', 'k'], { CONSUL_HTTP_TOKEN: 'envtok' });
    expect(last?.headers['x-consul-token']).toBe('envtok');
  });

  it('-token-file and CONSUL_HTTP_TOKEN_FILE are read and trimmed', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, '  filetok\n');
    await cli(['kv', 'get', `-token-file=${file}`, 'k']);
    expect(last?.headers['x-consul-token']).toBe('filetok');
    await cli(['kv', 'get', 'k'], { CONSUL_HTTP_TOKEN_FILE: file });
    expect(last?.headers['x-consul-token']).toBe('filetok');
    await cli(['kv', 'get', 'k']);
    expect(last?.headers['x-consul-token']).toBeUndefined();
  });

  it('-datacenter and -stale become ?dc= and ?stale', async () => {
    await cli(['kv', 'get', '-datacenter=dc2', '-stale', 'k']);
    expect(last?.url).toBe('/v1/kv/k?dc=dc2&stale');
  });

  it('-datacenter reaches the ACL commands, as Consul gives them the server flags', async () => {
    await cli(['acl', 'token', 'read', '-datacenter', 'dc2', '-id', 'abc']);
    expect(last?.url).toBe('/v1/acl/token/abc?dc=dc2');
    await cli(['acl', 'policy', 'list', '-datacenter=dc2']);
    expect(last?.url).toBe('/v1/acl/policies?dc=dc2');
  });

  it('unix:// addresses go over the socket', async () => {
    last = undefined;
    const r = await cli(['kv', 'get', 'k'], { CONSUL_HTTP_ADDR: `unix://${sock}` });
    expect(r.stdout).toBe('v\n');
    expect((last as IncomingMessage | undefined)?.url).toBe('/v1/kv/k');
  });
});
