/**
 * What the leader knows of each peering's stream, in memory (Consul's peerstream.Tracker): when
 * the peer was last heard from, what was last sent, the last error. A read turns it into the
 * peering's State (reconcilePeering: a connected stream is ACTIVE, a broken one FAILING) and its
 * StreamStatus. It starts empty on each new leader, as Consul's.
 */
import type { PeeringRecord, PeeringState } from '@proconsul/catalog';

/** A peer not heard from for this long is not connected any more (a few missed heartbeats). */
export const STREAM_STALE_MS = 30_000;

export interface StreamStatus {
  lastReceiveMs: number;
  lastSendMs: number;
  lastHeartbeatMs: number;
  /** The last error of the stream ('' after a success). */
  error: string;
}

export class StreamTracker {
  readonly #byId = new Map<string, StreamStatus>();

  constructor(private readonly now: () => number = Date.now) {}

  #of(id: string): StreamStatus {
    let s = this.#byId.get(id);
    if (!s) this.#byId.set(id, (s = { lastReceiveMs: 0, lastSendMs: 0, lastHeartbeatMs: 0, error: '' }));
    return s;
  }

  received(id: string, heartbeat = false): void {
    const s = this.#of(id);
    s.lastReceiveMs = this.now();
    if (heartbeat) s.lastHeartbeatMs = s.lastReceiveMs;
    s.error = '';
  }

  sent(id: string): void {
    this.#of(id).lastSendMs = this.now();
  }

  failed(id: string, error: string): void {
    this.#of(id).error = error;
  }

  forget(id: string): void {
    this.#byId.delete(id);
  }

  get(id: string): StreamStatus | undefined {
    return this.#byId.get(id);
  }

  /** The State a read reports: stored DELETING/TERMINATED as they are, else from the stream. */
  state(p: PeeringRecord): PeeringState {
    if (p.State === 'DELETING' || p.State === 'TERMINATED') return p.State;
    const s = this.#byId.get(p.ID);
    if (!s) return p.State;
    if (s.error === '' && s.lastReceiveMs > 0 && this.now() - s.lastReceiveMs < STREAM_STALE_MS) return 'ACTIVE';
    return s.lastReceiveMs > 0 || s.error !== '' ? 'FAILING' : p.State;
  }
}
