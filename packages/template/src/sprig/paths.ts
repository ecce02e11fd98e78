// Sprig's path functions: Go's path and (on Linux, the same rules) path/filepath.

import type { FuncMap } from '../engine/exec.js';
import { str } from './convert.js';

/** path.Clean: one slash between elements, no "." elements, ".." resolved lexically. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const body = out.join('/');
  if (rooted) return '/' + body;
  return body === '' ? '.' : body;
}

function goBase(p: string): string {
  if (p === '') return '.';
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

const goDir = (p: string) => goClean(p.slice(0, p.lastIndexOf('/') + 1));

function goExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

const fns = {
  base: (p: unknown) => goBase(str(p)),
  dir: (p: unknown) => goDir(str(p)),
  clean: (p: unknown) => goClean(str(p)),
  ext: (p: unknown) => goExt(str(p)),
  isAbs: (p: unknown) => str(p).startsWith('/'),
};

export const pathFuncs: FuncMap = {
  ...fns,
  osBase: fns.base,
  osDir: fns.dir,
  osClean: fns.clean,
  osExt: fns.ext,
  osIsAbs: fns.isAbs,
};
