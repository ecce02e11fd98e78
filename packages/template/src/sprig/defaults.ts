// Sprig's defaults, JSON and flow functions (sprig defaults.go, functions.go).

import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { goJSON } from '../consul/helpers.js';
import { bool, isEmpty, str } from './convert.js';

/** encoding/json's Unmarshal into interface{}; Go's error text for the common cases. */
function fromJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw new Error(s.trim() === '' ? 'unexpected end of JSON input' : 'invalid character in JSON input');
  }
}

export const defaultFuncs: FuncMap = {
  default: variadic((d: unknown, ...given: unknown[]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0])),
  empty: (v: unknown) => isEmpty(v),
  coalesce: variadic((...vs: unknown[]) => vs.find((v) => !isEmpty(v)) ?? null),
  all: variadic((...vs: unknown[]) => vs.every((v) => !isEmpty(v))),
  any: variadic((...vs: unknown[]) => vs.some((v) => !isEmpty(v))),
  ternary: (vt: unknown, vf: unknown, v: unknown) => (bool(v) ? vt : vf),
  // fromJson swallows the error (the zero value, nil); mustFromJson returns it.
  fromJson: (s: unknown) => {
    try {
      return fromJson(str(s));
    } catch {
      return null;
    }
  },
  mustFromJson: (s: unknown) => fromJson(str(s)),
  toJson: (v: unknown) => {
    try {
      return goJSON(v);
    } catch {
      return '';
    }
  },
  mustToJson: (v: unknown) => goJSON(v),
  toPrettyJson: (v: unknown) => {
    try {
      return goJSON(v, '  ');
    } catch {
      return '';
    }
  },
  mustToPrettyJson: (v: unknown) => goJSON(v, '  '),
  toRawJson: (v: unknown) => goJSON(v, undefined, false),
  mustToRawJson: (v: unknown) => goJSON(v, undefined, false),
};
