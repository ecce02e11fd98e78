import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RaftNode, type Transport } from '../src/index.js';
import { KvMachine } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('process crash (SIGKILL) with a real data directory', () => {
  it('loses no acknowledged entry across two kills and snapshots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raft-crash-'));
    try {
      const acked: number[] = [];
      for (let round = 0; round < 2; round++) {
        const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures/writer.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
        const target = acked.length + 150 + round * 50;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error('writer too slow'));
          }, 60_000);
          child.stdout.on('data', (d: Buffer) => {
            for (const line of d.toString().split('\n')) if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
            if (acked.length >= target) {
              clearTimeout(timer);
              child.kill('SIGKILL');
            }
          });
          child.on('exit', () => resolve());
        });
      }
      const sm = new KvMachine();
      const transport: Transport = { send: () => {}, setHandler: () => {} };
      const node = await RaftNode.start({ id: 'solo', dataDir: dir, stateMachine: sm, transport, bootstrap: ['solo'], tickMs: 20 });
      try {
        const max = Math.max(...acked);
        for (let i = 0; i < 500 && node.status().appliedIndex < max; i++) await new Promise((r) => setTimeout(r, 10));
        // Every acknowledged index is durable: the log (or a snapshot) reaches past all of them.
        expect(node.status().appliedIndex).toBeGreaterThanOrEqual(max);
        expect(node.status().snapshotIndex).toBeGreaterThan(0);
        const r = await node.propose({ k: 'after', v: 'restart' });
        expect(r.index).toBeGreaterThan(max);
      } finally {
        await node.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
