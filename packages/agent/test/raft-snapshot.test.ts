// The catalog's Raft snapshot is encoded in slices while writes go on: it must still be exactly
// the state at its index (KV Flags above 2^53 exact), on its own and through a real RaftNode
// that compacts its log and writes the file meanwhile (snapshot + WAL restore the final state).
import { mkdtempSync, rmSync } from 'node:fs';
import { DefaultSerializer, deserialize, serialize } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog, type Command } from '@proconsul/catalog';
import { pack } from 'msgpackr';
import { DiskStorage, RaftNode } from '@proconsul/raft';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogFsm, decodeSnapshot, encodeCommand, encodeSnapshot } from '../src/raft/catalog-fsm.js';
import { NoPeersTransport } from '../src/raft/no-peers-transport.js';

const BIG = 2n ** 63n + 5n;

/** Write number i to one of `keys` keys: a new key or an overwrite, a delete, a flag above 2^53, by turns. */
function write(i: number, keys = 5000): Command {
  const key = `k/${String(i % keys).padStart(5, '0')}`;
  if (i % 7 === 3) return { Type: 'KV', Verb: 'delete', Key: key };
  return { Type: 'KV', Verb: 'set', Key: key, Value: Buffer.from(`v${i}`).toString('base64'), Flags: i % 11 === 0 ? BIG : i % 13 };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('catalog snapshot in slices', () => {
  it('is the state at the moment it was taken although writes applied while it was encoded', async () => {
    const catalog = new Catalog();
    let index = 0;
    for (let i = 0; i < 20_000; i++) catalog.apply(++index, write(i));
    catalog.apply(++index, { Type: 'Txn', Ops: [{ KV: { Verb: 'set', Key: 'txn', Value: 'eA==', Flags: BIG } }] });
    const expected = catalog.snapshot();

    let done = false;
    const encoding = encodeSnapshot(catalog.snapshotStream(), 0).finally(() => (done = true));
    let during = 0;
    while (!done) {
      // Between two slices: overwrite, delete, add, a transaction, and a whole-state restore once.
      for (let j = 0; j < 50; j++) catalog.apply(++index, write(index * 31 + j));
      catalog.apply(++index, { Type: 'Txn', Ops: [{ KV: { Verb: 'delete-tree', Key: 'k/0' } }, { KV: { Verb: 'set', Key: 'txn', Value: null } }] });
      if (during === 5) catalog.restore(new Catalog().snapshot());
      during++;
      await new Promise((r) => setImmediate(r));
    }
    const bytes = await encoding;
    expect(during).toBeGreaterThan(10);

    const got = decodeSnapshot(bytes);
    expect(got).toEqual(expected);
    expect(got.KVs.find((e) => e.Key === 'txn')?.Flags).toBe(BIG);
    const copy = new CatalogFsm(new Catalog());
    copy.restore(bytes);
    expect(copy.catalog.snapshot()).toEqual(expected);
  });

  it('is one buffer sized from the last snapshot, joined from several when its entries are larger', async () => {
    const small = new Catalog();
    for (let i = 1; i <= 3000; i++) small.apply(i, { Type: 'KV', Verb: 'set', Key: `s/${i}`, Value: 'eA==' });
    await encodeSnapshot(small.snapshotStream(), 0);
    // The same catalog again: the guess fits, so the bytes are the buffer they were packed into
    // (no joined copy of the exact size), which holds little more than the snapshot.
    const again = await encodeSnapshot(small.snapshotStream(), 0);
    expect(decodeSnapshot(again)).toEqual(small.snapshot());
    expect(again.buffer.byteLength).toBeGreaterThan(again.length);
    expect(again.buffer.byteLength).toBeLessThan(1.1 * again.length);
    // Entries 100 times larger than the guess: more buffers follow, joined at the end.
    const large = new Catalog();
    for (let i = 1; i <= 3000; i++) large.apply(i, { Type: 'KV', Verb: 'set', Key: `l/${i}`, Value: Buffer.alloc(3000, i).toString('base64') });
    const grown = await encodeSnapshot(large.snapshotStream(), 0);
    expect(grown.length).toBeGreaterThan(100 * again.length);
    expect(decodeSnapshot(grown)).toEqual(large.snapshot());
  });

  it('through a RaftNode: the snapshot file holds the state at its index, snapshot + WAL the final state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proconsul-snap-'));
    dirs.push(dir);
    const fsm = new CatalogFsm(new Catalog());
    const opts = { id: 's1', dataDir: dir, transport: new NoPeersTransport(), snapshotThreshold: 2000, snapshotIntervalMs: 0, trailingLogs: 10 };
    // The catalog's own snapshot, encoded only once more writes have applied after it was taken.
    const taken: Array<{ from: number; to: number; bytes: Uint8Array }> = [];
    const sm = {
      apply: (i: number, data: unknown) => fsm.apply(i, data),
      restore: (data: Uint8Array) => fsm.restore(data),
      snapshot: async () => {
        const from = fsm.appliedIndex;
        const stream = fsm.catalog.snapshotStream();
        for (let t = 0; t < 200 && fsm.appliedIndex < from + 100; t++) await new Promise((r) => setTimeout(r, 5));
        const to = fsm.appliedIndex;
        const bytes = await encodeSnapshot(stream, 0);
        taken.push({ from, to, bytes });
        return bytes;
      },
    };
    const node = await RaftNode.start({ ...opts, stateMachine: sm, bootstrap: ['s1'] });
    const warnings: Error[] = [];
    node.on('warn', (e: Error) => warnings.push(e));
    for (let t = 0; t < 200 && !node.isLeader(); t++) await new Promise((r) => setTimeout(r, 10));
    expect(node.isLeader()).toBe(true);

    // 16 writers; each write's index says where it lies in the log.
    const commands = new Map<number, Command>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 6000) {
          const cmd = write(next++ * 7, 800);
          const { index } = await node.propose(encodeCommand(cmd));
          commands.set(index, cmd);
        }
      }),
    );
    for (let t = 0; t < 300 && node.status().snapshotIndex < 4500; t++) await new Promise((r) => setTimeout(r, 10));
    const final = fsm.catalog.snapshot();
    await node.stop();
    expect(warnings).toEqual([]);
    expect(taken.some(({ from, to }) => to >= from + 100)).toBe(true);

    const storage = await DiskStorage.open(dir);
    const init = storage.initialState()!;
    await storage.close();
    const at = init.snapshot.meta.index;
    expect(at).toBeGreaterThanOrEqual(4500);
    // Each snapshot is the commands applied up to its index (other entries are Raft's own).
    const stateAt = (at: number) => {
      const replay = new Catalog();
      for (const [i, cmd] of [...commands].sort((a, b) => a[0] - b[0])) if (i <= at) replay.apply(i, cmd);
      return replay.snapshot();
    };
    for (const { from, bytes } of taken) expect(decodeSnapshot(bytes)).toEqual(stateAt(from));
    expect({ ...decodeSnapshot(init.snapshot.data), Index: 0 }).toEqual({ ...stateAt(at), Index: 0 });

    const again = new CatalogFsm(new Catalog());
    const reopened = await RaftNode.start({ ...opts, stateMachine: again });
    try {
      for (let t = 0; t < 300 && again.appliedIndex < fsm.appliedIndex; t++) await new Promise((r) => setTimeout(r, 10));
      expect(again.catalog.snapshot()).toEqual(final);
    } finally {
      await reopened.stop();
    }
  });
});

describe('catalog snapshot formats', () => {
  /** Format 2, as the previous release wrote it: `{ Head }`, then one v8 value per KV entry. */
  function encodeFormat2(catalog: Catalog): Buffer {
    const stream = catalog.snapshotStream();
    const out = new DefaultSerializer();
    out.writeHeader();
    out.writeValue({ Head: stream.head });
    for (const e of stream.entries()) out.writeValue(e);
    stream.close();
    return out.releaseBuffer();
  }

  it('restores the v8 formats of earlier releases, and an earlier release refuses the new one loudly', async () => {
    const catalog = new Catalog();
    catalog.apply(1, { Type: 'KV', Verb: 'set', Key: 'a', Value: 'eA==', Flags: BIG });
    catalog.apply(2, { Type: 'KV', Verb: 'set', Key: 'b', Value: null, Flags: 7 } as Command);
    catalog.apply(3, { Type: 'Register', Node: 'n1', Address: '10.0.0.1', NodeMeta: { ['__proto__']: 'x' } } as Command);
    const state = catalog.snapshot();
    expect(decodeSnapshot(serialize(state))).toEqual(state); // format 1: the whole state, one value
    expect(decodeSnapshot(encodeFormat2(catalog))).toEqual(state);
    const now = await encodeSnapshot(catalog.snapshotStream());
    expect(decodeSnapshot(now)).toEqual(state);
    expect(now[0]).not.toBe(0xff);
    // A release before format 3 reads a snapshot with v8 from its first byte: no header, an error.
    expect(() => deserialize(now)).toThrow();
  });

  it('is smaller than format 2 and refuses a snapshot whose KV count does not match its head', async () => {
    const catalog = new Catalog();
    for (let i = 1; i <= 3000; i++) catalog.apply(i, { Type: 'KV', Verb: 'set', Key: `bench/${i}`, Value: Buffer.alloc(100, i).toString('base64') });
    const now = await encodeSnapshot(catalog.snapshotStream(), 0);
    expect(decodeSnapshot(now)).toEqual(catalog.snapshot());
    expect(now.length).toBeLessThan(0.8 * encodeFormat2(catalog).length);
    expect(() => decodeSnapshot(now.subarray(0, now.length - 1))).toThrow();
    // Whole chunks missing: the head's count says so.
    const stream = catalog.snapshotStream();
    const oneChunk = Buffer.concat([pack(serialize({ Head: stream.head })), pack([['bench/1', 0, null, 0, '', 1, 1]])]);
    stream.close();
    expect(() => decodeSnapshot(oneChunk)).toThrow('catalog snapshot holds 1 KV entries, its head says 3000');
  });
});
