// A Jepsen-style check of the cluster: three servers and a client agent, each in its own
// network namespace, real processes. Workers run a concurrent KV history (put, default get,
// ?consistent get, CAS) through every agent while a nemesis partitions servers, cuts links one
// way, pauses the leader (SIGSTOP) and kills it (-9). The history goes through the
// linearizability checker; the test prints how many operations it checked. Needs root.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { checkKvHistory, type KvOperation } from '../../raft/src/testing/linearizability.js';
import { RUN_JS, seeded, sleep, tempDir } from './helpers.js';
import { TestNet } from './netns.js';

const SERVERS = 3;
const WORKERS = 8;
// Enough keys that each key's sub-history stays small for the checker's search.
const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
const NEMESIS_MS = Number(process.env.PROCONSUL_JEPSEN_MS ?? 30_000);
/** Past Consul's 7 s hold for a leader: an answer is usual, an unknown outcome rare. */
const OP_TIMEOUT_MS = 10_000;
const SEED = Number(process.env.PROCONSUL_FAULT_SEED ?? Date.now() % 100_000);


// A subnet of this run's own (runs left behind by a kill do not collide with it).
const net = new TestNet(`10.77.${(process.pid % 200) + 20}`, SERVERS + 1);
const dirs = Array.from({ length: SERVERS + 1 }, () => tempDir('proconsul-jepsen-'));
const procs: (ChildProcess | undefined)[] = [];
const outputs: string[] = [];

function args(i: number): string[] {
  const join = Array.from({ length: SERVERS }, (_, j) => ['-retry-join', net.addr(j)]).flat();
  const role = i < SERVERS ? ['-server', '-bootstrap-expect', String(SERVERS)] : [];
  return [RUN_JS, ...role, '-data-dir', dirs[i]!.path, '-bind', net.addr(i), '-client', net.addr(i), '-node', `h${i}`, '-retry-interval', '1s', '-dns-port', '-1', '-log-level', 'warn', ...join];
}

function start(i: number): void {
  const p = net.spawn(i, process.execPath, args(i));
  outputs[i] = '';
  p.stdout!.on('data', (d: Buffer) => (outputs[i] = (outputs[i] + d.toString()).slice(-20_000)));
  p.stderr!.on('data', (d: Buffer) => (outputs[i] = (outputs[i] + d.toString()).slice(-20_000)));
  procs[i] = p;
}

async function kill9(i: number): Promise<void> {
  const p = procs[i];
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
}

const base = (i: number): string => `http://${net.addr(i)}:8500`;

interface Answer {
  status: number;
  text: string;
}

/** The answer, or undefined when none came (the request may or may not have taken effect). */
async function request(i: number, method: string, path: string, body?: string): Promise<Answer | undefined> {
  try {
    const r = await fetch(base(i) + path, { method, body, signal: AbortSignal.timeout(OP_TIMEOUT_MS) });
    return { status: r.status, text: await r.text() };
  } catch (err) {
    // Refused: nothing reached the agent (it is down), so nothing happened.
    if ((err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return { status: 0, text: 'connection refused' };
    return undefined;
  }
}

/** A write that certainly did not happen: never sent, or refused before any leader saw it. */
const certainlyFailed = (r: Answer | undefined): boolean => r !== undefined && (r.status === 0 || (r.status === 500 && r.text === 'No cluster leader'));

async function leaderIndex(): Promise<number> {
  for (let i = 0; i < SERVERS; i++) {
    const r = await request(i, 'GET', '/v1/status/leader?stale');
    if (r?.status === 200 && r.text !== '""') {
      const addr = (JSON.parse(r.text) as string).split(':')[0];
      for (let j = 0; j < SERVERS; j++) if (net.addr(j) === addr) return j;
    }
  }
  return -1;
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}\n${outputs.map((o, i) => `--- h${i}\n${o.slice(-1500)}`).join('\n')}`);
}

afterAll(async () => {
  for (let i = 0; i < procs.length; i++) {
    procs[i]?.kill('SIGCONT');
    await kill9(i);
  }
  net.teardown();
  for (const d of dirs) d.remove();
});

describe(`Jepsen-style history under partitions, pauses and kills (seed ${SEED}; replay with PROCONSUL_FAULT_SEED=${SEED})`, () => {
  it('is linearizable, and a minority refuses writes and ?consistent reads', async () => {
    // The nemesis schedule replays from the seed; the workers' interleaving depends on timing.
    const random = seeded(SEED);
    net.setup();
    for (let i = 0; i <= SERVERS; i++) start(i);
    await waitFor('a leader', async () => (await leaderIndex()) >= 0);
    await waitFor('the client agent to reach the servers', async () => (await request(SERVERS, 'PUT', '/v1/kv/ready', 'x'))?.text === 'true');

    const history: KvOperation[] = [];
    let clock = 0;
    let stop = false;
    const stats = { ok: 0, unknown: 0, failed: 0 };

    const worker = async (w: number): Promise<void> => {
      const random = seeded(SEED * 31 + w + 1);
      const agent = w % (SERVERS + 1); // every server and the client agent serve some workers
      for (let seq = 0; !stop; seq++) {
        const key = KEYS[Math.floor(random() * KEYS.length)]!;
        const path = `/v1/kv/jepsen/${key}`;
        const dice = random();
        if (dice < 0.35) {
          const value = `w${w}-${seq}`;
          const op: KvOperation = { clientId: w, key, kind: 'put', value, call: ++clock, ret: Infinity };
          history.push(op);
          const r = await request(agent, 'PUT', path, value);
          if (r?.status === 200 && r.text === 'true') {
            op.ret = ++clock;
            stats.ok++;
          } else if (certainlyFailed(r)) {
            history.splice(history.indexOf(op), 1);
            stats.failed++;
          } else stats.unknown++;
        } else {
          const consistent = dice < 0.55;
          const call = ++clock;
          const r = await request(agent, 'GET', path + (consistent ? '?consistent' : ''));
          if (r?.status !== 200 && r?.status !== 404) {
            stats.failed++;
            continue;
          }
          const entry = r.status === 200 ? (JSON.parse(r.text) as { Value: string | null; ModifyIndex: number }[])[0]! : undefined;
          const read = entry?.Value ? Buffer.from(entry.Value, 'base64').toString() : undefined;
          history.push({ clientId: w, key, kind: 'get', output: read, call, ret: ++clock });
          stats.ok++;
          if (dice < 0.8) continue;
          // CAS on what was just read: values are unique, so ModifyIndex names exactly that value.
          const value = `w${w}-${seq}-cas`;
          const op: KvOperation = { clientId: w, key, kind: 'cas', expected: read, value, call: ++clock, ret: Infinity };
          history.push(op);
          const c = await request(agent, 'PUT', `${path}?cas=${entry?.ModifyIndex ?? 0}`, value);
          if (c?.status === 200 && (c.text === 'true' || c.text === 'false')) {
            op.output = c.text;
            op.ret = ++clock;
            stats.ok++;
          } else if (certainlyFailed(c)) {
            history.splice(history.indexOf(op), 1);
            stats.failed++;
          } else stats.unknown++;
        }
      }
    };

    const nemesisLog: string[] = [];
    const refusals = { writes: 0, consistentReads: 0, checked: 0 };
    const nemesis = async (): Promise<void> => {
      const end = Date.now() + NEMESIS_MS;
      // Every kind of fault in turn, so each run has all of them; victims are drawn from the seed.
      for (let round = 0; Date.now() < end; round++) {
        await sleep(1_000);
        const leader = await leaderIndex();
        const fault = round % 4;
        if (fault === 0) {
          // Isolate one server from every other host: it must refuse writes and ?consistent reads.
          const victim = Math.floor(random() * SERVERS);
          nemesisLog.push(`partition h${victim}`);
          net.cut(victim, [0, 1, 2, 3].filter((j) => j !== victim));
          await sleep(1_500); // past a leader lease and an election timeout
          const w = await request(victim, 'PUT', '/v1/kv/jepsen-minority', 'x');
          const c = await request(victim, 'GET', '/v1/kv/ready?consistent');
          refusals.checked++;
          if (!(w?.status === 200 && w.text === 'true')) refusals.writes++;
          if (c?.status !== 200) refusals.consistentReads++;
          await sleep(1_000);
          net.heal(victim);
        } else if (fault === 1 && leader >= 0) {
          nemesisLog.push(`kill -9 h${leader}`);
          await kill9(leader);
          await sleep(1_500);
          start(leader);
        } else if (fault === 2 && leader >= 0) {
          nemesisLog.push(`pause h${leader}`);
          procs[leader]!.kill('SIGSTOP');
          await sleep(2_000);
          procs[leader]!.kill('SIGCONT');
        } else if (leader >= 0) {
          const victim = (leader + 1 + Math.floor(random() * 2)) % SERVERS;
          nemesisLog.push(`h${victim} drops from h${leader}`);
          net.dropFrom(victim, leader);
          await sleep(2_500);
          net.heal(victim);
        }
      }
      stop = true;
    };

    await Promise.all([nemesis(), ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);
    net.healAll();
    for (const p of procs) p?.kill('SIGCONT');
    await waitFor('the cluster to recover', async () => (await request(0, 'PUT', '/v1/kv/after', 'x'))?.text === 'true', 60_000);
    // Pin the final state: a ?consistent read of every key through every agent.
    for (let i = 0; i <= SERVERS; i++) {
      for (const key of KEYS) {
        // Every agent must answer once it is back in the cluster (a restarted server may still
        // be catching up): ask until it does, within a bound.
        let call = ++clock;
        let r = await request(i, 'GET', `/v1/kv/jepsen/${key}?consistent`);
        for (let tries = 0; tries < 60 && r?.status !== 200 && r?.status !== 404; tries++) {
          await sleep(500);
          call = ++clock;
          r = await request(i, 'GET', `/v1/kv/jepsen/${key}?consistent`);
        }
        expect(r?.status === 200 || r?.status === 404, `h${i}: ${r?.status} ${r?.text}`).toBe(true);
        const entry = r!.status === 200 ? (JSON.parse(r!.text) as { Value: string | null }[])[0]! : undefined;
        history.push({ clientId: 100 + i, key, kind: 'get', output: entry?.Value ? Buffer.from(entry.Value, 'base64').toString() : undefined, call, ret: ++clock });
      }
    }

    // Writes with no answer whose value nobody ever read can always be placed after everything
    // else, so they are left out (each one left in doubles the search); a CAS that answered
    // false changed nothing and is left out too. Neither can hide a stale or lost read.
    const observed = new Set<string>();
    for (const op of history) {
      if (op.kind === 'get' && op.output !== undefined) observed.add(op.output);
      if (op.kind === 'cas' && op.output === 'true' && op.expected !== undefined) observed.add(op.expected);
    }
    const checked = history.filter((op) => !(op.ret === Infinity && !observed.has(op.value!)) && !(op.kind === 'cas' && op.output === 'false'));
    const result = checkKvHistory(checked, 20_000_000);
    if (result !== 'ok') console.log(outputs.map((o, i) => `--- h${i}\n${o.slice(-3000)}`).join('\n'));
    console.log(
      `jepsen: seed=${SEED} operations=${history.length} checked=${checked.length} ok=${stats.ok} unknown=${stats.unknown} failed=${stats.failed} ` +
        `nemesis=[${nemesisLog.join(', ')}] minority_checks=${refusals.checked} result=${result}`,
    );
    expect(result).toBe('ok');
    expect(stats.ok).toBeGreaterThan(200);
    expect(refusals.writes).toBe(refusals.checked);
    expect(refusals.consistentReads).toBe(refusals.checked);
  }, 240_000);
});
