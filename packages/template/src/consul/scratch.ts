// consul-template's `scratch`: a per-render key/value notepad.
import { mapKeys } from '../engine/values.js';

// Keys are any strings, as in Go: read own properties only (m['toString'] is
// Object's otherwise) and define rather than assign (m['__proto__'] = v would
// set the prototype).
type Dict = Record<string, unknown>;
const get = (m: Dict, k: string): unknown => (Object.hasOwn(m, k) ? m[k] : undefined);
const put = (m: Dict, k: string, v: unknown): void => {
  Object.defineProperty(m, k, { value: v, writable: true, enumerable: true, configurable: true });
};

export class Scratch {
  static goTypeName = '*template.Scratch';
  private values: Dict = {};

  Key(k: string): boolean {
    return Object.hasOwn(this.values, k);
  }
  Get(k: string): unknown {
    return get(this.values, k);
  }
  Set(k: string, v: unknown): string {
    put(this.values, k, v);
    return '';
  }
  SetX(k: string, v: unknown): string {
    if (!this.Key(k)) put(this.values, k, v);
    return '';
  }
  MapSet(k: string, mk: string, v: unknown): string {
    put(this.map(k), mk, v);
    return '';
  }
  MapSetX(k: string, mk: string, v: unknown): string {
    const m = this.map(k);
    if (!Object.hasOwn(m, mk)) put(m, mk, v);
    return '';
  }
  MapValues(k: string): unknown[] {
    const m = get(this.values, k);
    if (m === undefined) return [];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`MapValues: ${JSON.stringify(k)} is not a map`);
    const rec = m as Dict;
    return mapKeys(rec).map((key) => rec[key as string]);
  }
  private map(k: string): Dict {
    const m = get(this.values, k);
    if (m === undefined) {
      const fresh: Dict = {};
      put(this.values, k, fresh);
      return fresh;
    }
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`MapSet: ${JSON.stringify(k)} is not a map`);
    return m as Dict;
  }
}
