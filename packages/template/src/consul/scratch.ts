// consul-template's `scratch`: a per-render key/value notepad.
import { mapKeys } from '../engine/values.js';

export class Scratch {
  static goTypeName = '*template.Scratch';
  private values: Record<string, unknown> = {};

  Key(k: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.values, k);
  }
  Get(k: string): unknown {
    return this.values[k];
  }
  Set(k: string, v: unknown): string {
    this.values[k] = v;
    return '';
  }
  SetX(k: string, v: unknown): string {
    if (!this.Key(k)) this.values[k] = v;
    return '';
  }
  MapSet(k: string, mk: string, v: unknown): string {
    this.map(k)[mk] = v;
    return '';
  }
  MapSetX(k: string, mk: string, v: unknown): string {
    const m = this.map(k);
    if (!Object.prototype.hasOwnProperty.call(m, mk)) m[mk] = v;
    return '';
  }
  MapValues(k: string): unknown[] {
    const m = this.values[k];
    if (m === undefined) return [];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`MapValues: ${JSON.stringify(k)} is not a map`);
    const rec = m as Record<string, unknown>;
    return mapKeys(rec).map((key) => rec[key as string]);
  }
  private map(k: string): Record<string, unknown> {
    const m = this.values[k];
    if (m === undefined) {
      const fresh: Record<string, unknown> = {};
      this.values[k] = fresh;
      return fresh;
    }
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`MapSet: ${JSON.stringify(k)} is not a map`);
    return m as Record<string, unknown>;
  }
}
