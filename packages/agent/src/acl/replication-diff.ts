/**
 * What one round of ACL replication changes (Consul's diffACLType, agent/consul/acl_replication.go):
 * both sides sorted by ID and walked together. An item only here is deleted, an item only in the
 * primary is upserted, and an item on both sides is upserted when the primary changed it after
 * the last round (`ModifyIndex > lastRemoteIndex`) and its Hash differs. Items without an ID
 * are skipped on both sides. Pure: no I/O, no clock.
 */

/** What the diff reads of a policy, role or token: its ID (AccessorID), ModifyIndex and Hash. */
export interface ReplicaMeta {
  id: string;
  modifyIndex: number;
  hash: string;
}

export interface ReplicationDiff {
  /** IDs to delete here, in ID order. */
  deletes: string[];
  /** IDs to fetch from the primary and write here, in ID order. */
  upserts: string[];
  /** Items without an ID (here, and in the primary). */
  localSkipped: number;
  remoteSkipped: number;
}

const byId = (a: ReplicaMeta, b: ReplicaMeta): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function diffAclType(local: readonly ReplicaMeta[], remote: readonly ReplicaMeta[], lastRemoteIndex: number): ReplicationDiff {
  const here = [...local].sort(byId);
  const there = [...remote].sort(byId);
  const out: ReplicationDiff = { deletes: [], upserts: [], localSkipped: 0, remoteSkipped: 0 };
  let l = 0;
  let r = 0;
  while (l < here.length && r < there.length) {
    const mine = here[l]!;
    const theirs = there[r]!;
    if (mine.id === '') {
      out.localSkipped++;
      l++;
    } else if (theirs.id === '') {
      out.remoteSkipped++;
      r++;
    } else if (mine.id === theirs.id) {
      if (theirs.modifyIndex > lastRemoteIndex && theirs.hash !== mine.hash) out.upserts.push(theirs.id);
      l++;
      r++;
    } else if (mine.id < theirs.id) {
      out.deletes.push(mine.id);
      l++;
    } else {
      out.upserts.push(theirs.id);
      r++;
    }
  }
  for (; l < here.length; l++) {
    if (here[l]!.id === '') out.localSkipped++;
    else out.deletes.push(here[l]!.id);
  }
  for (; r < there.length; r++) {
    if (there[r]!.id === '') out.remoteSkipped++;
    else out.upserts.push(there[r]!.id);
  }
  return out;
}
