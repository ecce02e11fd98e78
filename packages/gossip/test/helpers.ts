import type { GossipNode, MemberEvent } from '../src/index.js';

/** Waits (bounded) until `pred` holds; throws with `what` if it never does. */
export async function until(what: string, pred: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Records every member event a node emits. */
export function record(node: GossipNode): MemberEvent[] {
  const seen: MemberEvent[] = [];
  node.on('event', (e) => seen.push(e));
  return seen;
}

export const aliveNames = (n: GossipNode): string[] =>
  n.members().filter((m) => m.state === 'alive').map((m) => m.name).sort();
