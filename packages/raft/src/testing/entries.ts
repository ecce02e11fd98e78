// Entry comparison and naming for the safety checkers (one definition for all of them).

import type { Entry } from '../types.js';

export function sameEntry(a: Entry, b: Entry): boolean {
  return a === b || (a.index === b.index && a.term === b.term && a.type === b.type && JSON.stringify(a.data) === JSON.stringify(b.data));
}

export function describeEntry(e: Entry): string {
  return `${e.index}@${e.term}:${e.type}:${JSON.stringify(e.data)}`;
}
