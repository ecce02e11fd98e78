// Pure quorum arithmetic (etcd-io/raft quorum/): majority of voters only.

import type { NodeId } from './types.js';

export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The highest index that a majority of voters have matched. */
export function committedIndex(voters: NodeId[], match: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const m = voters.map(match).sort((a, b) => b - a);
  return m[majority(voters.length) - 1];
}

export type VoteResult = 'won' | 'lost' | 'pending';

export function voteResult(voters: NodeId[], votes: Map<NodeId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const v of voters) {
    const g = votes.get(v);
    if (g === true) granted++;
    else if (g === false) rejected++;
  }
  const q = majority(voters.length);
  if (granted >= q) return 'won';
  if (voters.length - rejected < q) return 'lost';
  return 'pending';
}
