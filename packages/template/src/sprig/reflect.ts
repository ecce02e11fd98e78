// Sprig's reflection functions (sprig reflect.go): Go's %T and reflect.Kind names.

import type { FuncMap } from '../engine/exec.js';
import { typeName } from '../engine/values.js';
import { deepEqual, goKind, str } from './convert.js';

/** fmt's %T; nil is "<nil>". */
const typeOf = (v: unknown) => typeName(v);

export const reflectFuncs: FuncMap = {
  typeOf: (v: unknown) => typeOf(v),
  typeIs: (t: unknown, v: unknown) => str(t) === typeOf(v),
  typeIsLike: (t: unknown, v: unknown) => str(t) === typeOf(v) || `*${str(t)}` === typeOf(v),
  kindOf: (v: unknown) => goKind(v),
  kindIs: (k: unknown, v: unknown) => str(k) === goKind(v),
  deepEqual: (a: unknown, b: unknown) => deepEqual(a, b),
};
