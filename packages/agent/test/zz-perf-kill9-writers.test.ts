// kill -9 of a durable single server at random moments under 16 concurrent writers, 20 rounds
// on one data dir: every acknowledged write survives with its exact value (a later in-flight
// write of the same key may also have landed; an earlier one never wins).
import { afterAll, describe, expect, it } from 'vitest';
import { http, seeded, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.70.10';
const ROUNDS = 20;
const WRITERS = 16;
const KEYS_PER_WRITER = 8;
const SEED = Number(process.env.PROCONSUL_FAULT_SEED ?? Date.now() % 100_000);


const valueOf = (writer: number, seq: number): string => `${writer}-${seq}-${'x'.repeat(seq % 97)}`;

interface KeyState {
  acked: number; // highest acknowledged seq (-1: none)
  attempted: Set<number>;
}

const dir = tempDir('proconsul-kill9-');
const args = ['-server', '-bootstrap', '-data-dir', dir.path, '-client', IP, '-bind', IP, '-node', 'kill9', '-dns-port', '-1', '-log-level', 'warn'];
let agent: AgentProcess | undefined;
afterAll(async () => {
  await agent?.kill9();
  dir.remove();
});

describe(`kill -9 under ${WRITERS} writers (seed ${SEED}; replay with PROCONSUL_FAULT_SEED=${SEED})`, () => {
  it(`loses no acknowledged write in ${ROUNDS} rounds`, async () => {
    const random = seeded(SEED);
    const keys = new Map<string, KeyState>();
    const seqs = new Array<number>(WRITERS).fill(0);
    let ackedTotal = 0;
    for (let round = 0; round < ROUNDS; round++) {
      agent = await startAgentProcess(args, `${IP}:8500`);
      await verify(agent, keys, round);
      const live = agent;
      let stop = false;
      const writer = async (w: number): Promise<void> => {
        while (!stop) {
          const seq = seqs[w]++;
          const key = `w${w}/k${seq % KEYS_PER_WRITER}`;
          const st = keys.get(key) ?? { acked: -1, attempted: new Set<number>() };
          keys.set(key, st);
          st.attempted.add(seq);
          try {
            const r = await http(live.base, 'PUT', `/v1/kv/${key}`, valueOf(w, seq));
            if (r.status === 200 && r.text === 'true') {
              st.acked = Math.max(st.acked, seq);
              ackedTotal++;
            }
          } catch {
            return; // the process is gone: this write's fate is unknown
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      await new Promise((r) => setTimeout(r, 100 + Math.floor(random() * 600)));
      await live.kill9();
      stop = true;
      await Promise.all(writers);
    }
    agent = await startAgentProcess(args, `${IP}:8500`);
    const checked = await verify(agent, keys, ROUNDS);
    console.log(`kill9-writers: seed=${SEED} rounds=${ROUNDS} acknowledged=${ackedTotal} keys_checked=${checked}`);
    expect(ackedTotal).toBeGreaterThan(ROUNDS * WRITERS);
  }, 240_000);
});

/** Every acknowledged key is there, holding its last acknowledged value or a later attempted one. */
async function verify(a: AgentProcess, keys: Map<string, KeyState>, round: number): Promise<number> {
  const r = await http(a.base, 'GET', '/v1/kv/?recurse');
  const stored = new Map<string, string>(
    r.status === 404 ? [] : r.json().map((e: { Key: string; Value: string }) => [e.Key, Buffer.from(e.Value, 'base64').toString()]),
  );
  let checked = 0;
  for (const [key, st] of keys) {
    if (st.acked < 0) continue;
    const value = stored.get(key);
    const writer = Number(key.slice(1, key.indexOf('/')));
    const seq = value === undefined ? NaN : Number(value.split('-')[1]);
    const ok = value !== undefined && seq >= st.acked && st.attempted.has(seq) && value === valueOf(writer, seq);
    if (!ok) throw new Error(`round ${round}: ${key} acknowledged seq ${st.acked}, stored ${JSON.stringify(value?.slice(0, 40))}`);
    checked++;
  }
  return checked;
}
