// Sprig's semver and semverCompare (sprig semver.go) with Masterminds/semver
// v3.3.0's rules (version.go, constraints.go): versions may omit minor and patch
// and carry a "v"; constraints are "||" alternatives of ","-separated
// comparators, "!=" included, and a prerelease version only satisfies
// comparators that name a prerelease. npm's `semver` evaluates each comparator.

import semverLib from 'semver';
import type { FuncMap } from '../engine/exec.js';
import { str } from './convert.js';

const VERSION = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds' *semver.Version: its methods are what templates call (`.Major`, `.String`...). */
export class SemverVersion {
  static goTypeName = '*semver.Version';
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: string,
    readonly metadata: string,
    readonly original: string,
  ) {}

  static parse(v: string): SemverVersion {
    const m = VERSION.exec(v);
    if (!m) throw new Error('Invalid Semantic Version');
    const seg = (s: string | undefined) => {
      const n = BigInt((s ?? '0').replace(/^\./, '') || '0');
      if (n >= 2n ** 64n) throw new Error(`Error parsing version segment: strconv.ParseUint: parsing "${s!.replace(/^\./, '')}": value out of range`);
      return n;
    };
    const pre = m[5] ?? '';
    for (const p of pre === '' ? [] : pre.split('.')) if (/^\d+$/.test(p) && p.length > 1 && p.startsWith('0')) throw new Error('Version segment starts with 0');
    return new SemverVersion(seg(m[1]), seg(m[2]), seg(m[3]), pre, m[8] ?? '', v);
  }

  String(): string {
    return `${this.major}.${this.minor}.${this.patch}${this.pre ? `-${this.pre}` : ''}${this.metadata ? `+${this.metadata}` : ''}`;
  }
  Original(): string { return this.original; }
  Major(): number { return Number(this.major); }
  Minor(): number { return Number(this.minor); }
  Patch(): number { return Number(this.patch); }
  Prerelease(): string { return this.pre; }
  Metadata(): string { return this.metadata; }
  private next(major: bigint, minor: bigint, patch: bigint): SemverVersion {
    const v = new SemverVersion(major, minor, patch, '', '', '');
    return new SemverVersion(major, minor, patch, '', '', (this.original.startsWith('v') ? 'v' : '') + v.String());
  }
  IncPatch(): SemverVersion { return this.next(this.major, this.minor, this.pre ? this.patch : this.patch + 1n); }
  IncMinor(): SemverVersion { return this.next(this.major, this.minor + 1n, 0n); }
  IncMajor(): SemverVersion { return this.next(this.major + 1n, 0n, 0n); }
  /** Precedence, metadata ignored: -1, 0 or 1. */
  Compare(o: SemverVersion): number { return semverLib.compare(this.npm(), o.npm()); }
  LessThan(o: SemverVersion): boolean { return this.Compare(o) < 0; }
  GreaterThan(o: SemverVersion): boolean { return this.Compare(o) > 0; }
  Equal(o: SemverVersion): boolean { return this.Compare(o) === 0; }
  /** The version in npm's strict syntax. */
  npm(): string {
    return `${this.major}.${this.minor}.${this.patch}${this.pre ? `-${this.pre}` : ''}`;
  }
}

/** NewConstraint: "||" alternatives of ","-separated comparators. */
function parseConstraint(constraint: string): string[][] {
  // npm wants a full version where a prerelease is named: ">=1.0-0" is ">=1.0.0-0".
  const full = (c: string) => c.replace(/(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)/g, (_m, a: string, b?: string, p?: string, pre?: string) => `${a}.${b ?? 0}.${p ?? 0}${pre}`);
  const groups = constraint.split('||').map((g) => g.split(',').map((c) => full(c.trim())));
  for (const c of groups.flat()) {
    if (c === '' || semverLib.validRange(c.replace(/^!?=\s*/, ''), { loose: true }) === null) throw new Error(`improper constraint: ${constraint}`);
  }
  return groups;
}

/** Constraints.Check: any alternative whose every comparator holds. */
function check(groups: string[][], v: SemverVersion): boolean {
  const opts = { includePrerelease: true, loose: true };
  return groups.some((group) => group.every((c) => {
    // A prerelease version only matches a comparator that names a prerelease.
    if (v.pre !== '' && !/\d-[0-9A-Za-z]/.test(c)) return false;
    if (c.startsWith('!=')) return !semverLib.satisfies(v.npm(), c.slice(2).trim(), opts);
    return semverLib.satisfies(v.npm(), c, opts);
  }));
}

export const semverFuncs: FuncMap = {
  semver: (v: unknown) => SemverVersion.parse(str(v)),
  semverCompare: (c: unknown, v: unknown) => {
    const groups = parseConstraint(str(c));
    return check(groups, SemverVersion.parse(str(v)));
  },
};
