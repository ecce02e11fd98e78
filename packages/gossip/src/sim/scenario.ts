// The measured scenario behind `npm run sim`: for each seed, a converged cluster of M members,
// then one new member joins (time until every member knows it) and one member is killed (time
// until every survivor has marked it failed), all under seeded loss and latency.
import { lanConfig, suspicionTimeoutMs, type Config } from '../config.js';
import { seededRng, randInt } from '../rng.js';
import { SimCluster, type SimNode } from './cluster.js';

export interface ScenarioOptions {
  members: number;
  seeds: number;
  loss: number;
  config?: Config;
  /** Joins and kills measured per seed. */
  rounds?: number;
  firstSeed?: number;
}

export interface ScenarioResult {
  members: number;
  seeds: number;
  joinMs: number[];
  failMs: number[];
  /** Members marked failed by someone although they were never killed. */
  falsePositives: number;
  bytesPerMemberS: number;
  suspicionTimeoutMs: number;
  virtualMs: number;
}

const JOIN_LIMIT_MS = 180_000;
const FAIL_LIMIT_MS = 120_000;

export function runScenario(o: ScenarioOptions): ScenarioResult {
  const config = o.config ?? lanConfig();
  const rounds = o.rounds ?? 1;
  const res: ScenarioResult = {
    members: o.members, seeds: o.seeds, joinMs: [], failMs: [], falsePositives: 0, bytesPerMemberS: 0,
    suspicionTimeoutMs: suspicionTimeoutMs(config.suspicionMult, o.members, config.probeIntervalMs), virtualMs: 0,
  };
  let bytes = 0;
  let memberMs = 0;
  for (let s = 0; s < o.seeds; s++) {
    const seed = (o.firstSeed ?? 1) + s;
    const pick = seededRng(seed ^ 0x5eed);
    const sim = new SimCluster({ seed, config, loss: o.loss, latencyMsMin: 1, latencyMsMax: 5 });
    const killed = new Set<string>();
    const falseFails = new Set<string>();
    let watch: { type: 'join' | 'fail'; name: string; seen: Set<number> } | undefined;
    sim.onEvent = (obs, e) => {
      if (e.type === 'fail' && !killed.has(e.member.name)) falseFails.add(`${obs.name}>${e.member.name}`);
      if (watch && e.type === watch.type && e.member.name === watch.name && obs.up && !obs.core.isLeaving) watch.seen.add(obs.index);
    };
    const original = sim.bootstrap(o.members);
    sim.run(2_000);
    const live = (): SimNode[] => sim.nodes.filter((n) => n.up && !n.core.isLeaving);
    for (let r = 0; r < rounds; r++) {
      // Join: a new member contacts one random member; done when every other live member lists it.
      const joiner = sim.addNode();
      const seedNode = original.filter((n) => n.up)[randInt(pick, original.length - killed.size)]!;
      const w1 = { type: 'join' as const, name: joiner.name, seen: new Set<number>() };
      watch = w1;
      const t0 = sim.nowMs;
      sim.join(joiner, [seedNode]);
      const expectJoin = live().filter((n) => n !== joiner).length;
      const othersKnow = (): boolean => w1.seen.size >= expectJoin;
      sim.run(t0 + JOIN_LIMIT_MS, othersKnow);
      res.joinMs.push(othersKnow() ? sim.nowMs - t0 : Infinity);
      if (process.env.SIM_DEBUG && !othersKnow()) {
        const miss = live().filter((n) => n !== joiner && !w1.seen.has(n.index));
        console.error('join missing', miss.map((n) => `${n.name}:${n.core.member(joiner.name)?.state}:${n.core.member(joiner.name)?.incarnation}`).join(' '));
      }
      sim.run(sim.nowMs + 1_000);

      // Failure: kill a random original member; done when every survivor marked it failed.
      const candidates = original.filter((n) => n.up && n !== seedNode);
      const victim = candidates[randInt(pick, candidates.length)]!;
      killed.add(victim.name);
      const w2 = { type: 'fail' as const, name: victim.name, seen: new Set<number>() };
      watch = w2;
      const t1 = sim.nowMs;
      sim.kill(victim);
      const expectFail = live().length;
      const allKnow = (): boolean => w2.seen.size >= expectFail;
      sim.run(t1 + FAIL_LIMIT_MS, allKnow);
      res.failMs.push(allKnow() ? sim.nowMs - t1 : Infinity);
      sim.run(sim.nowMs + 1_000);
    }
    watch = undefined;
    res.falsePositives += falseFails.size;
    bytes += sim.bytesSent;
    memberMs += sim.nowMs * sim.nodes.length;
    res.virtualMs += sim.nowMs;
  }
  res.bytesPerMemberS = memberMs > 0 ? bytes / (memberMs / 1000) : 0;
  return res;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
}

const f = (x: number): string => (Number.isFinite(x) ? Math.round(x).toString() : 'timeout');

export function formatResult(r: ScenarioResult): string {
  const trip = (xs: number[]) => `${f(pct(xs, 0.5))}/${f(pct(xs, 0.99))}/${f(Math.max(...xs))}`;
  return `members=${r.members} seeds=${r.seeds} join_ms=${trip(r.joinMs)} fail_ms=${trip(r.failMs)} false_positives=${r.falsePositives} bytes_per_member_s=${Math.round(r.bytesPerMemberS)}`;
}
