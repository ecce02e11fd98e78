/**
 * Comparing a peering secret a caller sent with the one in the state, in constant time:
 * `!==` would stop at the first differing byte and tell a caller, by the time it takes, how
 * much of a guess was right.
 */
import { timingSafeEqual } from 'node:crypto';

/** Whether `given` is the stored `secret`; an empty secret (spent or unset) matches nothing, nor does a different length. */
export function secretMatches(secret: string, given: string): boolean {
  if (secret === '') return false;
  const a = Buffer.from(secret, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
