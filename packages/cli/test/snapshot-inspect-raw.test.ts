// `snapshot inspect` of a server's own Raft snapshot file (<data-dir>/raft/snapshot), as
// Consul's inspects a server's raw state.bin: a real server compacts its log into that file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { runCli } from './run-cli.js';

const IP = '127.0.100.1';
let dir: string;
let agent: AgentProcess;
const snapFile = (): string => join(dir, 'data', 'raft', 'snapshot');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proconsul-inspect-raw-'));
  agent = await startAgent({
    ip: IP,
    dev: false,
    extraArgs: ['-server', '-bootstrap', '-data-dir', join(dir, 'data'), '-hcl', 'raft_snapshot_threshold = 32', '-hcl', 'raft_snapshot_interval = "1s"'],
  });
  // Writes until the log is compacted (bounded: the threshold is 32 entries).
  for (let i = 0; i < 400 && !existsSync(snapFile()); i++) {
    const res = await fetch(`${agent.url}/v1/kv/raw/${i % 4}/k${i}`, { method: 'PUT', body: 'v' });
    expect(res.status).toBe(200);
    if (i >= 40) await new Promise((r) => setTimeout(r, 50));
  }
  expect(existsSync(snapFile())).toBe(true);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('snapshot inspect of a raw Raft snapshot', () => {
  it('prints its meta and what the state holds, as for an archive', async () => {
    const cli = (args: string[]) => runCli(args, { addr: agent.httpAddr });
    const json = await cli(['snapshot', 'inspect', '-format=json', snapFile()]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const j = JSON.parse(json.stdout);
    expect(j.Meta.Version).toBe(1);
    expect(j.Meta.Index).toBeGreaterThanOrEqual(32);
    expect(j.Meta.ID).toBe(`${j.Meta.Term}-${j.Meta.Index}-${j.Meta.ID.split('-')[2]}`);
    // The keys written before the snapshot's index (32 entries, some of them the agent's own).
    expect(j.Stats.find((s: { Name: string }) => s.Name === 'KVS').Count).toBeGreaterThanOrEqual(16);
    expect(j.Stats.find((s: { Name: string }) => s.Name === 'Register').Count).toBeGreaterThanOrEqual(3);

    const detailed = (await cli(['snapshot', 'inspect', '-kvdetails', '-kvdepth=2', snapFile()])).stdout;
    expect(detailed).toMatch(/^ raw\/0 {2,}\d+ +\d+(\.\d)?K?B$/m);
  });

  it('refuses a flipped byte loudly', async () => {
    const bad = join(dir, 'flipped');
    const bytes = readFileSync(snapFile());
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(bad, bytes);
    const r = await runCli(['snapshot', 'inspect', bad], { addr: agent.httpAddr });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`Error reading snapshot: ${bad}: checksum mismatch at offset 0 (${bytes.length} bytes)\n`);
  });
});
