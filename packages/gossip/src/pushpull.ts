// Push-pull anti-entropy (memberlist pushPullNode / mergeRemoteState): two members exchange
// their whole tables over TCP. Gossip is fast but lossy; this guarantees that nobody stays
// missing a peer for longer than one push-pull interval.
import { WireState, type AliveMsg, type DeadMsg, type PushPullState, type SuspectMsg, type WireStateValue } from './messages.js';
import type { MemberRecord, MemberState } from './members.js';

const toWire: Record<MemberState, WireStateValue> = {
  alive: WireState.alive,
  suspect: WireState.suspect,
  failed: WireState.dead,
  left: WireState.left,
};

export function localState(records: Iterable<MemberRecord>): PushPullState[] {
  const out: PushPullState[] = [];
  for (const r of records) {
    out.push({ name: r.name, addr: r.addr, port: r.port, incarnation: r.incarnation, state: toWire[r.state], tags: r.tags });
  }
  return out;
}

export interface MergeTarget {
  readonly selfName: string;
  alive(m: AliveMsg): void;
  suspect(m: SuspectMsg): void;
  dead(m: DeadMsg): void;
}

/**
 * Merges a remote table. A remote "dead" or "suspect" only makes us suspect the member: we trust
 * the report enough to check, not enough to declare a failure ourselves (as memberlist does).
 */
export function mergeRemoteState(states: readonly PushPullState[], into: MergeTarget): void {
  for (const s of states) {
    switch (s.state) {
      case WireState.alive:
        into.alive({ type: 'alive', incarnation: s.incarnation, node: s.name, addr: s.addr, port: s.port, tags: s.tags });
        break;
      case WireState.left:
        into.dead({ type: 'dead', incarnation: s.incarnation, node: s.name, from: s.name });
        break;
      default:
        into.suspect({ type: 'suspect', incarnation: s.incarnation, node: s.name, from: into.selfName });
    }
  }
}
