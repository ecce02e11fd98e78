// Transmit-limited broadcast queue (memberlist queue.go). Each broadcast is piggybacked on
// outgoing packets until it has been sent retransmitLimit times. Fewest-sent first, then newest
// first, so fresh news spreads before old news; a newer broadcast about the same member
// invalidates the older one (an old alive/suspect/dead about a member is never worth sending).

interface Item {
  readonly node: string;
  readonly bytes: Uint8Array;
  readonly id: number;
  transmits: number;
}

export class BroadcastQueue {
  private items: Item[] = [];
  private nextId = 0;

  constructor(private readonly depthMax: number) {}

  get length(): number {
    return this.items.length;
  }

  /** Queues a broadcast about `node`, replacing any older one about the same member. */
  queue(node: string, bytes: Uint8Array): void {
    this.items = this.items.filter((i) => i.node !== node);
    this.items.push({ node, bytes, id: this.nextId++, transmits: 0 });
    if (this.items.length > this.depthMax) {
      // Drop the most-sent, oldest items: they have had their chance to spread.
      this.sort();
      this.items.length = this.depthMax;
    }
  }

  /** True while a broadcast about `node` is still being retransmitted. */
  has(node: string): boolean {
    return this.items.some((i) => i.node === node);
  }

  /**
   * Takes broadcasts that fit in `bytesLimit`, counting `overheadBytes` per message, and counts a
   * transmit for each; items that reached `transmitLimit` are removed.
   */
  take(overheadBytes: number, bytesLimit: number, transmitLimit: number): Uint8Array[] {
    if (this.items.length === 0) return [];
    this.sort();
    const out: Uint8Array[] = [];
    let used = 0;
    let removed = false;
    for (const item of this.items) {
      const size = item.bytes.length + overheadBytes;
      if (used + size > bytesLimit) continue;
      used += size;
      out.push(item.bytes);
      item.transmits++;
      if (item.transmits >= transmitLimit) removed = true;
    }
    if (removed) this.items = this.items.filter((i) => i.transmits < transmitLimit);
    return out;
  }

  private sort(): void {
    this.items.sort((a, b) => a.transmits - b.transmits || b.id - a.id);
  }
}
