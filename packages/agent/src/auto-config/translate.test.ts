import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { parseAutoConfig, type AutoConfigContext } from './config.js';
import type { AutoConfigResponse } from './response.js';
import { translateConfig } from './translate.js';

const RESPONSE: AutoConfigResponse = {
  Config: {
    Datacenter: 'east',
    PrimaryDatacenter: 'east',
    NodeName: 'web-1',
    SegmentName: '',
    ACL: { Enabled: true, PolicyTTL: '30s', RoleTTL: '30s', TokenTTL: '45s', DownPolicy: 'extend-cache', DefaultPolicy: 'deny', EnableKeyListPolicy: false, Tokens: { Agent: 'agent-secret' } },
    Gossip: { RetryJoinLAN: ['10.0.0.1:8301'], Encryption: { Key: 'pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=', VerifyIncoming: true, VerifyOutgoing: false } },
    TLS: { VerifyOutgoing: true, VerifyServerHostname: true, MinVersion: 'TLSv1_2' },
  },
  ExtraCACertificates: [],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'proconsul-auto-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('translateConfig (Consul config_translate.go)', () => {
  it('is a config source under the files and flags: the servers fill in, the user still overrides', async () => {
    const file = path.join(dir, 'client.json');
    await writeFile(file, JSON.stringify({
      tls: { defaults: { ca_file: '/ca.pem', verify_outgoing: true } },
      acl: { down_policy: 'deny' },
      auto_config: { enabled: true, intro_token: 'jwt', server_addresses: ['10.0.0.1'] },
    }));
    const c = await loadConfig(['-data-dir', dir, '-config-file', file, '-retry-join', '10.0.0.2', '-bind', '10.0.0.5'], {}, { hostname: 'h', interfaces: {} }, translateConfig(RESPONSE));
    expect(c.datacenter).toBe('east');
    expect(c.nodeName).toBe('web-1');
    expect(c.encrypt).toBe(RESPONSE.Config.Gossip!.Encryption!.Key);
    expect([c.encryptVerifyIncoming, c.encryptVerifyOutgoing]).toEqual([true, false]);
    expect(c.retryJoin).toEqual(['10.0.0.1:8301', '10.0.0.2']);
    expect(c.acl).toMatchObject({ enabled: true, defaultPolicy: 'deny', downPolicy: 'deny', tokenTtlMs: 45_000 });
    expect(c.acl.tokens.agent).toBe('agent-secret');
    expect(c.rpcTls).toMatchObject({ verifyOutgoing: true, verifyServerHostname: true, minVersion: 'TLSv1.2' });
  });
});

describe('parseAutoConfig (Consul builder.go)', () => {
  const ctx: AutoConfigContext = { server: false, verifyOutgoing: true, certFile: '', aclsEnabled: false, tokenReplication: false, datacenter: 'dc1', primaryDatacenter: 'dc1', env: {} };

  it('takes CONSUL_INTRO_TOKEN over intro_token with a warning, and drops an ip_sans entry that is no IP', async () => {
    const warnings: string[] = [];
    const a = await parseAutoConfig({ auto_config: { enabled: true, intro_token: 'file-jwt', server_addresses: ['s1'], ip_sans: ['10.0.0.9', 'x'] } }, { ...ctx, env: { CONSUL_INTRO_TOKEN: 'env-jwt' } }, warnings);
    expect(a).toMatchObject({ enabled: true, introToken: 'env-jwt', serverAddresses: ['s1'], ipSans: ['10.0.0.9'] });
    expect(warnings).toEqual([
      'Both auto_config.intro_token and the CONSUL_INTRO_TOKEN environment variable are set. Using the value from the environment variable',
      'Cannot parse ip "x" from auto_config.ip_sans',
    ]);
  });

  it('warns when both intro_token and intro_token_file are set', async () => {
    const warnings: string[] = [];
    await parseAutoConfig({ auto_config: { enabled: true, intro_token: 'a', intro_token_file: '/b', server_addresses: ['s1'] } }, ctx, warnings);
    expect(warnings).toEqual(['Both an intro token and intro token file are set. The intro token will be used instead of the file']);
  });

  it('asks for token replication in a secondary datacenter with ACLs', async () => {
    await expect(parseAutoConfig({ auto_config: { authorization: { enabled: true } } }, { ...ctx, server: true, aclsEnabled: true, datacenter: 'dc2' }, [])).rejects.toThrow(
      'Enabling auto-config authorization (auto_config.authorization.enabled) in non primary datacenters with ACLs enabled (acl.enabled) requires also enabling ACL token replication (acl.enable_token_replication)',
    );
  });
});
