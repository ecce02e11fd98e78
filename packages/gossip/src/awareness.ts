// Lifeguard local health awareness (memberlist awareness.go). A member that misses acks and
// nacks, or has to refute suspicions about itself, is probably the slow one: it scales its own
// probe timeouts up so it stops accusing healthy members.

export class Awareness {
  private score = 0;

  /** max: the largest timeout multiplier (score stays in [0, max - 1]). */
  constructor(private readonly max: number) {}

  applyDelta(delta: number): void {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta));
  }

  getHealthScore(): number {
    return this.score;
  }

  /** timeout * (score + 1). */
  scaleTimeout(timeoutMs: number): number {
    return timeoutMs * (this.score + 1);
  }
}
