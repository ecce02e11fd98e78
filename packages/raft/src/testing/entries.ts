// Entry comparison and naming for the safety checkers (one definition for all of them).

import type { Entry } from '../types.js';

// The log hands out a new Entry object on every read, with its command object (or a new view
// of its command bytes): compare by value, and remember an object command's text.
const texts = new WeakMap<object, string>();

function text(d: unknown): string {
  if (d === null || typeof d !== 'object') return String(JSON.stringify(d));
  let t = texts.get(d);
  if (t === undefined) texts.set(d, (t = d instanceof Uint8Array ? `bytes:${Array.from(d).join(',')}` : JSON.stringify(d)));
  return t;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function sameEntry(a: Entry, b: Entry): boolean {
  if (a === b) return true;
  if (a.index !== b.index || a.term !== b.term || a.type !== b.type) return false;
  if (a.data === b.data) return true;
  if (a.data instanceof Uint8Array && b.data instanceof Uint8Array) return sameBytes(a.data, b.data);
  return text(a.data) === text(b.data);
}

export function describeEntry(e: Entry): string {
  return `${e.index}@${e.term}:${e.type}:${text(e.data)}`;
}
