/**
 * `proconsul intention create|get|list|check|match|delete` against a real agent (127.0.93.31),
 * with Consul's output lines and exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { intentionLines, rfc850 } from '../src/commands/intention.js';

let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'proconsul-cli-intention-'));
const cli = (args: string[], stdin?: string): Promise<CliResult> => runCli(args, { addr: agent.httpAddr, ...(stdin !== undefined ? { stdin } : {}), env: { TZ: 'UTC' } });

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.93.31' });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Go time and the get table', () => {
  it("formats RFC850 as Go's time package", () => {
    expect(rfc850('2026-12-07T10:40:05.123Z', 'UTC')).toBe('Monday, 07-Dec-26 10:40:05 UTC');
    expect(rfc850('0001-01-01T00:00:00Z', 'UTC')).toBe('Monday, 01-Jan-01 00:00:00 UTC');
  });

  it('prints the fields that are set', () => {
    const lines = intentionLines({ SourceNS: 'default', SourceName: 'web', DestinationNS: 'default', DestinationName: 'db', Action: 'allow', ID: 'x', Meta: { b: '2', a: '1' }, CreatedAt: '0001-01-01T00:00:00Z' });
    expect(lines.split('\n').map((l) => l.replace(/\s+/g, ' '))).toEqual(expect.arrayContaining(['Source: web', 'Destination: db', 'Action: allow', 'ID: x', 'Meta[a]: 1', 'Meta[b]: 2']));
  });
});

describe('proconsul intention', () => {
  it('create, check, match, get, list', async () => {
    const c = await cli(['intention', 'create', 'web', 'db']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toBe('Created: web => db (allow)\n');
    const d = await cli(['intention', 'create', '-deny', '-meta', 'team=a', '*', 'db']);
    expect(d.stdout).toBe('Created: * => db (deny)\n');
    const twice = await cli(['intention', 'create', 'web', 'db']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^Error creating intention "web => db \(allow\)": Unexpected response code: 400/);
    expect((await cli(['intention', 'check', 'web', 'db'])).stdout).toBe('Allowed\n');
    const denied = await cli(['intention', 'check', 'api', 'db']);
    expect(denied.stdout).toBe('Denied\n');
    expect(denied.code).toBe(1);
    expect((await cli(['intention', 'check', 'web'])).code).toBe(2);
    expect((await cli(['intention', 'match', 'db'])).stdout).toBe('web => db (allow)\n* => db (deny)\n');
    expect((await cli(['intention', 'match', '-source', 'web'])).stdout).toBe('web => db (allow)\n* => db (deny)\n');
    const g = await cli(['intention', 'get', '*', 'db']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/^Source:\s+\*\nDestination:\s+db\nAction:\s+deny\nID:\s+[0-9a-f-]{36}\nMeta\[team\]:\s+a\nCreated At:\s+\w+day, /);
    const l = await cli(['intention', 'list']);
    expect(l.stdout.split('\n')[0]).toMatch(/^ID\s+Source\s+Action\s+Destination\s+Precedence$/);
    expect(l.stdout).toMatch(/\sweb\s+allow\s+db\s+9\n/);
    expect(l.stdout).toMatch(/\s\*\s+deny\s+db\s+8\n/);
  });

  it('-replace, -file from stdin, delete by name and by ID', async () => {
    const r = await cli(['intention', 'create', '-replace', '-deny', 'web', 'db']);
    expect(r.code, r.stderr).toBe(0);
    expect((await cli(['intention', 'check', 'web', 'db'])).stdout).toBe('Denied\n');
    const file = join(dir, 'ixn.json');
    writeFileSync(file, JSON.stringify({ SourceName: 'api', DestinationName: 'cache', Action: 'allow' }));
    expect((await cli(['intention', 'create', '-file', file])).stdout).toBe('Created: api => cache (allow)\n');
    const viaStdin = await cli(['intention', 'create', '-file', '-'], JSON.stringify({ SourceName: 'web', DestinationName: 'cache', Action: 'deny' }));
    expect(viaStdin.stdout).toBe('Created: web => cache (deny)\n');
    // As in Consul, a by-name delete rewrites the entry as a config entry, which may not keep
    // another legacy intention's Meta: that one goes first, by its ID.
    const refused = await cli(['intention', 'delete', 'web', 'db']);
    expect(refused.stderr).toBe('Error deleting the intention: Unexpected response code: 400 (Sources[0].LegacyMeta must be omitted)\n');
    const starId = /ID:\s+(\S+)/.exec((await cli(['intention', 'get', '*', 'db'])).stdout)![1]!;
    expect((await cli(['intention', 'delete', starId])).stdout).toBe('Intention deleted.\n');
    const del = await cli(['intention', 'delete', 'web', 'db']);
    expect(del.stdout, del.stderr).toBe('Intention deleted.\n');
    const gone = await cli(['intention', 'get', 'web', 'db']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('Intention not found with source "web" and destination "db"\n');
    const id = /ID:\s+(\S+)/.exec((await cli(['intention', 'get', 'api', 'cache'])).stdout)![1]!;
    expect((await cli(['intention', 'delete', id])).stdout).toBe('Intention deleted.\n');
    expect((await cli(['intention', 'get', id])).stderr).toBe(`Intention not found with ID "${id}"\n`);
    expect((await cli(['intention', 'create', '-allow', '-deny', 'a', 'b'])).stderr).toBe('Only one of -allow or -deny may be specified.\n');
    expect((await cli(['intention', 'create', 'a'])).stderr).toBe('Error: Must specify two arguments: source and destination\n');
  });

  it('list says so when there are none', async () => {
    expect((await cli(['intention', 'delete', 'web', 'cache'])).code).toBe(0);
    const l = await cli(['intention', 'list']);
    expect(l.code).toBe(2);
    expect(l.stderr).toBe('There are no intentions.\n');
  });
});
