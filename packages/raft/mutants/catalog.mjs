// Classic Raft bugs, planted one at a time into a temporary copy of the source by
// run.mjs. Each edit replaces text that must occur exactly once in its file, so a mutant
// whose anchor no longer exists fails loudly instead of silently testing nothing.
// Sources: the Raft paper and thesis, etcd-io/raft and hashicorp/raft histories.

/** @type {{ name: string, why: string, equivalent?: string, edits: { file: string, find: string, replace: string }[] }[]} */
export const mutants = [
  {
    name: 'commit-old-term',
    why: 'paper 5.4.2 / Figure 8: a leader commits an entry of an earlier term by counting replicas',
    edits: [{ file: 'src/raft.ts', find: 'if (idx > this.log.committed && this.log.term(idx) === this.term) {', replace: 'if (idx > this.log.committed) {' }],
  },
  {
    name: 'lease-never-expires',
    why: 'an always-valid leader lease: lease reads keep being served by a deposed leader',
    edits: [{ file: 'src/raft.ts', find: 'return this.tickCount - quorumTick < this.cfg.leaseTick;', replace: 'return true;' }],
  },
  {
    name: 'lease-kept-after-transfer',
    why: 'etcd: the old leader keeps its lease after sending TimeoutNow, while the target wins with forced votes',
    edits: [{ file: 'src/raft.ts', find: '    this.leaseVoidTerm = this.term;\n', replace: '' }],
  },
  {
    name: 'votes-ignore-leader-lease',
    why: 'check-quorum: a node that heard a leader within the election timeout still grants votes, so a new leader is elected while the old lease holds',
    edits: [{ file: 'src/raft.ts', find: "if ((m.type === 'vote' || m.type === 'preVote') && !m.force && this.inLease()) return;", replace: '' }],
  },
  {
    name: 'unpersisted-vote',
    why: 'the vote is not part of the hard state handed out for persistence: after a crash a node votes twice in one term',
    edits: [{ file: 'src/raft.ts', find: 'const hard: HardState = { term: this.term, vote: this.vote };', replace: 'const hard: HardState = { term: this.term, vote: null };' }],
  },
  {
    name: 'log-matching-without-term',
    why: 'the AppendEntries consistency check compares only the index, not the term of the previous entry',
    edits: [{ file: 'src/log.ts', find: 'if (!this.matchTerm(prevIndex, prevTerm)) return null;', replace: 'if (prevIndex > this.lastIndex() || prevIndex < this.snapshot.meta.index) return null;' }],
  },
  {
    name: 'quorum-floor-half',
    why: 'a wrong quorum size: floor(n/2) instead of floor(n/2)+1',
    edits: [{ file: 'src/quorum.ts', find: 'return Math.floor(voterCount / 2) + 1;', replace: 'return Math.max(1, Math.floor(voterCount / 2));' }],
  },
  {
    name: 'vote-without-up-to-date-check',
    why: 'paper 5.4.1: a vote is granted without checking that the candidate log is at least as up to date',
    edits: [{ file: 'src/raft.ts', find: 'if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {', replace: 'if (canVote) {' }],
  },
  {
    name: 'no-truncate-conflicting-suffix',
    why: 'a follower overwrites conflicting entries in place but keeps the stale suffix after them',
    edits: [
      {
        file: 'src/log.ts',
        find: '    this.cols.truncateFrom(first);\n    for (const e of ents) this.cols.push(e);',
        replace:
          '    const stale = this.slice(first + ents.length, this.lastIndex() + 1);\n    this.cols.truncateFrom(first);\n    for (const e of ents) this.cols.push(e);\n    for (const e of stale) this.cols.push(e);',
      },
    ],
  },
  {
    name: 'leader-applies-before-commit',
    why: 'the leader hands entries to the state machine once appended, before a quorum has them',
    edits: [
      {
        file: 'src/raft.ts',
        find: 'committedEntries: this.log.nextCommitted(this.cfg.maxApplyPerReady),',
        replace:
          "committedEntries: this.role === 'leader' && this.log.pendingSnapshot === null ? this.log.slice(this.log.applied + 1, this.log.lastIndex() + 1) : this.log.nextCommitted(this.cfg.maxApplyPerReady),",
      },
      { file: 'src/log.ts', find: 'if (index > this.committed) throw new Error(`applied ${index} beyond commit ${this.committed}`);', replace: '' },
    ],
  },
  {
    name: 'read-index-without-heartbeat',
    why: 'thesis 6.4: ReadIndex answered from the commit index without a heartbeat round confirming leadership',
    edits: [
      {
        file: 'src/raft.ts',
        find: '    const key = `${from}\\u0000${context}`;\n    this.readQueue.push(',
        replace: '    if (index >= 0) {\n      this.answerRead(from, context, index);\n      return;\n    }\n    const key = `${from}\\u0000${context}`;\n    this.readQueue.push(',
      },
    ],
  },
  {
    name: 'read-index-before-term-commit',
    why: 'thesis 6.4: a new leader answers ReadIndex before an entry of its term is committed (its commit index may be stale)',
    edits: [{ file: 'src/raft.ts', find: 'if (this.log.term(this.log.committed) !== this.term) {\n      // Thesis 6.4', replace: 'if (false) {\n      // Thesis 6.4' }],
  },
  {
    name: 'commit-not-clamped-to-last-new',
    equivalent:
      'unreachable here: a leader finds the match point by probing down one index at a time from the top, so the first append a follower accepts in a term starts at its first conflicting entry and truncates the stale suffix; every later append of that term extends the leader log, so no stale entry ever lies beyond the last new one (kept so that a change to probing that makes it reachable can be checked with --only)',
    why: 'AppendEntries rule 5: commitIndex = min(leaderCommit, index of last new entry), not the last index of a possibly stale log',
    edits: [{ file: 'src/log.ts', find: 'this.commitTo(Math.min(committed, lastNew));', replace: 'this.commitTo(Math.min(committed, this.lastIndex()));' }],
  },
  {
    name: 'heartbeat-commit-not-clamped-to-match',
    why: 'etcd: a heartbeat carries the leader commit index unclamped by the follower match, so a follower with a divergent tail commits it',
    edits: [{ file: 'src/raft.ts', find: 'commit: Math.min(pr.match, this.log.committed),', replace: 'commit: this.log.committed,' }],
  },
  {
    name: 'term-not-updated',
    why: 'a node that sees a higher term does not adopt it (paper figure 2, rules for all servers)',
    edits: [{ file: 'src/raft.ts', find: 'this.becomeFollower(m.term, lead);', replace: 'this.becomeFollower(this.term, lead);' }],
  },
  {
    name: 'stale-term-append-accepted',
    why: 'AppendEntries from a leader of an older term is processed instead of rejected',
    edits: [
      {
        file: 'src/raft.ts',
        find: "    } else if (m.term < this.term && m.type !== 'readIndex' && m.type !== 'readIndexResp') {",
        replace: "    } else if (m.term < this.term && m.type !== 'readIndex' && m.type !== 'readIndexResp' && m.type !== 'app') {",
      },
    ],
  },
  {
    name: 'lease-from-ack-time',
    why: 'the lease is counted from when the heartbeat acknowledgement arrives instead of when the heartbeat was sent, so a delayed ack stretches it',
    edits: [{ file: 'src/raft.ts', find: 'if (m.index !== undefined) pr.leaseTick = Math.max(pr.leaseTick, m.index);', replace: 'if (m.index !== undefined) pr.leaseTick = this.tickCount;' }],
  },
  {
    name: 'conf-change-while-pending',
    why: 'single-server changes: a second change is accepted before the first commits, so two majorities may not overlap',
    edits: [{ file: 'src/raft.ts', find: '    if (this.pendingConfIndex > this.log.committed) return false;\n', replace: '' }],
  },
  {
    name: 'conf-change-before-term-commit',
    why: 'thesis 4.1 errata (Ongaro, raft-dev 2015): a new leader changes membership before an entry of its term commits',
    edits: [{ file: 'src/raft.ts', find: '    if (this.log.term(this.log.committed) !== this.term) return false;\n    const isVoter', replace: '    const isVoter' }],
  },
  {
    name: 'wal-not-durable',
    why: 'the WAL acknowledges a batch before it is on disk: segments opened without O_DSYNC, so a crash loses acknowledged entries',
    edits: [
      { file: 'src/storage/wal.ts', find: 'const file = await fs.openAppend(last.seg.path, { dsync: true });', replace: 'const file = await fs.openAppend(last.seg.path);' },
      { file: 'src/storage/wal.ts', find: 'const file = await fs.openAppend(`${path}.tmp`, { dsync: true });', replace: 'const file = await fs.openAppend(`${path}.tmp`);' },
    ],
  },
  {
    name: 'leader-counts-unwritten-copy',
    why: 'thesis 10.2.1 done wrong: the leader counts its own copy of new entries when it appends them, while their write goes on behind; a commit on that copy and one follower\'s is lost when the leader crashes before its write ends',
    edits: [
      {
        file: 'src/raft.ts',
        find: "    // The leader's own copy counts once it is durable (persisted()), not here.\n    this.bcastAppend();",
        replace: '    this.prs.get(this.id)?.maybeUpdate(this.log.lastIndex());\n    this.maybeCommit();\n    this.bcastAppend();',
      },
    ],
  },
  {
    name: 'conf-change-counts-unwritten-copy',
    why: 'a membership change rebuilds the progress map with the leader matching its last index, entries still being written included (the first bug the write-behind met in the simulator)',
    edits: [
      {
        file: 'src/raft.ts',
        find: "    if (this.role === 'leader') {\n      if (this.leadTransferee",
        replace: "    if (this.role === 'leader') {\n      this.prs.get(this.id)?.maybeUpdate(this.log.lastIndex());\n      if (this.leadTransferee",
      },
    ],
  },
  {
    name: 'pre-vote-tie-break-ignores-log',
    why: 'a pre-candidate refuses the pre-vote of a lower ID even when that one holds the longer log: neither can win, and pre-candidates that fire together again stall the election (a liveness bug; safety holds)',
    edits: [
      {
        file: 'src/raft.ts',
        find: "m.from < this.id && m.index === this.log.lastIndex() && m.logTerm === this.log.lastTerm();",
        replace: 'm.from < this.id;',
      },
    ],
  },
  {
    name: 'log-bytes-reused-after-truncate',
    why: 'the in-memory log writes new commands over the bytes of entries it truncated, which views handed out earlier (a message not yet sent or delivered, a batch being written) still read',
    edits: [
      {
        file: 'src/log-columns.ts',
        find: '    this.count = index - this.first;\n',
        replace: '    this.fill = this.positions[this.head + index - this.first];\n    this.count = index - this.first;\n',
      },
    ],
  },
];
