// RaftNode on a faulty disk (the in-memory file system, as `-dev` uses): a failed fsync is
// fail-stop with an 'error' naming the file, a full disk stops the node without harm (a new
// node on the same files resumes), a failed snapshot write is a 'warn' and is retried, and
// nothing acknowledged is lost across a crash.

import { describe, expect, it } from 'vitest';
import { DiskStorage, MemoryFileSystem, RaftNode, RaftTimeoutError, StorageFailedError, StorageFullError, seededRandom, type Transport } from '../src/index.js';
import { KvMachine } from './helpers.js';

const transport = (): Transport => ({ send: () => {}, setHandler: () => {} });

async function solo(fs: MemoryFileSystem, sm = new KvMachine(), snapshotThreshold?: number): Promise<RaftNode> {
  const node = await RaftNode.start({ id: 'solo', dataDir: '/dev/raft', fs, stateMachine: sm, transport: transport(), bootstrap: ['solo'], tickMs: 10, snapshotThreshold, trailingLogs: 2 });
  for (let i = 0; i < 300 && !node.isLeader(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(node.isLeader()).toBe(true);
  return node;
}

describe('RaftNode storage faults', () => {
  it('a write stuck on the disk: the proposal still times out after requestTimeoutMs', async () => {
    const fs = new MemoryFileSystem();
    let stuck = false;
    const openAppend = fs.openAppend.bind(fs);
    // Appends started while `stuck` never finish, as on a disk that stopped answering.
    fs.openAppend = async (path, opts) => {
      const f = await openAppend(path, opts);
      const append = f.append.bind(f);
      f.append = (data) => (stuck ? new Promise<number>(() => {}) : append(data));
      return f;
    };
    const node = await RaftNode.start({ id: 'solo', dataDir: '/dev/raft', fs, stateMachine: new KvMachine(), transport: transport(), bootstrap: ['solo'], tickMs: 10, requestTimeoutMs: 200 });
    for (let i = 0; i < 300 && !node.isLeader(); i++) await new Promise((r) => setTimeout(r, 5));
    await node.propose({ k: 'a', v: '1' });
    stuck = true;
    const t0 = Date.now();
    await expect(node.propose({ k: 'a', v: '2' })).rejects.toBeInstanceOf(RaftTimeoutError);
    expect(Date.now() - t0).toBeLessThan(2000);
    void node.stop(); // not awaited: its last write never finishes
  });

  it('EIO on fsync: stops acknowledging, emits one error naming the file, rejects everything after', async () => {
    const fs = new MemoryFileSystem();
    const node = await solo(fs);
    await node.propose({ k: 'a', v: '1' });
    const errors: Error[] = [];
    node.on('error', (e: Error) => errors.push(e));
    fs.faults.syncFails = (p) => p.endsWith('.wal');
    await expect(node.propose({ k: 'a', v: '2' })).rejects.toBeInstanceOf(StorageFailedError);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^raft storage failed: write \/dev\/raft\/wal\/0+1\.wal: EIO/);
    expect(node.failure()).toBe(errors[0]);
    fs.faults.syncFails = () => false;
    await expect(node.propose({ k: 'a', v: '3' })).rejects.toBe(errors[0]);
    await node.stop();
    // What was acknowledged survives a crash of the machine.
    fs.crash();
    const sm = new KvMachine();
    const again = await solo(fs, sm);
    await again.readIndex('safe');
    expect(sm.data.get('a')).not.toBeUndefined();
    expect(['1', '2']).toContain(sm.data.get('a'));
    await again.stop();
  });

  it('a full disk: the node stops with StorageFullError, nothing is lost, a node reopened on the same files resumes', async () => {
    const fs = new MemoryFileSystem();
    const node = await solo(fs);
    const errors: Error[] = [];
    node.on('error', (e: Error) => errors.push(e));
    for (let i = 0; i < 5; i++) await node.propose({ k: `k${i}`, v: 'v' });
    fs.faults.capacityBytes = fs.usedBytes() + 10;
    await expect(node.propose({ k: 'full', v: 'x' })).rejects.toBeInstanceOf(StorageFullError);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^raft storage full: no space left writing \/dev\/raft\/wal\/0+1\.wal/);
    await expect(node.propose({ k: 'later', v: 'y' })).rejects.toBe(errors[0]);
    await node.stop();
    // Space returns; the files (not crashed: the process lives on) open again.
    fs.faults.capacityBytes = Infinity;
    const sm = new KvMachine();
    const again = await solo(fs, sm);
    await again.propose({ k: 'after', v: 'z' });
    for (const k of ['k0', 'k4', 'after']) expect(sm.data.has(k), k).toBe(true);
    expect(sm.data.has('full')).toBe(false);
    await again.stop();
    fs.crash();
    const sm2 = new KvMachine();
    const third = await solo(fs, sm2);
    await third.readIndex('safe');
    for (const k of ['k0', 'k4', 'after']) expect(sm2.data.has(k), k).toBe(true);
    await third.stop();
  });

  it('a failed snapshot write is a warning, retried later; the loop keeps committing meanwhile', async () => {
    const fs = new MemoryFileSystem();
    const sm = new KvMachine();
    const node = await solo(fs, sm, 20);
    const warns: Error[] = [];
    node.on('warn', (e: Error) => warns.push(e));
    fs.faults.syncFails = (p) => p.endsWith('snapshot.tmp');
    for (let i = 0; i < 30; i++) await node.propose({ k: `k${i}`, v: `${i}` });
    for (let i = 0; i < 200 && warns.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(warns[0]?.message).toMatch(/raft snapshot at index \d+ not written \(retrying in 5 s\): .*snapshot/);
    expect(node.failure()).toBeNull();
    expect(await fs.stat('/dev/raft/snapshot')).toBeNull();
    fs.faults.syncFails = () => false;
    await node.stop();
    fs.crash();
    const sm2 = new KvMachine();
    const again = await solo(fs, sm2, 20);
    await again.readIndex('safe');
    expect(sm2.data.get('k29')).toBe('29');
    // Now the snapshot is written (after the next threshold's worth of entries).
    for (let i = 0; i < 25; i++) await again.propose({ k: `m${i}`, v: `${i}` });
    for (let i = 0; i < 200 && (await fs.stat('/dev/raft/snapshot')) === null; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await fs.stat('/dev/raft/snapshot')).not.toBeNull();
    await again.stop();
  });

  it('a state machine that fails to serialize a snapshot: a warning, the node keeps going', async () => {
    const fs = new MemoryFileSystem();
    const sm = new KvMachine();
    let failures = 1;
    const real = sm.snapshot.bind(sm);
    sm.snapshot = () => {
      if (failures-- > 0) throw new Error('serialization failed');
      return real();
    };
    const node = await solo(fs, sm, 10);
    const warns: Error[] = [];
    node.on('warn', (e: Error) => warns.push(e));
    for (let i = 0; i < 15; i++) await node.propose({ k: `k${i}`, v: `${i}` });
    expect(warns[0]?.message).toMatch(/raft snapshot at index \d+ not taken \(retrying in 5 s\): serialization failed/);
    expect(node.failure()).toBeNull();
    await expect(node.propose({ k: 'more', v: '1' })).resolves.toMatchObject({ index: expect.any(Number) });
    await node.stop();
  });

  it('a crash at any point of a bootstrap leaves a fresh directory or the whole founding configuration', async () => {
    const voters = ['a', 'b', 'c'];
    const outcomes = { fresh: 0, founded: 0 };
    for (let k = 0; k < 12; k++) {
      for (const tear of [1, 2]) {
        const fs = new MemoryFileSystem({ random: seededRandom(k * 7 + tear) });
        fs.faults.crashAfterOps = k;
        const node = await RaftNode.start({ id: 'a', dataDir: '/r', fs, stateMachine: new KvMachine(), transport: transport(), bootstrap: voters, tickMs: 1000 }).catch(() => null);
        await node?.stop();
        fs.crash();
        const st = (await DiskStorage.open('/r', { fs })).initialState();
        if (st === null) outcomes.fresh++;
        else {
          outcomes.founded++;
          expect(st.entries.map((e) => (e.data as { id: string }).id), `crash after op ${k}`).toEqual(voters);
          expect(st.hardState.term).toBe(1);
        }
      }
    }
    expect(outcomes.fresh).toBeGreaterThan(0);
    expect(outcomes.founded).toBeGreaterThan(0);
  });
});
