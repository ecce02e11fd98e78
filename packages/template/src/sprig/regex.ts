// Sprig's regex functions (sprig regex.go) on Go's regexp: re2js is a port of
// RE2 with Go's syntax, match rules and error texts. It loads on first use.
// Replacement templates expand as Go's Regexp.Expand does ($1, ${1}, $name, $$).

import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import type { FuncMap } from '../engine/exec.js';
import { int, str } from './convert.js';

interface GoRegexp {
  findAllSubmatchIndex(s: string, n: number): number[][] | null;
}
let re2: typeof RE2JS | undefined;
function compile(pattern: string): { re: GoRegexp; names: Record<string, number> } {
  re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  const p = re2.compile(pattern);
  return { re: (p as unknown as { re2(): GoRegexp }).re2(), names: p.namedGroups() as Record<string, number> };
}
/** regexp.MustCompile: a bad pattern panics with Go's message. */
function mustCompile(pattern: string) {
  try {
    return compile(pattern);
  } catch (e) {
    throw new Error(`regexp: Compile(${'`'}${pattern}${'`'}): ${(e as Error).message}`);
  }
}

const all = (pattern: string, s: string, n: number, must: boolean) =>
  (must ? compile(pattern) : mustCompile(pattern)).re.findAllSubmatchIndex(s, n) ?? [];

/** Regexp.Expand of a replacement template for one match. */
function expand(template: string, s: string, m: number[], names: Record<string, number>): string {
  const group = (i: number | undefined) => (i === undefined || 2 * i >= m.length || m[2 * i]! < 0 ? '' : s.slice(m[2 * i], m[2 * i + 1]));
  return template.replace(/\$(?:(\$)|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (all, dollar?: string, braced?: string, bare?: string) => {
    if (dollar) return '$';
    const name = braced ?? bare!;
    if (/^\d+$/.test(name)) return group(Number(name) > 1e6 ? undefined : Number(name));
    return group(Object.hasOwn(names, name) ? names[name] : undefined);
  });
}

function replaceAll(pattern: string, s: string, repl: string, literal: boolean, must: boolean): string {
  const { re, names } = must ? compile(pattern) : mustCompile(pattern);
  let out = '';
  let last = 0;
  for (const m of re.findAllSubmatchIndex(s, -1) ?? []) {
    out += s.slice(last, m[0]) + (literal ? repl : expand(repl, s, m, names));
    last = m[1]!;
  }
  return out + s.slice(last);
}

/** Regexp.Split. */
function split(pattern: string, s: string, n: number, must: boolean): string[] {
  if (n === 0) return [];
  if (pattern !== '' && s === '') return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of all(pattern, s, n, must)) {
    if (n > 0 && out.length === n - 1) break;
    end = m[0]!;
    if (m[1] !== 0) out.push(s.slice(beg, end));
    beg = m[1]!;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

const findAll = (p: string, s: string, n: number, must: boolean) => {
  const ms = all(p, s, n, must);
  return ms.map((m) => s.slice(m[0], m[1]));
};
const find = (p: string, s: string, must: boolean) => {
  const m = all(p, s, 1, must)[0];
  return m ? s.slice(m[0], m[1]) : '';
};

/** regexp.Compile + MatchString: a bad pattern fails with Go's message (consul-template's regexMatch). */
export const regexpMatch = (pattern: string, s: string): boolean => all(pattern, s, 1, true).length > 0;

/** regexp.Compile + ReplaceAllString: a bad pattern fails with Go's message (consul-template's regexReplaceAll). */
export const regexpReplaceAll = (pattern: string, s: string, repl: string): string => replaceAll(pattern, s, repl, false, true);

/** regexp.QuoteMeta. */
const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

export const regexFuncs: FuncMap = {
  // regexp.MatchString: a bad pattern is no match (the error is dropped).
  regexMatch: (p: unknown, s: unknown) => {
    try {
      return regexpMatch(str(p), str(s));
    } catch {
      return false;
    }
  },
  mustRegexMatch: (p: unknown, s: unknown) => regexpMatch(str(p), str(s)),
  regexFindAll: (p: unknown, s: unknown, n: unknown) => findAll(str(p), str(s), int(n), false),
  mustRegexFindAll: (p: unknown, s: unknown, n: unknown) => findAll(str(p), str(s), int(n), true),
  regexFind: (p: unknown, s: unknown) => find(str(p), str(s), false),
  mustRegexFind: (p: unknown, s: unknown) => find(str(p), str(s), true),
  regexReplaceAll: (p: unknown, s: unknown, r: unknown) => replaceAll(str(p), str(s), str(r), false, false),
  mustRegexReplaceAll: (p: unknown, s: unknown, r: unknown) => regexpReplaceAll(str(p), str(s), str(r)),
  regexReplaceAllLiteral: (p: unknown, s: unknown, r: unknown) => replaceAll(str(p), str(s), str(r), true, false),
  mustRegexReplaceAllLiteral: (p: unknown, s: unknown, r: unknown) => replaceAll(str(p), str(s), str(r), true, true),
  regexSplit: (p: unknown, s: unknown, n: unknown) => split(str(p), str(s), int(n), false),
  mustRegexSplit: (p: unknown, s: unknown, n: unknown) => split(str(p), str(s), int(n), true),
  regexQuoteMeta: (s: unknown) => quoteMeta(str(s)),
};
