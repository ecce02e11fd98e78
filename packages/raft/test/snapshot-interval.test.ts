// Consul's raft_snapshot_interval: past the threshold a node snapshots at most once per
// interval (serializing a large state stalls its loop), unless the entries waiting in memory
// reach the byte cap; without an interval it snapshots as soon as the threshold is reached.

import { describe, expect, it } from 'vitest';
import { MemoryFileSystem, RaftNode, type Transport } from '../src/index.js';
import { ENTRY_OVERHEAD_BYTES, entryBytes } from '../src/entry-size.js';
import { KvMachine } from './helpers.js';

const transport = (): Transport => ({ send: () => {}, setHandler: () => {} });

async function solo(opts: { snapshotIntervalMs?: number; snapshotMaxBytes?: number }): Promise<RaftNode> {
  const node = await RaftNode.start({
    id: 'solo',
    dataDir: '/raft',
    fs: new MemoryFileSystem(),
    stateMachine: new KvMachine(),
    transport: transport(),
    bootstrap: ['solo'],
    tickMs: 10,
    snapshotThreshold: 10,
    trailingLogs: 2,
    ...opts,
  });
  for (let i = 0; i < 300 && !node.isLeader(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(node.isLeader()).toBe(true);
  return node;
}

async function write(node: RaftNode, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await node.propose({ k: `k${i}`, v: 'v' });
  await new Promise((r) => setTimeout(r, 50)); // the snapshot file is written in the background
}

describe('snapshot interval', () => {
  it('without an interval, snapshots once the threshold is reached', async () => {
    const node = await solo({});
    await write(node, 15);
    expect(node.status().snapshotIndex).toBeGreaterThan(0);
    await node.stop();
  });

  it('with an interval, waits past the threshold until the interval or the byte cap', async () => {
    // 40 entries' worth of bytes: the cap counts what they hold, not how many they are.
    const cap = 40 * (entryBytes({ index: 1, term: 1, type: 'normal', data: { k: 'k10', v: 'v' } }) + ENTRY_OVERHEAD_BYTES);
    const node = await solo({ snapshotIntervalMs: 60_000, snapshotMaxBytes: cap });
    await write(node, 30);
    expect(node.status().snapshotIndex).toBe(0);
    await write(node, 15);
    expect(node.status().snapshotIndex).toBeGreaterThan(0);
    await node.stop();
  });

  it('counts bytes: a few large entries reach the cap that many small ones do not', async () => {
    const node = await solo({ snapshotIntervalMs: 60_000, snapshotMaxBytes: 64 * 1024 });
    await write(node, 30);
    expect(node.status().snapshotIndex).toBe(0);
    for (let i = 0; i < 8; i++) await node.propose({ k: `big${i}`, v: 'x'.repeat(10_000) });
    await new Promise((r) => setTimeout(r, 50));
    expect(node.status().snapshotIndex).toBeGreaterThan(0);
    await node.stop();
  });
});
