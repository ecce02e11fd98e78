// Sprig's math functions (sprig numeric.go, functions.go). Integer math is
// int64 through spf13/cast (strings parse, floats truncate, the rest is 0);
// the *f functions go through shopspring/decimal, so 0.1 + 0.2 is 0.3.

import { randomBytes } from 'node:crypto';
import type { FuncMap } from '../engine/exec.js';
import { variadic } from '../engine/exec.js';
import { sprint } from '../engine/fmt.js';
import { goFloat, goInt, type GoInt, kindOf, numberValue } from '../engine/values.js';
import { int, intArg, int64, toFloat64, toInt64 } from './convert.js';

/** An exact decimal: coef * 10^exp. */
interface Dec { coef: bigint; exp: number }

/** decimal.NewFromFloat: the shortest decimal that reads back as the float. */
function decOf(f: number): Dec {
  if (!Number.isFinite(f)) throw new Error(`Cannot create a Decimal from ${sprint([f])}`);
  const [mant, e = '0'] = String(f).split('e');
  const [whole, frac = ''] = mant!.split('.');
  return { coef: BigInt(whole! + frac), exp: Number(e) - frac.length };
}
function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - exp), b.coef * 10n ** BigInt(b.exp - exp), exp];
}
const decFloat = (d: Dec) => Number(`${d.coef}e${d.exp}`);
const ops: Record<string, (a: Dec, b: Dec) => Dec> = {
  add: (a, b) => {
    const [x, y, exp] = align(a, b);
    return { coef: x + y, exp };
  },
  sub: (a, b) => {
    const [x, y, exp] = align(a, b);
    return { coef: x - y, exp };
  },
  mul: (a, b) => ({ coef: a.coef * b.coef, exp: a.exp + b.exp }),
  // decimal.Div: 16 fractional digits, rounded half away from zero.
  div: (a, b) => {
    if (b.coef === 0n) throw new Error('decimal division by 0');
    const [x, y] = align(a, b);
    const scaled = x * 10n ** 17n;
    let q = scaled / y;
    const neg = q < 0n;
    if (neg) q = -q;
    q = (q + 5n) / 10n;
    return { coef: neg ? -q : q, exp: -16 };
  },
};
function decimalOp(op: string, first: unknown, rest: unknown[]): unknown {
  let acc = decOf(toFloat64(first));
  for (const x of rest) acc = ops[op]!(acc, decOf(toFloat64(x)));
  return goFloat(decFloat(acc));
}

/** Go's int addition: 64 bits, wrapping. */
const add64 = (a: bigint, b: bigint) => BigInt.asIntN(64, a + b);

/** sprig's untilStep over Go ints: start up to (not including) stop; none when the step goes the wrong way. */
function steps(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  const limit = 1_000_000;
  if (stop < start) {
    if (step >= 0n) return out;
    for (let i = start; i > stop; i = add64(i, step)) if (out.push(i) > limit) throw new Error(`untilStep: more than ${limit} items`);
    return out;
  }
  if (step <= 0n) return out;
  for (let i = start; i < stop; i = add64(i, step)) if (out.push(i) > limit) throw new Error(`untilStep: more than ${limit} items`);
  return out;
}

/** sprig's untilStep: a []int, exact on 64 bits. */
export function untilStep(start: bigint, stop: bigint, step: bigint): Array<number | GoInt> {
  return steps(start, stop, step).map(goInt);
}

function seq(params: bigint[]): string {
  let inc = 1n;
  let list: bigint[];
  switch (params.length) {
    case 1: {
      const end = params[0]!;
      if (end < 1n) inc = -1n;
      list = steps(1n, add64(end, inc), inc);
      break;
    }
    case 2: {
      const [start, end] = params as [bigint, bigint];
      const step = end < start ? -1n : 1n;
      list = steps(start, add64(end, step), step);
      break;
    }
    case 3: {
      const [start, step, end] = params as [bigint, bigint, bigint];
      if (end < start) {
        inc = -1n;
        if (step > 0n) return '';
      }
      list = steps(start, add64(end, inc), step);
      break;
    }
    default: return '';
  }
  return list.join(' ');
}

/** math/rand's Intn(n) for 0 < n < 2^63: uniform, by rejection of the biased top of the range. */
function randomBelow(n: bigint): bigint {
  const top = (2n ** 64n / n) * n;
  for (let tries = 0; tries < 1000; tries++) {
    const x = randomBytes(8).readBigUInt64BE();
    if (x < top) return x % n;
  }
  throw new Error('randInt: no random number in 1000 tries');
}

/** sprig's round: places after the point; a fraction at or over roundOn rounds up (math.Modf keeps the sign). */
function round(v: unknown, p: number, roundOn = 0.5): number {
  const pow = 10 ** p;
  const digit = pow * toFloat64(v);
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

const big = toInt64;
/** sprig's max and min: int64 through cast. */
const extreme = (a: unknown, vs: unknown[], better: (x: bigint, y: bigint) => boolean) =>
  vs.reduce<bigint>((acc, v) => (better(big(v), acc) ? big(v) : acc), big(a));
const intDiv = (a: unknown, b: unknown, op: (x: bigint, y: bigint) => bigint) => {
  if (big(b) === 0n) throw new Error('runtime error: integer divide by zero');
  return int64(op(big(a), big(b)));
};

export const numericFuncs: FuncMap = {
  atoi: (s: unknown) => {
    const t = String(s);
    return /^[+-]?\d+$/.test(t) && BigInt(t) >= -(2n ** 63n) && BigInt(t) < 2n ** 63n ? goInt(BigInt(t)) : 0;
  },
  // Go's int64 is a bigint here, its int a number.
  int64: (v: unknown) => toInt64(v),
  int: (v: unknown) => goInt(toInt64(v)),
  // The *f functions, float64, ceil, floor and round give float64s, whole or not.
  float64: (v: unknown) => goFloat(toFloat64(v)),
  // strconv.ParseInt(fmt.Sprint(v), 8, 64): the octal text read as a number, 0 when it is not one.
  toDecimal: (v: unknown) => {
    const t = sprint([v]);
    return /^[+-]?[0-7]+$/.test(t) ? BigInt.asIntN(64, BigInt((t.startsWith('-') ? '-0o' : '0o') + t.replace(/^[+-]/, ''))) : 0n;
  },
  seq: variadic((...ps: unknown[]) => seq(ps.map(intArg))),
  until: (n: unknown) => untilStep(0n, intArg(n), intArg(n) < 0n ? -1n : 1n),
  untilStep: (a: unknown, b: unknown, c: unknown) => untilStep(intArg(a), intArg(b), intArg(c)),
  add1: (v: unknown) => int64(big(v) + 1n),
  add: variadic((...vs: unknown[]) => int64(vs.reduce<bigint>((acc, v) => acc + big(v), 0n))),
  sub: (a: unknown, b: unknown) => int64(big(a) - big(b)),
  div: (a: unknown, b: unknown) => intDiv(a, b, (x, y) => x / y),
  mod: (a: unknown, b: unknown) => intDiv(a, b, (x, y) => x % y),
  mul: variadic((a: unknown, ...vs: unknown[]) => int64(vs.reduce<bigint>((acc, v) => BigInt.asIntN(64, acc * big(v)), big(a)))),
  // sprig: rand.Intn(max-min) + min, in Go's wrapping int arithmetic.
  randInt: (min: unknown, max: unknown) => {
    const lo = intArg(min);
    const span = add64(intArg(max), -lo);
    if (span <= 0n) throw new Error('invalid argument to Intn');
    return goInt(add64(randomBelow(span), lo));
  },
  add1f: (v: unknown) => decimalOp('add', v, [1]),
  addf: variadic((...vs: unknown[]) => decimalOp('add', 0, vs)),
  subf: variadic((a: unknown, ...vs: unknown[]) => decimalOp('sub', a, vs)),
  divf: variadic((a: unknown, ...vs: unknown[]) => decimalOp('div', a, vs)),
  mulf: variadic((a: unknown, ...vs: unknown[]) => decimalOp('mul', a, vs)),
  biggest: variadic((a: unknown, ...vs: unknown[]) => extreme(a, vs, (x, y) => x > y)),
  max: variadic((a: unknown, ...vs: unknown[]) => extreme(a, vs, (x, y) => x > y)),
  min: variadic((a: unknown, ...vs: unknown[]) => extreme(a, vs, (x, y) => x < y)),
  maxf: variadic((a: unknown, ...vs: unknown[]) => goFloat(vs.reduce<number>((acc, v) => Math.max(acc, toFloat64(v)), toFloat64(a)))),
  minf: variadic((a: unknown, ...vs: unknown[]) => goFloat(vs.reduce<number>((acc, v) => Math.min(acc, toFloat64(v)), toFloat64(a)))),
  ceil: (v: unknown) => goFloat(Math.ceil(toFloat64(v))),
  floor: (v: unknown) => goFloat(Math.floor(toFloat64(v))),
  round: variadic((v: unknown, p: unknown, ...opt: unknown[]) => {
    const on = opt.length > 0 ? numberValue(opt[0]) : undefined;
    if (opt.length > 0 && (typeof on !== 'number' || kindOf(opt[0]) === 'uint')) throw new Error(`wrong type for value; expected float64; got ${typeof opt[0]}`);
    return goFloat(round(v, int(p), on as number | undefined));
  }),
};
