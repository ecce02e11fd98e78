// Nothing is applied or answered before it is durable on a quorum. Committed entries are
// applied without waiting for any write, and a leader writes its own entries behind its Ready:
// so a single voter, whose quorum is its own disk, must commit an entry only once its write
// has reported back (Raft.persisted).

import { describe, expect, it } from 'vitest';
import { RaftNode } from '../node.js';
import type { Transport } from '../transport/tcp.js';
import { MemoryFileSystem } from '../storage/memory-fs.js';
import { Kv } from '../testing/node-sim.js';

describe('applying before the persist', () => {
  it('a single voter applies and answers a write only once its own write is durable', async () => {
    const fs = new MemoryFileSystem();
    const sm = new Kv();
    const transport: Transport = { send: () => {}, setHandler: () => {} };
    const node = await RaftNode.start({ id: 'solo', dataDir: '/raft', fs, stateMachine: sm, transport, bootstrap: ['solo'], tickMs: 10 });
    node.on('error', () => {});
    for (let i = 0; i < 300 && !node.isLeader(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(node.isLeader()).toBe(true);
    await node.propose({ k: 'a', v: '1' });
    // The machine dies inside the next write: the WAL append of this very proposal.
    fs.faults.crashAfterOps = 0;
    const outcome = await node.propose({ k: 'b', v: '2' }).then(
      () => 'acknowledged',
      () => 'refused',
    );
    expect(outcome).toBe('refused');
    expect(sm.data.get('b')).toBeUndefined();
    expect(sm.data.get('a')).toBe('1');
    await node.stop();
  });
});
