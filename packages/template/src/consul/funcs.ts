// consul-template's Consul and local functions. Each call records the
// dependency as used; when the Brain has no value yet it is also recorded as
// missing and a placeholder comes back (so the first pass discovers every
// dependency), as in consul-template's template/funcs.go.

import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import type { Brain, KVGetValue } from './brain.js';
import type { CatalogNode, KeyPair } from './data.js';
import {
  catalogNodeQuery, catalogNodesQuery, catalogServicesQuery, datacentersQuery, fileQuery,
  healthServiceQuery, kvGetQuery, kvListQuery, type Dependency,
} from './query.js';

/** What one render reads and lacks; swapped for each render. */
/** A path's Go error text (os.PathError), as filepath.EvalSymlinks gives it. */
function goPathError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' && e.path) return `lstat ${e.path}: no such file or directory`;
  return e.message;
}

/**
 * consul-template's resolveSandboxedPath: with a sandbox, the path with its symlinks resolved,
 * which must lie inside the sandbox's (so a link cannot lead out of it).
 */
function inSandbox(sandbox: string, path: string): string {
  if (sandbox === '') return path;
  let root: string;
  let target: string;
  try {
    root = realpathSync(sandbox);
  } catch (err) {
    throw new Error(`failed to resolve sandbox path: ${goPathError(err)}`);
  }
  try {
    target = realpathSync(path);
  } catch (err) {
    throw new Error(`failed to resolve target path: ${goPathError(err)}`);
  }
  const rel = relative(root, target);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new Error(`'${path}' is outside of sandbox`);
  return target;
}

export class RenderScope {
  used = new Map<string, Dependency>();
  missing = new Map<string, Dependency>();
  /** `key` calls whose key does not exist (yet): they hold the render back. */
  absentKeys = new Set<string>();
  constructor(
    public brain: Brain,
    public env: Record<string, string | undefined> = process.env,
    /** sandbox_path: `file` reads only below it (empty: anywhere). */
    public sandboxPath = '',
  ) {}
  reset(): void {
    this.used = new Map();
    this.missing = new Map();
    this.absentKeys = new Set();
  }
}

export function recall<T>(scope: RenderScope, d: Dependency): { ok: true; value: T } | { ok: false } {
  scope.used.set(d.id, d);
  const r = scope.brain.recall(d.id);
  if (r.ok) return { ok: true, value: r.value as T };
  scope.missing.set(d.id, d);
  return { ok: false };
}

function listFunc(scope: RenderScope, emptyIsSafe: boolean, keep: (key: string) => boolean) {
  return (s: string): KeyPair[] => {
    if (!s) return [];
    const d = kvListQuery(s);
    const r = recall<KeyPair[]>(scope, d);
    if (!r.ok) return [];
    const result = r.value.filter((p) => keep(p.Key));
    // safeLs/safeTree: an empty prefix is treated as "not there yet" so an
    // emptied KV tree never renders an empty file.
    if (result.length === 0 && !emptyIsSafe) scope.missing.set(d.id, d);
    return result;
  };
}

export function consulFuncs(scope: RenderScope): FuncMap {
  const lsKeep = (k: string) => k !== '' && !k.includes('/');
  const treeKeep = (k: string) => k.split('/').pop() !== '';
  return {
    service: variadic((...s: string[]) => {
      if (s.length === 0 || !s[0]) return [];
      const r = recall<unknown[]>(scope, healthServiceQuery(s.join('|')));
      return r.ok ? r.value : [];
    }),
    services: variadic((...s: string[]) => {
      const r = recall<unknown[]>(scope, catalogServicesQuery(s.join('')));
      return r.ok ? r.value : [];
    }),
    key: (s: string) => {
      if (!s) return '';
      const d = kvGetQuery(s);
      const r = recall<KVGetValue>(scope, d);
      if (!r.ok) return '';
      if (!r.value.exists) {
        // consul-template blocks until the key exists.
        scope.missing.set(d.id, d);
        scope.absentKeys.add(d.id);
        return '';
      }
      return r.value.value;
    },
    keyExists: (s: string) => {
      if (!s) return false;
      const r = recall<KVGetValue>(scope, kvGetQuery(s));
      return r.ok ? r.value.exists : false;
    },
    keyOrDefault: (s: string, def: string) => {
      if (!s) return def;
      const r = recall<KVGetValue>(scope, kvGetQuery(s));
      if (!r.ok || !r.value.exists || r.value.value === '') return def;
      return r.value.value;
    },
    ls: listFunc(scope, true, lsKeep),
    safeLs: listFunc(scope, false, lsKeep),
    tree: listFunc(scope, true, treeKeep),
    safeTree: listFunc(scope, false, treeKeep),
    node: variadic((...s: string[]) => {
      const r = recall<CatalogNode | null>(scope, catalogNodeQuery(s.join('')));
      return r.ok ? r.value : null;
    }),
    nodes: variadic((...s: string[]) => {
      const r = recall<unknown[]>(scope, catalogNodesQuery(s.join('')));
      return r.ok ? r.value : [];
    }),
    datacenters: variadic((...ignore: boolean[]) => {
      if (ignore.length > 1) throw new Error(`datacenters: wrong number of arguments, expected 0 or 1, but got ${ignore.length}`);
      const r = recall<string[]>(scope, datacentersQuery());
      return r.ok ? r.value : [];
    }),
    file: (s: string) => {
      if (!s) return '';
      const r = recall<string | null>(scope, fileQuery(inSandbox(scope.sandboxPath, s.trim())));
      return r.ok ? (r.value ?? '') : '';
    },
    // Own keys only: env["toString"] would be Object's.
    env: (s: string) => (Object.hasOwn(scope.env, s) ? (scope.env[s] ?? '') : ''),
    envOrDefault: (s: string, def: string) => (Object.hasOwn(scope.env, s) && scope.env[s] !== undefined ? scope.env[s] : def),
    // A required setting: fail the render rather than write a file with a hole in it.
    mustEnv: (s: string) => {
      const v = Object.hasOwn(scope.env, s) ? (scope.env[s] ?? '') : '';
      if (v === '') throw new Error(`required environment variable ${s} is empty`);
      return v;
    },
  };
}
