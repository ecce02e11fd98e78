/**
 * `proconsul config write|read|list|delete` as a user runs them, against a real dev agent
 * (127.0.90.31): HCL and JSON files, stdin, check-and-set, -filename, Consul's texts and exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { runCli, type CliResult } from './run-cli.js';

let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'proconsul-cli-config-'));
const cli = (args: string[], stdin?: string): Promise<CliResult> => runCli(args, { addr: agent.httpAddr, ...(stdin !== undefined ? { stdin } : {}) });
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.90.31' });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('proconsul config', () => {
  it('writes an HCL entry with snake_case keys, reads it back as JSON, lists it', async () => {
    const hcl = file('web.hcl', 'Kind = "service-defaults"\nName = "web"\nProtocol = "HTTP"\nmesh_gateway {\n  mode = "local"\n}\n');
    const w = await cli(['config', 'write', hcl]);
    expect([w.code, w.stdout, w.stderr]).toEqual([0, 'Config entry written: service-defaults/web\n', '']);
    const r = await cli(['config', 'read', '-kind', 'service-defaults', '-name', 'web']);
    expect(r.code, r.stderr).toBe(0);
    const entry = JSON.parse(r.stdout);
    expect(entry).toMatchObject({ Kind: 'service-defaults', Name: 'web', Protocol: 'http', MeshGateway: { Mode: 'local' } });
    expect(r.stdout).toContain('\n    "Kind": "service-defaults",');
    const j = await cli(['config', 'write', '-'], JSON.stringify({ Kind: 'service-defaults', Name: 'api' }));
    expect(j.stdout).toBe('Config entry written: service-defaults/api\n');
    const l = await cli(['config', 'list', '-kind', 'service-defaults']);
    expect([l.code, l.stdout]).toEqual([0, 'api\nweb\n']);
    const filtered = await cli(['config', 'list', '-kind', 'service-defaults', '-filter', 'Protocol == "http"']);
    expect(filtered.stdout).toBe('web\n');
  });

  it('check-and-set writes and deletes, -filename deletes', async () => {
    const entry = JSON.parse((await cli(['config', 'read', '-kind', 'service-defaults', '-name', 'web'])).stdout);
    const hcl = file('web2.hcl', 'kind = "service-defaults"\nname = "web"\nprotocol = "grpc"\n');
    const stale = await cli(['config', 'write', '-cas', '-modify-index', String(entry.ModifyIndex - 1), hcl]);
    expect([stale.code, stale.stderr]).toEqual([1, 'Config entry not updated: service-defaults/web\n']);
    const fresh = await cli(['config', 'write', '-cas', '-modify-index', String(entry.ModifyIndex), hcl]);
    expect([fresh.code, fresh.stdout]).toEqual([0, 'Config entry written: service-defaults/web\n']);
    const notDeleted = await cli(['config', 'delete', '-kind', 'service-defaults', '-name', 'web', '-cas', '-modify-index', String(entry.ModifyIndex)]);
    expect([notDeleted.code, notDeleted.stderr]).toEqual([1, 'Config entry not deleted: service-defaults/web\n']);
    const d = await cli(['config', 'delete', '-filename', hcl]);
    expect([d.code, d.stdout]).toEqual([0, 'Config entry deleted: service-defaults/web\n']);
    const gone = await cli(['config', 'read', '-kind', 'service-defaults', '-name', 'web']);
    expect([gone.code, gone.stderr]).toEqual([1, 'Error reading config entry service-defaults/web: Unexpected response code: 404 (Config entry not found for "service-defaults" / "web")\n']);
  });

  it('answers bad input with one line and exit 1', async () => {
    const cases: Array<[string[], string, string?]> = [
      [['config', 'write'], 'Must provide exactly one positional argument to specify the config entry to write\n'],
      [['config', 'write', join(dir, 'missing.hcl')], `Failed to load data: Failed to read file: open ${join(dir, 'missing.hcl')}: no such file or directory\n`],
      [['config', 'write', '-'], 'Failed to decode config entry input: 1 error occurred:\n\t* invalid config key "Bogus"\n\n\n', '{"Kind":"service-defaults","Name":"x","Bogus":1}'],
      [['config', 'write', '-'], 'Error writing config entry proxy-defaults/web: Unexpected response code: 400 (invalid name ("web"), only "global" is supported)\n', 'kind = "proxy-defaults"\nname = "web"\n'],
      [['config', 'read', '-name', 'x'], 'Must specify the -kind parameter\n'],
      [['config', 'read', '-kind', 'service-defaults'], 'Must specify the -name parameter\n'],
      [['config', 'list'], 'Must specify the -kind parameter\n'],
      [['config', 'list', '-kind', 'nope'], 'Error listing config entries for kind "nope": Unexpected response code: 400 (invalid config entry kind: nope)\n'],
      [['config', 'delete'], 'Must specify the -kind or -filename parameter\n'],
      [['config', 'delete', '-kind', 'service-defaults', '-name', 'a', '-filename', 'x.hcl'], "filename can't be used with kind or name\n"],
      [['config', 'delete', '-kind', 'service-defaults', '-name', 'a', '-cas'], 'Must specify a -modify-index greater than 0 with -cas\n'],
      [['config', 'delete', '-kind', 'service-defaults', '-name', 'a', '-modify-index', '3'], 'Cannot specify -modify-index without -cas\n'],
    ];
    for (const [args, stderr, stdin] of cases) {
      const r = await cli(args, stdin);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 1, stderr]);
    }
  });
});
