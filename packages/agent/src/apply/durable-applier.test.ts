import { mkdtempSync, rmSync, readdirSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateMachine } from './applier.js';
import { DurableApplier } from './durable-applier.js';
import { listSegments } from './command-log.js';

/** A tiny state machine: a key/value map that records the index of each write. */
class KvMachine implements StateMachine<{ k: string; v: string }, number> {
  data = new Map<string, { v: string; index: number }>();
  apply(index: number, c: { k: string; v: string }): number {
    this.data.set(c.k, { v: c.v, index });
    return index;
  }
  snapshot(): unknown {
    return this.data;
  }
  restore(s: unknown): void {
    this.data = new Map(s as Map<string, { v: string; index: number }>);
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'proconsul-applier-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('DurableApplier', () => {
  it('replays acknowledged commands after reopen', async () => {
    const dir = tempDir();
    const a = await DurableApplier.open(new KvMachine(), { dir });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => a.apply({ k: `k${i}`, v: `v${i}` })));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await a.close();

    const fsm = new KvMachine();
    const b = await DurableApplier.open(fsm, { dir });
    expect(b.lastIndex).toBe(50);
    expect(fsm.data.get('k49')).toEqual({ v: 'v49', index: 50 });
    expect(await b.apply({ k: 'x', v: 'y' })).toBe(51);
    await b.close();
  });

  it('truncates a torn tail and keeps every complete record', async () => {
    const dir = tempDir();
    const a = await DurableApplier.open(new KvMachine(), { dir });
    for (let i = 0; i < 5; i++) await a.apply({ k: `k${i}`, v: 'v' });
    await a.close();
    const seg = join(dir, listSegments(dir).at(-1)!.name);
    const before = statSync(seg).size;
    appendFileSync(seg, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 9, 9])); // a header promising more bytes than exist
    let truncated = -1;
    const fsm = new KvMachine();
    const b = await DurableApplier.open(fsm, { dir, onRecovered: (i) => (truncated = i.truncatedBytes) });
    expect(truncated).toBe(10);
    expect(statSync(seg).size).toBe(before);
    expect(b.lastIndex).toBe(5);
    expect(await b.apply({ k: 'after', v: 'tear' })).toBe(6);
    await b.close();
    const c = new KvMachine();
    await (await DurableApplier.open(c, { dir })).close();
    expect(c.data.get('after')?.index).toBe(6);
  });

  it('snapshots, drops old segments and restores from snapshot plus log', async () => {
    const dir = tempDir();
    const a = await DurableApplier.open(new KvMachine(), { dir, snapshotEvery: 10 });
    for (let i = 0; i < 25; i++) await a.apply({ k: `k${i % 7}`, v: `v${i}` });
    await a.close();
    expect(readdirSync(dir)).toContain('snapshot.bin');
    expect(listSegments(dir).every((s) => s.firstIndex >= 11)).toBe(true);
    const fsm = new KvMachine();
    const b = await DurableApplier.open(fsm, { dir, snapshotEvery: 10 });
    expect(b.lastIndex).toBe(25);
    expect(fsm.data.get('k3')).toEqual({ v: 'v24', index: 25 });
    await b.close();
  });

  it('rejects a corrupt record that is not at the tail', async () => {
    const dir = tempDir();
    const a = await DurableApplier.open(new KvMachine(), { dir, snapshotEvery: 1000 });
    for (let i = 0; i < 3; i++) await a.apply({ k: `k${i}`, v: 'v' });
    await a.close();
    // A second segment after the first makes damage in the first one non-tail.
    const seg = join(dir, listSegments(dir)[0]!.name);
    const { writeFileSync, readFileSync } = await import('node:fs');
    const buf = readFileSync(seg);
    buf[12] = buf[12]! ^ 0xff;
    writeFileSync(seg, buf);
    writeFileSync(join(dir, 'log-00000000000000000004.bin'), Buffer.alloc(0));
    await expect(DurableApplier.open(new KvMachine(), { dir })).rejects.toThrow(/corrupt/);
  });
});

describe('DurableApplier.restore', () => {
  it('replaces the state durably and keeps giving higher indexes', async () => {
    const dir = tempDir();
    const a = await DurableApplier.open(new KvMachine(), { dir });
    for (let i = 0; i < 5; i++) await a.apply({ k: `old${i}`, v: 'x' });
    const pending = a.apply({ k: 'before-restore', v: 'y' });
    await a.restore(new Map([['restored', { v: 'r', index: 2 }]]));
    expect(await pending).toBe(6);
    expect(a.lastIndex).toBe(7);
    expect(await a.apply({ k: 'after', v: 'z' })).toBe(8);
    await a.close();
    const fsm = new KvMachine();
    const b = await DurableApplier.open(fsm, { dir });
    expect([...fsm.data.keys()].sort()).toEqual(['after', 'restored']);
    expect(b.lastIndex).toBe(8);
    await b.close();
  });
});
