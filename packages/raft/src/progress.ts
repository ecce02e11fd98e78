// The leader's view of one follower (etcd-io/raft tracker/): how far it matches, what to
// send next, and how many append messages may be in flight (pipelining window).

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** probe: one append per heartbeat interval until the follower's position is known. */
  probeSent = false;
  /** replicate: last index and entry bytes of each append in flight, oldest first. */
  inflight: { index: number; bytes: number }[] = [];
  inflightBytes = 0;
  /** snapshot: index of the snapshot being sent and the bytes the follower has acknowledged. */
  pendingSnapshot = 0;
  snapOffset = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** Leader tick at which the newest heartbeat acknowledged by this follower was sent (lease). */
  leaseTick = -Infinity;

  constructor(next: number, readonly isLearner: boolean) {
    this.next = next;
  }

  becomeProbe(): void {
    const wasSnapshot = this.state === 'snapshot';
    this.state = 'probe';
    this.next = wasSnapshot ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.probeSent = false;
    this.clearInflight();
    this.pendingSnapshot = 0;
    this.snapOffset = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.clearInflight();
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapOffset = 0;
    this.clearInflight();
  }

  clearInflight(): void {
    this.inflight = [];
    this.inflightBytes = 0;
  }

  /** An append up to `index` carrying `bytes` of entries was sent (replicate state). */
  sent(index: number, bytes: number): void {
    this.next = index + 1;
    this.inflight.push({ index, bytes });
    this.inflightBytes += bytes;
  }

  /** Frees the oldest in-flight slot (a heartbeat response proves the follower is reachable). */
  freeOldest(): void {
    const f = this.inflight.shift();
    if (f) this.inflightBytes -= f.bytes;
  }

  /** An acknowledgement of `index`; false when it is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    while (this.inflight.length > 0 && this.inflight[0].index <= index) this.freeOldest();
    return updated;
  }

  /** A rejection of an append at `rejected`; the follower's last index is `hint`. False when stale. */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), 1);
    this.probeSent = false;
    return true;
  }

  /** Whether the in-flight window is full: too many appends or too many bytes (etcd's MaxInflightBytes). */
  inflightFull(maxInflight: number, maxInflightBytes: number): boolean {
    return this.inflight.length >= maxInflight || this.inflightBytes >= maxInflightBytes;
  }

  isPaused(maxInflight: number, maxInflightBytes: number): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflightFull(maxInflight, maxInflightBytes);
      case 'snapshot':
        return true;
    }
  }
}
