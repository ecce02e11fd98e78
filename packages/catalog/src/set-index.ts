/**
 * A secondary index: key -> the set of IDs filed under it (a session's held KV keys, a node's
 * sessions). A key whose set empties is dropped, so the index holds nothing stale.
 */
export class SetIndex {
  readonly #sets = new Map<string, Set<string>>();

  add(key: string, id: string): void {
    let ids = this.#sets.get(key);
    if (!ids) this.#sets.set(key, (ids = new Set()));
    ids.add(id);
  }

  delete(key: string, id: string): void {
    const ids = this.#sets.get(key);
    if (!ids) return;
    ids.delete(id);
    if (ids.size === 0) this.#sets.delete(key);
  }

  /** The IDs under `key`, in insertion order. */
  get(key: string): string[] {
    return [...(this.#sets.get(key) ?? [])];
  }

  clear(): void {
    this.#sets.clear();
  }
}
