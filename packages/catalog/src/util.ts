/** Small helpers shared by the catalog's modules. */
import type { ApplyResult } from './commands.js';

export const ok = (value = true): ApplyResult => ({ ok: true, value });
export const fail = (error: string): ApplyResult => ({ ok: false, error });

/** Names match case-insensitively, as Consul's lowercased memdb indexes do. */
export const lower = (s: string): string => s.toLowerCase();

/** Code-unit order (Go's byte order for ASCII). */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Same content, ignoring the raft indexes: an identical re-registration moves no index. */
export function sameContent<T extends { CreateIndex: number; ModifyIndex: number }>(a: T, b: T): boolean {
  return JSON.stringify({ ...a, CreateIndex: 0, ModifyIndex: 0 }) === JSON.stringify({ ...b, CreateIndex: 0, ModifyIndex: 0 });
}

/** Values of a map sorted by key. */
export function sortedValues<T>(m: Map<string, T>): T[] {
  return [...m.entries()].sort((a, b) => byString(a[0], b[0])).map((e) => e[1]);
}
