// A linearizability checker for key-value histories in the style of Porcupine (Wing & Gong's
// search with Lowe's memoization), split per key (P-compositionality: a history is
// linearizable iff each key's sub-history is).

export interface KvOperation {
  clientId: number;
  key: string;
  kind: 'put' | 'get' | 'cas';
  /** put, cas: the value written; get: unused. */
  value?: string;
  /** cas: the value the key must hold for the write to happen (undefined = absent). */
  expected?: string;
  /** get: the value read (undefined = absent); cas: 'true' or 'false' (undefined = unknown outcome). */
  output?: string;
  /** Logical timestamps; ret = Infinity for an operation whose outcome is unknown. */
  call: number;
  ret: number;
}

export type CheckResult = 'ok' | 'illegal' | 'unknown';

interface Node {
  op: number;
  isCall: boolean;
  time: number;
  match: Node | null;
  prev: Node | null;
  next: Node | null;
}

/** Checks a whole history; `budget` bounds the search steps per key (then 'unknown'). */
export function checkKvHistory(history: KvOperation[], budget = 2_000_000): CheckResult {
  const byKey = new Map<string, KvOperation[]>();
  for (const op of history) {
    let l = byKey.get(op.key);
    if (!l) byKey.set(op.key, (l = []));
    l.push(op);
  }
  let result: CheckResult = 'ok';
  for (const ops of byKey.values()) {
    const r = checkSingleKey(ops, budget);
    if (r === 'illegal') return 'illegal';
    if (r === 'unknown') result = 'unknown';
  }
  return result;
}

function stepModel(state: string | undefined, op: KvOperation): [boolean, string | undefined] {
  if (op.kind === 'put') return [true, op.value];
  if (op.kind === 'cas') {
    const swapped = state === op.expected;
    // An unknown outcome (no answer) fits either way; an answer must match the state.
    if (op.output === undefined) return [true, swapped ? op.value : state];
    return [op.output === String(swapped), swapped ? op.value : state];
  }
  return [op.output === state, state];
}

function checkSingleKey(ops: KvOperation[], budget: number): CheckResult {
  // Build the doubly linked list of call and return events in time order.
  const events: Node[] = [];
  ops.forEach((op, i) => {
    const call: Node = { op: i, isCall: true, time: op.call, match: null, prev: null, next: null };
    const ret: Node = { op: i, isCall: false, time: op.ret, match: null, prev: null, next: null };
    call.match = ret;
    events.push(call, ret);
  });
  // Calls before returns at equal times would be unsound; timestamps are unique except Infinity.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? 1 : -1));
  const head: Node = { op: -1, isCall: false, time: -Infinity, match: null, prev: null, next: null };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }

  const lift = (e: Node): void => {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
    const m = e.match!;
    m.prev!.next = m.next;
    if (m.next) m.next.prev = m.prev;
  };
  const unlift = (e: Node): void => {
    const m = e.match!;
    m.prev!.next = m;
    if (m.next) m.next.prev = m;
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  };

  let linearized = 0n;
  const cache = new Set<string>();
  const calls: { entry: Node; state: string | undefined }[] = [];
  let state: string | undefined = undefined;
  let entry = head.next;
  let steps = 0;
  while (head.next !== null) {
    if (++steps > budget) return 'unknown';
    if (entry === null) return 'illegal';
    if (entry.isCall) {
      const [ok, next] = stepModel(state, ops[entry.op]);
      if (ok) {
        const bit = 1n << BigInt(entry.op);
        const key = `${(linearized | bit).toString(36)}|${next ?? '\u0000'}`;
        if (!cache.has(key)) {
          cache.add(key);
          calls.push({ entry, state });
          state = next;
          linearized |= bit;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      if (calls.length === 0) return 'illegal';
      const top = calls.pop()!;
      entry = top.entry;
      state = top.state;
      linearized &= ~(1n << BigInt(entry.op));
      unlift(entry);
      entry = entry.next;
    }
  }
  return 'ok';
}
