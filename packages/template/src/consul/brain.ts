// The Brain holds the latest value of every dependency (as consul-template's
// Brain): watchers remember, renders recall.

export class Brain {
  private readonly values = new Map<string, unknown>();

  remember(id: string, value: unknown): void {
    this.values.set(id, value);
  }
  recall(id: string): { ok: boolean; value: unknown } {
    return this.values.has(id) ? { ok: true, value: this.values.get(id) } : { ok: false, value: undefined };
  }
  forget(id: string): void {
    this.values.delete(id);
  }
}

/** A value of a kv.get dependency: 404 is remembered as `exists: false`. */
export interface KVGetValue {
  exists: boolean;
  value: string;
}
