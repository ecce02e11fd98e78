// Agent cache entries keyed as Consul keys them, on real processes (127.0.121.1 server, .2
// client with acl.tokens.default set): the token is resolved before the cache is asked (Consul's
// parse() -> parseTokenWithDefault), so no token and the default token are one entry; and
// `/v1/agent/connect/ca/roots` reads no `?pem` (agent_endpoint.go AgentConnectCARoots): it
// answers JSON from the one roots entry whatever the query says.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.121.1';
const CLIENT = '127.0.121.2';
const DEFAULT_TOKEN = '6a1b0e2c-7d3f-4e5a-9b8c-0d1e2f3a4b5c';
const OTHER_TOKEN = 'f0e1d2c3-b4a5-4968-8776-655443322110';
const dir = tempDir('agent-cache-keys-');
let server: AgentProcess;
let client: AgentProcess;

async function start(ip: string, args: string[], waitForLeader = true): Promise<AgentProcess> {
  return startAgentProcess(['-data-dir', join(dir.path, ip), '-bind', ip, '-client', ip, '-node', `n-${ip}`, '-dns-port', '-1', '-log-level', 'warn', ...args], `${ip}:8500`, { waitForLeader });
}

const onClient = (path: string, headers: Record<string, string> = {}) => http(client.base, 'GET', path, undefined, headers);
const xcache = async (path: string, headers: Record<string, string> = {}) => (await onClient(path, headers)).headers.get('x-cache');

beforeAll(async () => {
  server = await start(SERVER, ['-server', '-bootstrap']);
  const cfg = join(dir.path, 'client.json');
  writeFileSync(cfg, JSON.stringify({ acl: { tokens: { default: DEFAULT_TOKEN } } }));
  client = await start(CLIENT, ['-retry-join', SERVER, '-retry-interval', '1s', '-config-file', cfg], false);
  await eventually(async () => {
    const r = await onClient('/v1/connect/ca/roots');
    return r.status === 200 && (r.json() as { ActiveRootID: string }).ActiveRootID !== '' ? true : undefined;
  }, 'the client to see the CA roots', 200);
  const reg = await http(server.base, 'PUT', '/v1/catalog/register', JSON.stringify({ Node: 'ext1', Address: '10.0.0.1', Service: { Service: 'web', Port: 80 } }));
  expect(reg.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await client?.kill9();
  await server?.kill9();
  dir.remove();
});

describe('one cache entry per resolved token', () => {
  it('the CA roots: no token, then the default token in any form, hit one entry; another token is its own', async () => {
    expect(await xcache('/v1/agent/connect/ca/roots')).toBe('MISS');
    expect(await xcache('/v1/agent/connect/ca/roots', { 'X-Consul-Token': DEFAULT_TOKEN })).toBe('HIT');
    expect(await xcache(`/v1/agent/connect/ca/roots?token=${DEFAULT_TOKEN}`)).toBe('HIT');
    expect(await xcache('/v1/agent/connect/ca/roots', { Authorization: `Bearer ${DEFAULT_TOKEN}` })).toBe('HIT');
    expect(await xcache('/v1/agent/connect/ca/roots', { 'X-Consul-Token': OTHER_TOKEN })).toBe('MISS');
    expect(await xcache('/v1/agent/connect/ca/roots', { 'X-Consul-Token': OTHER_TOKEN })).toBe('HIT');
  });

  it('a ?cached read: the default token given explicitly hits the entry a tokenless read made', async () => {
    expect(await xcache('/v1/health/service/web?cached')).toBe('MISS');
    expect(await xcache('/v1/health/service/web?cached', { 'X-Consul-Token': DEFAULT_TOKEN })).toBe('HIT');
    expect(await xcache('/v1/catalog/service/web?cached', { 'X-Consul-Token': DEFAULT_TOKEN })).toBe('MISS');
    expect(await xcache('/v1/catalog/service/web?cached')).toBe('HIT');
  });
});

describe('/v1/agent/connect/ca/roots ignores ?pem', () => {
  it('answers the cached JSON for ?pem, ?pem=true and a value that is no boolean', async () => {
    const plain = await onClient('/v1/agent/connect/ca/roots');
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    for (const q of ['?pem', '?pem=true', '?pem=nonsense']) {
      const r = await onClient(`/v1/agent/connect/ca/roots${q}`);
      expect([q, r.status, r.headers.get('x-cache')]).toEqual([q, 200, 'HIT']);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.json()).toEqual(plain.json());
    }
    // The servers' endpoint still answers PEM for ?pem (a different endpoint).
    const pem = await onClient('/v1/connect/ca/roots?pem=true');
    expect([pem.status, pem.headers.get('content-type')]).toEqual([200, 'application/pem-certificate-chain']);
  });
});
