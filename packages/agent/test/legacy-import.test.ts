// A data dir written by the command-log release (`<data-dir>/catalog/`) is imported into the
// Raft log once at start: nothing acknowledged is lost on upgrade, and a damaged one is refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { http, RUN_JS, startAgentProcess, tempDir } from './helpers.js';

/** The command-log release's record: [u32 length][u32 crc32][v8 payload]. */
function record(payload: unknown): Buffer {
  const body = serialize(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

const kvSet = (key: string, value: string): unknown => ({ Type: 'KV', Verb: 'set', Key: key, Value: Buffer.from(value).toString('base64') });

/** A legacy catalog dir: a snapshot at index 2 (key a) and a log with keys b..e after it, plus a torn tail. */
function writeLegacy(dataDir: string): string {
  const dir = join(dataDir, 'catalog');
  mkdirSync(dir, { recursive: true });
  // The snapshot: the catalog state after `Noop` (1) and `a` (2), as the old release took it.
  const state = {
    Version: 1,
    Index: 2,
    Now: 0,
    Tables: { nodes: 0, services: 0, checks: 0, kvs: 2, tombstones: 0, sessions: 0 },
    ServiceIndexes: {},
    Nodes: [],
    Services: [],
    Checks: [],
    KVs: [{ Key: 'old/a', Flags: 0, Value: Buffer.from('A').toString('base64'), LockIndex: 0, Session: '', CreateIndex: 2, ModifyIndex: 2 }],
    Tombstones: [],
    Sessions: [],
    LockDelays: {},
  };
  writeFileSync(join(dir, 'snapshot.bin'), record({ index: 2, state }));
  const seg1 = Buffer.concat([record([3, kvSet('old/b', 'B')]), record([4, kvSet('old/c', 'C')])]);
  writeFileSync(join(dir, 'log-00000000000000000003.bin'), seg1);
  const torn = record([7, kvSet('old/torn', 'never acknowledged')]).subarray(0, 20);
  const seg2 = Buffer.concat([record([5, kvSet('old/d', 'D')]), record([6, kvSet('old/e', 'E')]), torn]);
  writeFileSync(join(dir, 'log-00000000000000000005.bin'), seg2);
  return dir;
}

describe('upgrade from the command-log data dir', () => {
  it('imports every acknowledged key once, keeps the old files, and goes on from the Raft log', async () => {
    const ip = '127.0.65.1';
    const d = tempDir('proconsul-legacy-');
    const args = ['-server', '-bootstrap', '-data-dir', d.path, '-client', ip, '-bind', ip, '-node', 'legacy', '-dns-port', '-1'];
    writeLegacy(d.path);
    let agent = await startAgentProcess(args, `${ip}:8500`);
    try {
      const keys = async (): Promise<Record<string, string>> => {
        const r = await http(agent.base, 'GET', '/v1/kv/old/?recurse');
        return Object.fromEntries(r.json().map((e: { Key: string; Value: string }) => [e.Key, Buffer.from(e.Value, 'base64').toString()]));
      };
      expect(await keys()).toEqual({ 'old/a': 'A', 'old/b': 'B', 'old/c': 'C', 'old/d': 'D', 'old/e': 'E' });
      expect(existsSync(join(d.path, 'catalog'))).toBe(false);
      expect(existsSync(join(d.path, 'catalog.imported', 'log-00000000000000000005.bin'))).toBe(true);
      expect(existsSync(join(d.path, 'raft'))).toBe(true);
      expect((await http(agent.base, 'PUT', '/v1/kv/old/f', 'F')).json()).toBe(true);

      // A restart reads the Raft log; the import does not run again.
      await agent.kill9();
      agent = await startAgentProcess(args, `${ip}:8500`);
      expect(await keys()).toEqual({ 'old/a': 'A', 'old/b': 'B', 'old/c': 'C', 'old/d': 'D', 'old/e': 'E', 'old/f': 'F' });
      expect(agent.output()).not.toContain('imported the catalog');
    } finally {
      await agent.kill9();
      d.remove();
    }
  });

  it('refuses a legacy log damaged before its tail, naming the file and offset, and changes nothing', () => {
    const d = tempDir('proconsul-legacy-bad-');
    try {
      const dir = writeLegacy(d.path);
      const seg = join(dir, 'log-00000000000000000003.bin');
      const buf = readFileSync(seg);
      buf[12] ^= 0x01; // inside the first record's payload
      writeFileSync(seg, buf);
      const r = spawnSync(process.execPath, [RUN_JS, '-server', '-bootstrap', '-data-dir', d.path, '-client', '127.0.65.2', '-bind', '127.0.65.2', '-dns-port', '-1'], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('log-00000000000000000003.bin: corrupt record at byte offset 0');
      expect(existsSync(join(d.path, 'catalog', 'snapshot.bin'))).toBe(true);
      expect(existsSync(join(d.path, 'raft'))).toBe(false);
    } finally {
      d.remove();
    }
  });
});
