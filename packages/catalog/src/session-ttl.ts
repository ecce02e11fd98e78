/**
 * Session TTL timers, kept by the leader only (as in Consul, renewals are not replicated).
 * Pure: time comes in as `nowMs`. A session expires after TTL x 2 without a renewal
 * (Consul's SessionTTLMultiplier); a new leader calls `resetAll` so every timer restarts.
 */
import { parseGoDurationMs } from './duration.js';

/** Consul's `SessionTTLMultiplier`. */
export const SESSION_TTL_MULTIPLIER = 2;

export class SessionTTLTracker {
  /** Session ID -> deadline in ms. */
  private readonly deadlines = new Map<string, number>();

  /** Starts or restarts the timer of a session (create, renew). A TTL of "" or 0 means none. */
  reset(id: string, ttl: string, nowMs: number): void {
    const ttlMs = ttl === '' ? 0 : (parseGoDurationMs(ttl) ?? 0);
    if (ttlMs <= 0) {
      this.deadlines.delete(id);
      return;
    }
    this.deadlines.set(id, nowMs + ttlMs * SESSION_TTL_MULTIPLIER);
  }

  /** Restarts the timers of all given sessions (on becoming leader); forgets others. */
  resetAll(sessions: Iterable<{ ID: string; TTL: string }>, nowMs: number): void {
    this.deadlines.clear();
    for (const s of sessions) this.reset(s.ID, s.TTL, nowMs);
  }

  /** Forgets a session (destroyed or invalidated). */
  remove(id: string): void {
    this.deadlines.delete(id);
  }

  /** IDs of sessions whose deadline passed at `nowMs`, sorted (the leader destroys them). */
  expired(nowMs: number): string[] {
    const out: string[] = [];
    for (const [id, deadline] of this.deadlines) if (deadline <= nowMs) out.push(id);
    return out.sort();
  }

  /** The earliest deadline, for scheduling the next check; undefined when none. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const d of this.deadlines.values()) if (min === undefined || d < min) min = d;
    return min;
  }

  get size(): number {
    return this.deadlines.size;
  }
}
