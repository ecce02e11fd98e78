// The agent config's gossip keys on real agent processes (127.0.66.61-67): gossip encryption
// rolled out over a running cluster as Consul's tutorial does it (encrypt_verify_incoming and
// encrypt_verify_outgoing off, then outgoing on, then both), disable_keyring_file, a client's
// advertise_reconnect_timeout reaping it from the members and the catalog after a kill -9, and
// -serf-lan-bind, and serf_lan_allowed_cidrs (127.0.66.91-93).
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent, tempDir, waitFor, type AgentProcess, type TempDir } from '@proconsul/testing';

const started: AgentProcess[] = [];
const dirs: TempDir[] = [];

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
  for (const d of dirs) d.remove();
});

function dir(): string {
  const d = tempDir('pc-gossip-config-');
  dirs.push(d);
  return d.path;
}

async function agent(ip: string, node: string, args: string[], dev = false): Promise<AgentProcess> {
  const a = await startAgent({ ip, nodeName: node, extraArgs: args, dev });
  started.push(a);
  return a;
}

interface Member { Name: string; Status: number; Tags: Record<string, string> }
const get = async (a: AgentProcess, path: string): Promise<{ status: number; body: any }> => {
  const r = await fetch(`${a.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  return { status: r.status, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
};
const members = async (a: AgentProcess): Promise<Member[]> => (await get(a, '/v1/agent/members')).body;
const aliveNames = async (a: AgentProcess): Promise<string> => (await members(a)).filter((m) => m.Status === 1).map((m) => m.Name).sort().join();
const encrypted = async (a: AgentProcess): Promise<string> => (await get(a, '/v1/agent/self')).body.Stats.serf_lan.encrypted;

describe('gossip encryption enabled on a running cluster (encrypt_verify_incoming / encrypt_verify_outgoing)', () => {
  it('keeps a server and a client together through each rolling restart, then keeps out an agent without the key', async () => {
    const key = randomBytes(32).toString('base64');
    const [sConf, cConf] = [join(dir(), 'server.json'), join(dir(), 'client.json')];
    const setConfig = (extra: Record<string, unknown>) => {
      for (const f of [sConf, cConf]) writeFileSync(f, JSON.stringify(extra));
    };
    setConfig({});
    const server = await agent('127.0.66.61', 'rollout-server', ['-server', '-bootstrap', '-data-dir', dir(), '-config-file', sConf]);
    const client = await agent('127.0.66.62', 'rollout-client', ['-data-dir', dir(), '-retry-join', '127.0.66.61', '-retry-interval', '1s', '-config-file', cConf]);
    const together = async (step: string) => {
      for (const a of [server, client]) await waitFor(async () => (await aliveNames(a)) === 'rollout-client,rollout-server', `both alive at ${a.nodeName} (${step})`, 30_000);
    };
    await together('plaintext');
    expect([await encrypted(server), await encrypted(client)]).toEqual(['false', 'false']);

    // 1. Every agent gets the key, but sends plaintext and still takes plaintext.
    setConfig({ encrypt: key, encrypt_verify_incoming: false, encrypt_verify_outgoing: false });
    await server.restart();
    await together('server has the key, client not yet');
    await client.restart();
    await together('both have the key, verification off');
    // 2. Every agent encrypts what it sends.
    setConfig({ encrypt: key, encrypt_verify_incoming: false, encrypt_verify_outgoing: true });
    for (const a of [server, client]) {
      await a.restart();
      await together(`${a.nodeName} sends encrypted`);
    }
    // 3. Every agent refuses plaintext (the defaults).
    setConfig({ encrypt: key });
    for (const a of [server, client]) {
      await a.restart();
      await together(`${a.nodeName} verifies both ways`);
    }
    expect([await encrypted(server), await encrypted(client)]).toEqual(['true', 'true']);

    const outsider = await agent('127.0.66.63', 'rollout-outsider', [], true);
    const refused = await fetch(`${outsider.url}/v1/agent/join/127.0.66.61`, { method: 'PUT' });
    expect(refused.status).toBe(500);
    expect(await aliveNames(outsider)).toBe('rollout-outsider');
    expect(await aliveNames(server)).toBe('rollout-client,rollout-server');
  }, 180_000);
});

describe('disable_keyring_file and advertise_reconnect_timeout', () => {
  it('keeps no keyring file, and reaps a killed client after its own reconnect timeout, deregistering its node', async () => {
    const key = randomBytes(16).toString('base64');
    const serverDir = dir();
    const server = await agent('127.0.66.64', 'reap-server', ['-server', '-bootstrap', '-data-dir', serverDir, '-encrypt', key, '-disable-keyring-file']);
    expect(await encrypted(server)).toBe('true');
    expect(existsSync(join(serverDir, 'serf', 'local.keyring'))).toBe(false);
    expect((await get(server, '/v1/agent/self')).body.DebugConfig).toMatchObject({ DisableKeyringFile: true, ReconnectTimeoutLAN: '0s', AdvertiseReconnectTimeout: '0s' });

    const client = await agent('127.0.66.65', 'reap-client', [
      '-data-dir', dir(), '-retry-join', '127.0.66.64', '-retry-interval', '1s', '-encrypt', key, '-hcl', 'advertise_reconnect_timeout = "2s"',
    ]);
    expect((await get(client, '/v1/agent/self')).body.DebugConfig.AdvertiseReconnectTimeout).toBe('2s');
    const seen = await waitFor(async () => (await members(server)).find((m) => m.Name === 'reap-client' && m.Status === 1), 'the client alive at the server');
    expect(seen.Tags.rc_tm).toBe('2s');
    await waitFor(async () => (await get(server, '/v1/catalog/node/reap-client')).body?.Node?.Node === 'reap-client', 'the client in the catalog');

    client.child.kill('SIGKILL');
    await waitFor(async () => (await members(server)).find((m) => m.Name === 'reap-client')?.Status === 4, 'the client failed', 30_000);
    const failedAt = Date.now();
    await waitFor(async () => !(await members(server)).some((m) => m.Name === 'reap-client'), 'the client reaped', 30_000);
    // Reaped 2 s after it failed (the reaper looks every second), not after Consul's 72 h.
    expect(Date.now() - failedAt).toBeGreaterThan(1500);
    await waitFor(async () => (await get(server, '/v1/catalog/node/reap-client')).body === null, 'the reaped node deregistered', 15_000);
  }, 120_000);
});

describe('-serf-lan-bind', () => {
  it('binds the LAN gossip to its own address', async () => {
    const a = await agent('127.0.66.66', 'serf-bind', ['-serf-lan-bind', '127.0.66.67'], true);
    expect((await get(a, '/v1/agent/self')).body.DebugConfig.SerfBindAddrLAN).toBe('tcp://127.0.66.67:8301');
    const b = await agent('127.0.66.68', 'serf-bind-joiner', [], true);
    expect((await fetch(`${b.url}/v1/agent/join/127.0.66.66`, { method: 'PUT' })).status).toBe(500);
    expect((await fetch(`${b.url}/v1/agent/join/127.0.66.67`, { method: 'PUT' })).status).toBe(200);
  });
});

describe('serf_lan_allowed_cidrs', () => {
  it('keeps out an agent whose address is not in the list', async () => {
    // A TCP join from the loopback comes from 127.0.0.1 (the kernel's source for 127/8), so it is listed too.
    const guarded = await agent('127.0.66.91', 'cidr-guarded', ['-hcl', 'serf_lan_allowed_cidrs = ["127.0.0.1/32", "127.0.66.91/32", "127.0.66.92/32"]'], true);
    expect((await get(guarded, '/v1/agent/self')).body.DebugConfig.SerfAllowedCIDRsLAN).toEqual(['127.0.0.1/32', '127.0.66.91/32', '127.0.66.92/32']);
    const listed = await agent('127.0.66.92', 'cidr-listed', [], true);
    const other = await agent('127.0.66.93', 'cidr-other', [], true);
    expect((await fetch(`${listed.url}/v1/agent/join/127.0.66.91`, { method: 'PUT' })).status).toBe(200);
    await waitFor(async () => (await aliveNames(guarded)) === 'cidr-guarded,cidr-listed', 'the listed agent alive at the guarded one');
    await fetch(`${other.url}/v1/agent/join/127.0.66.91`, { method: 'PUT' });
    await waitFor(async () => (await aliveNames(listed)).includes('cidr-other'), 'the listed agent takes the other in');
    await new Promise((r) => setTimeout(r, 2000));
    expect(await aliveNames(guarded)).toBe('cidr-guarded,cidr-listed');
  });
});
