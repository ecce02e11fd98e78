// Damage to the Raft log of a stopped server: a flipped byte inside acknowledged data, a
// zero-length newest segment, a deleted newest segment. Each start is refused with one line that
// names the file (and, for a bad record, the offset); nothing is silently cut away. A server
// whose log is beyond repair rejoins its cluster with an empty data dir (cluster.test.ts).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { http, RUN_JS, startAgentProcess, tempDir } from './helpers.js';

const IP = '127.0.65.95';
const args = (dir: string): string[] => ['-server', '-bootstrap', '-data-dir', dir, '-bind', IP, '-client', IP, '-dns-port', '-1', '-log-level', 'warn'];

/** A data dir with acknowledged writes in its log, stopped by kill -9. */
async function damagedLater(): Promise<{ dir: string; wal: string; segments: string[]; remove(): void }> {
  const d = tempDir('proconsul-corrupt-');
  const agent = await startAgentProcess(args(join(d.path, 'data')), `${IP}:8500`);
  // 30 writes of 40 KiB: one segment (the log rotates at 64 MiB), the newest, holds them all.
  for (let i = 0; i < 30; i++) expect((await http(agent.base, 'PUT', `/v1/kv/c/${i}`, 'x'.repeat(40_000))).text).toBe('true');
  await agent.kill9();
  const wal = join(d.path, 'data', 'raft', 'wal');
  const segments = readdirSync(wal).filter((n) => n.endsWith('.wal')).sort();
  return { dir: join(d.path, 'data'), wal, segments, remove: d.remove };
}

function start(dir: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [RUN_JS, ...args(dir)], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('a damaged Raft log', () => {
  it('refuses a flipped byte inside acknowledged records, naming file and offset', async () => {
    const d = await damagedLater();
    try {
      const newest = join(d.wal, d.segments.at(-1)!);
      const buf = readFileSync(newest);
      const at = Math.floor(buf.length / 2); // inside a record followed by valid ones
      buf[at] ^= 0x40;
      writeFileSync(newest, buf);
      const r = start(d.dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(d.segments.at(-1)!);
      expect(r.stderr).toMatch(/offset \d+/);
    } finally {
      d.remove();
    }
  });

  it('refuses a zero-length newest segment', async () => {
    const d = await damagedLater();
    try {
      truncateSync(join(d.wal, d.segments.at(-1)!), 0);
      const r = start(d.dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(d.segments.at(-1)!);
    } finally {
      d.remove();
    }
  });

  it('refuses a deleted newest segment', async () => {
    const d = await damagedLater();
    try {
      rmSync(join(d.wal, d.segments.at(-1)!));
      const r = start(d.dir);
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/wal|segment/i);
    } finally {
      d.remove();
    }
  });
});
