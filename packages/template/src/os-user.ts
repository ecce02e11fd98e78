// Users and groups by name or id, as Go's os/user finds them without cgo (/etc/passwd and
// /etc/group): for writeToFile and a template's user/group.

import { readFileSync } from 'node:fs';

/** strconv.Atoi (int64). */
export function atoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? Number(n) : undefined;
}

/** Go's os/user without cgo: the id of the named entry in /etc/passwd or /etc/group (uid/gid must be numbers). */
function lookupId(file: string, name: string, minColons: number, numeric: number[]): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line[0] === '#' || line.split(':').length - 1 < minColons) continue;
    const parts = line.split(':');
    if (parts[0] !== name || name === '' || name[0] === '+' || name[0] === '-') continue;
    if (numeric.some((i) => atoi(parts[i]!) === undefined)) continue;
    return parts[2];
  }
  return undefined;
}

/** A user (group) name, else a numeric id; Go's lookup error when it is neither. */
export function resolveId(name: string, kind: 'user' | 'group'): number {
  const id = kind === 'user' ? lookupId('/etc/passwd', name, 6, [2, 3]) : lookupId('/etc/group', name, 3, [2]);
  if (id !== undefined) return Number(id);
  const n = atoi(name);
  if (n === undefined) throw new Error(`${kind}: unknown ${kind} ${name}`);
  return n;
}

/**
 * A template's `user` / `group` as consul-template's renderer reads it: empty is -1 (leave as
 * is), a number is an id, anything else a name.
 */
export function ownerId(s: string | undefined, kind: 'user' | 'group'): number {
  if (s === undefined || s === '') return -1;
  const n = atoi(s);
  if (n !== undefined) return n;
  try {
    return resolveId(s, kind);
  } catch (err) {
    throw new Error(`failed looking up ${kind}: ${(err as Error).message}`);
  }
}
