// Pure quorum arithmetic (etcd-io/raft quorum/): majority of voters only.

import type { NodeId } from './types.js';

export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The highest index that a majority of voters have matched. */
export function committedIndex(voters: NodeId[], match: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  return quorumValue(voters.map(match));
}

/**
 * The value a majority of `values` reach or exceed (the majority-th largest). Sorts `values`
 * in place, by insertion: a handful of voters, and no comparator closure or copy per call on a
 * path taken for every commit and every lease read.
 */
export function quorumValue(values: number[]): number {
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    let j = i - 1;
    for (; j >= 0 && values[j] < v; j--) values[j + 1] = values[j];
    values[j + 1] = v;
  }
  return values[majority(values.length) - 1];
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
