// snapshot-stall: how long a Raft snapshot of a large catalog holds the event loop, in one
// process: KEYS keys of 100-byte values, writes applied every millisecond meanwhile, and the
// longest gap between two turns of the loop measured (setImmediate chain) while the agent's
// CatalogFsm encodes its snapshot, against the same state serialized in one v8.serialize call
// (what the snapshot did before) and against no snapshot at all (the machine's own floor).
// No peer: the figure is the stall with the snapshot against the stall without one, same run.
// Ends with `RESULT snapshot-stall ...` and `RATIO snapshot-stall stall=<sliced / none>`.
// Needs the agent built (npm run build).
import { serialize } from 'node:v8';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Catalog } from '@proconsul/catalog';
import { repoRoot } from './lib/kv-load.js';

const KEYS = Number(process.env.KEYS ?? 130_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Fsm {
  snapshot(): Promise<Uint8Array>;
}

async function main(): Promise<void> {
  const mod = (await import(pathToFileURL(join(repoRoot, 'packages/agent/dist/raft/catalog-fsm.js')).href)) as { CatalogFsm: new (c: Catalog) => Fsm };
  const catalog = new Catalog();
  const fsm = new mod.CatalogFsm(catalog);
  const value = Buffer.alloc(100, 'v').toString('base64');
  let index = 0;
  for (let i = 0; i < KEYS; i++) catalog.apply(++index, { Type: 'KV', Verb: 'set', Key: `bench/${i % 64}/${i}`, Value: value });

  /** Runs `take` under a steady write load; returns the longest event-loop gap (ms) and its duration. */
  async function measure(take: () => Promise<unknown>): Promise<{ stallMs: number; tookMs: number }> {
    let worst = 0;
    let last = performance.now();
    let running = true;
    const turn = (): void => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    const writer = setInterval(() => {
      for (let j = 0; j < 20; j++) catalog.apply(++index, { Type: 'KV', Verb: 'set', Key: `bench/w/${index % 50_000}`, Value: value });
    }, 1);
    await new Promise((r) => setTimeout(r, 100));
    worst = 0;
    const t0 = performance.now();
    await take();
    const tookMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
    running = false;
    clearInterval(writer);
    return { stallMs: worst, tookMs };
  }

  const kinds = {
    none: () => new Promise((r) => setTimeout(r, 1_000)),
    whole: async () => {
      const s = catalog.snapshotStream();
      return serialize({ ...s.head, KVs: [...s.entries()] });
    },
    sliced: () => fsm.snapshot(),
  };
  const worst: Record<string, number[]> = { none: [], whole: [], sliced: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, take] of Object.entries(kinds)) {
      const m = await measure(take);
      worst[name]!.push(m.stallMs);
      console.log(`round ${r + 1} ${name}: longest loop stall ${m.stallMs.toFixed(1)} ms (snapshot took ${m.tookMs.toFixed(0)} ms)`);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [none, whole, sliced] = [median(worst.none!), median(worst.whole!), median(worst.sliced!)];
  console.log(`RESULT snapshot-stall keys=${KEYS} rounds=${ROUNDS} stall_none_ms=${none.toFixed(1)} stall_whole_ms=${whole.toFixed(1)} stall_sliced_ms=${sliced.toFixed(1)}`);
  console.log(`RATIO snapshot-stall sliced_over_none=${(sliced / none).toFixed(2)} whole_over_none=${(whole / none).toFixed(2)}`);
}

await main();
