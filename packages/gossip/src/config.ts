// Settings of the SWIM core, in the manner of memberlist's config.go: every setting says what it
// trades off, and the formulas that scale with cluster size are small pure helpers below.

import type { Tags } from './messages.js';

export interface Config {
  /** Time between probes of one member (randomized round-robin). Lower: faster detection, more traffic. */
  probeIntervalMs: number;
  /** Wait for a direct ack before asking k members to probe indirectly. Must exceed the network RTT. */
  probeTimeoutMs: number;
  /** Members asked to probe indirectly (k of SWIM). More: fewer false suspicions under loss. */
  indirectChecks: number;
  /** Also probe over TCP when UDP fails, to tell packet loss on a path from a dead member. */
  tcpPings: boolean;
  /** Suspicion timeout = suspicionMult * max(1, log10(n)) * probeIntervalMs (see suspicionTimeoutMs). */
  suspicionMult: number;
  /** A new suspicion starts at this multiple of the timeout and shrinks with independent confirmations (Lifeguard). */
  suspicionMaxTimeoutMult: number;
  /** Time between gossip rounds that send queued broadcasts. */
  gossipIntervalMs: number;
  /** Members each gossip round sends to. */
  gossipNodes: number;
  /** Keep gossiping to a dead member this long so it learns it was declared dead and can refute. */
  gossipToTheDeadMs: number;
  /** Each broadcast is sent retransmitMult * ceil(log10(n + 1)) times (see retransmitLimit). */
  retransmitMult: number;
  /** Full state sync with one random member; scaled up past 32 members (see pushPullIntervalMs). 0 disables. */
  pushPullIntervalMs: number;
  /**
   * After a successful join, push-pull once more with a random member this much later, to pick up
   * members that joined concurrently (their broadcasts may have died out before we were known). 0 disables.
   */
  pushPullAfterJoinMs: number;
  /** Try a push-pull with one random failed member this often, so healed partitions merge again. 0 disables. */
  reconnectIntervalMs: number;
  /** Remove a failed member from the table this long after it failed (serf's ReconnectTimeout; the `reap` event). */
  reconnectTimeoutMs: number;
  /** Remove a member that left this long after it left (serf's TombstoneTimeout; the `reap` event). */
  tombstoneTimeoutMs: number;
  /**
   * A member's own timeout in place of the two above, read from its tags (serf's
   * ReconnectTimeoutOverride); undefined keeps the configured one.
   */
  reconnectTimeoutOverride?: (name: string, tags: Tags) => number | undefined;
  /**
   * memberlist's CIDRsAllowed: when set, packets and streams from addresses it refuses are
   * dropped, and a member announcing such an address is not taken in.
   */
  addressAllowed?: (addr: string) => boolean;
  /** Local health (Lifeguard awareness): timeouts are scaled by up to this factor when we look unhealthy. */
  awarenessMaxMultiplier: number;
  /** Largest UDP payload we send (compound packets are cut to fit). memberlist uses 1400. */
  packetBytesMax: number;
  /** Broadcast queue bound; the oldest, most-sent items go first. */
  queueDepthMax: number;
  /** Timeout of a TCP exchange (push-pull, TCP ping). */
  tcpTimeoutMs: number;
  /**
   * Vivaldi network coordinates (coordinate.ts): acks carry the acking member's coordinate and
   * each direct probe's round trip updates ours. serf's DisableCoordinates, inverted.
   */
  coordinates: boolean;
  /**
   * Ask a probe's target for its coordinate at most this often. Each answer is an observation;
   * 1 s is serf's rate (a coordinate on every ack at memberlist's 1 s probe interval) and keeps
   * the 47 bytes of a coordinate off most of our 2.2 acks a second.
   */
  coordinateIntervalMs: number;
}

/**
 * LAN profile. memberlist's DefaultLANConfig probes every 1 s with a 500 ms timeout, gossips
 * every 200 ms to 3 members, uses suspicionMult 4 and push-pulls every 30 s. On a LAN the round
 * trip is well under a millisecond, so we probe every 450 ms with a 225 ms timeout, gossip every
 * 100 ms to 4 members, keep memberlist's suspicionMult 4 (two independent confirmations
 * expected) and push-pull interval, and use retransmitMult 6 (see below). Lifeguard
 * (confirmations, awareness, TCP fallback, indirect probes with nacks) keeps false positives
 * down, which lets the times shrink. Suspicion timeout at n=50: 4 * log10(50) * 450 ms = 3.1 s
 * (memberlist: 6.8 s).
 * Cost, measured against serf on the wire (bench/gossip-traffic, N=10, 2026-12-04): 0.71-0.73x
 * serf's bytes per member per second, failure seen by all in 0.33-0.35x serf's time, 0 false
 * failures. Push-pulls (TCP handshake, full state both ways, close) every 15 s were a third of
 * our bytes: with them, 400 ms probes sent 0.99-1.01x serf's bytes.
 */
export function lanConfig(): Config {
  return {
    probeIntervalMs: 450,
    probeTimeoutMs: 225,
    indirectChecks: 3,
    tcpPings: true,
    suspicionMult: 4,
    suspicionMaxTimeoutMult: 6,
    gossipIntervalMs: 100,
    gossipNodes: 4,
    gossipToTheDeadMs: 15_000,
    // memberlist uses 4. With 8 concurrent joins into one seed (a limit of 4 sends per message
    // at n < 10), the simulator had 4% of runs where a member missed a peer until the next
    // push-pull (up to 15 s); 6 cut that to 1.5% at 1% loss, and the push-pull after join
    // (pushPullAfterJoinMs) bounds the rest at ~1 s (600 seeded runs, 0-5% loss). Cost: ~1.5x
    // broadcast traffic.
    retransmitMult: 6,
    // memberlist's. Joins do not wait for it (pushPullAfterJoinMs): the concurrent-join simulation
    // (600 seeded runs, 0-5% loss) converged identically at 15 s and 30 s.
    pushPullIntervalMs: 30_000,
    pushPullAfterJoinMs: 1_000,
    reconnectIntervalMs: 10_000,
    reconnectTimeoutMs: 24 * 3600_000, // serf's defaults
    tombstoneTimeoutMs: 24 * 3600_000,
    awarenessMaxMultiplier: 8,
    packetBytesMax: 1400,
    queueDepthMax: 4096,
    tcpTimeoutMs: 5_000,
    coordinates: true,
    coordinateIntervalMs: 1_000,
  };
}

/** WAN profile: the LAN profile with memberlist's DefaultWANConfig overrides for high-latency links. */
export function wanConfig(): Config {
  return {
    ...lanConfig(),
    probeIntervalMs: 5_000, // RTTs of 100+ ms and lossy links: probe less often
    probeTimeoutMs: 3_000,
    suspicionMult: 6, // give a distant member longer to refute
    gossipIntervalMs: 500,
    gossipNodes: 4,
    gossipToTheDeadMs: 60_000,
    pushPullIntervalMs: 60_000,
    pushPullAfterJoinMs: 5_000,
    reconnectIntervalMs: 30_000,
    tcpTimeoutMs: 30_000,
  };
}

export type Profile = 'lan' | 'wan';

export function profileConfig(profile: Profile): Config {
  return profile === 'wan' ? wanConfig() : lanConfig();
}

/** Rejects settings that cannot work together (etcd-raft's Config.validate). */
export function validateConfig(c: Config): void {
  const positive: (keyof Config)[] = ['probeIntervalMs', 'probeTimeoutMs', 'gossipIntervalMs', 'suspicionMult', 'retransmitMult', 'tcpTimeoutMs'];
  for (const k of positive) if (!(typeof c[k] === 'number' && (c[k] as number) > 0)) throw new Error(`config: ${k} must be > 0`);
  if (c.probeTimeoutMs >= c.probeIntervalMs) throw new Error('config: probeTimeoutMs must be < probeIntervalMs');
  if (c.suspicionMaxTimeoutMult < 1) throw new Error('config: suspicionMaxTimeoutMult must be >= 1');
  if (c.packetBytesMax < 512 || c.packetBytesMax > 65_000) throw new Error('config: packetBytesMax must be in [512, 65000]');
  if (c.awarenessMaxMultiplier < 1) throw new Error('config: awarenessMaxMultiplier must be >= 1');
}

/** memberlist suspicionTimeout: suspicionMult * max(1, log10(max(1, n))) * probeInterval. */
export function suspicionTimeoutMs(suspicionMult: number, n: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return Math.floor(suspicionMult * nodeScale * probeIntervalMs);
}

/** memberlist retransmitLimit: retransmitMult * ceil(log10(n + 1)). */
export function retransmitLimit(retransmitMult: number, n: number): number {
  return retransmitMult * Math.ceil(Math.log10(n + 1));
}

/** memberlist pushPullScale: the interval grows with log2(n) past 32 members so the sync load stays flat. */
export function pushPullIntervalMs(intervalMs: number, n: number): number {
  const threshold = 32;
  if (n <= threshold) return intervalMs;
  const multiplier = Math.ceil(Math.log2(n) - Math.log2(threshold)) + 1;
  return intervalMs * multiplier;
}
