/**
 * `proconsul connect ca get-config|set-config` against a real -dev agent (Connect on, as in
 * Consul's dev mode) on 127.0.91.30: Consul's output and error lines, and a rotation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';
import { startAgent, type AgentProcess } from '@proconsul/testing';

let agent: AgentProcess;
let dir: string;
const cli = (args: string[]): Promise<CliResult> => runCli(args, { addr: agent.httpAddr });

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.91.30' });
  dir = mkdtempSync(join(tmpdir(), 'proconsul-connect-ca-'));
}, 40_000);

afterAll(async () => {
  await agent?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function roots(): Promise<{ ActiveRootID: string; Roots: { ID: string; Active: boolean; PrivateKeyType: string }[] }> {
  for (let i = 0; i < 100; i++) {
    const r = (await (await fetch(`${agent.url}/v1/connect/ca/roots`)).json()) as { ActiveRootID: string; Roots: { ID: string; Active: boolean; PrivateKeyType: string }[] };
    if (r.ActiveRootID) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('no CA root');
}

describe('connect ca', () => {
  it('get-config prints the configuration as Go indents it, with the dev defaults', async () => {
    await roots();
    const r = await cli(['connect', 'ca', 'get-config']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^\{\n\t"Provider": "consul",\n\t"Config": \{\n\t\t"IntermediateCertTTL": "8760h",\n\t\t"LeafCertTTL": "72h",\n\t\t"RootCertTTL": "87600h"\n\t\},\n\t"State": null,\n\t"ForceWithoutCrossSigning": false,\n\t"CreateIndex": \d+,\n\t"ModifyIndex": \d+\n\}\n$/,
    );
  });

  it('set-config replaces the configuration; a new key type rotates the root', async () => {
    const before = await roots();
    const file = join(dir, 'ca.json');
    writeFileSync(file, JSON.stringify({ Provider: 'consul', Config: { LeafCertTTL: '24h', PrivateKeyType: 'rsa', PrivateKeyBits: 2048 } }));
    const r = await cli(['connect', 'ca', 'set-config', `-config-file=${file}`]);
    expect(r).toEqual({ code: 0, stdout: 'Configuration updated!\n', stderr: '' });
    const after = await roots();
    expect(after.ActiveRootID).not.toBe(before.ActiveRootID);
    expect(after.Roots.find((x) => x.ID === before.ActiveRootID)?.Active).toBe(false);
    expect(after.Roots.find((x) => x.Active)?.PrivateKeyType).toBe('rsa');
    const get = await cli(['connect', 'ca', 'get-config']);
    expect(JSON.parse(get.stdout).Config).toEqual({ LeafCertTTL: '24h', PrivateKeyBits: 2048, PrivateKeyType: 'rsa' });
  });

  it('refuses a missing flag, an unreadable file, bad JSON and a config the CA refuses, with one line and exit 1', async () => {
    expect(await cli(['connect', 'ca', 'set-config'])).toEqual({ code: 1, stdout: '', stderr: 'The -config-file flag is required\n' });
    const missing = join(dir, 'missing.json');
    expect(await cli(['connect', 'ca', 'set-config', `-config-file=${missing}`])).toEqual({ code: 1, stdout: '', stderr: `Error reading config file: open ${missing}: no such file or directory\n` });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"Provider":');
    const parsed = await cli(['connect', 'ca', 'set-config', `-config-file=${bad}`]);
    expect(parsed.code).toBe(1);
    expect(parsed.stderr).toMatch(/^Error parsing config file: .+\n$/);
    const short = join(dir, 'short.json');
    writeFileSync(short, JSON.stringify({ Provider: 'consul', Config: { LeafCertTTL: '10m' } }));
    expect(await cli(['connect', 'ca', 'set-config', `-config-file=${short}`])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error setting CA configuration: Unexpected response code: 400 (error configuring provider: leaf cert TTL must be greater or equal than 1h0m0s)\n',
    });
  });
});
