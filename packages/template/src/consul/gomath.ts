// consul-template's two-operand math (template/funcs.go add, subtract, multiply, divide, modulo,
// minimum, maximum) over Go's kinds: a float64 operand makes a float64; two uint64s a uint64;
// any other pair of integers an int64 (a uint64 converted as int64(u) does), all exact and
// wrapping at 64 bits as Go's integers do.
import { GoUint, goFloat, kindOf, numberValue, typeName } from '../engine/values.js';

interface Operand {
  kind: 'int' | 'uint' | 'float';
  int: bigint;
  float: number;
}

function operand(name: string, v: unknown, intsOnly: boolean): Operand {
  const k = kindOf(v);
  if (k !== 'int' && k !== 'uint' && (intsOnly || k !== 'float')) throw new Error(`${name}: unknown type for ${JSON.stringify(String(numberValue(v) ?? v))} (${typeName(v)})`);
  const n = numberValue(v)!;
  return { kind: k, int: k === 'float' ? 0n : BigInt(n), float: Number(n) };
}

/** The operand as the Go value it is: int64 (a bigint), uint64 or float64. */
function goValue(o: Operand): unknown {
  if (o.kind === 'float') return goFloat(o.float);
  return o.kind === 'uint' ? new GoUint(o.int) : BigInt.asIntN(64, o.int);
}

/** `add`, `subtract`, ...: (b, a) computes a <op> b, as consul-template's helpers take them. */
export function goArithmetic(name: string, intOp: (a: bigint, b: bigint) => bigint, floatOp?: (a: number, b: number) => number) {
  return (b: unknown, a: unknown): unknown => {
    const x = operand(name, a, !floatOp);
    const y = operand(name, b, !floatOp);
    if (x.kind === 'float' || y.kind === 'float') return goFloat(floatOp!(x.float, y.float));
    if (x.kind === 'uint' && y.kind === 'uint') return new GoUint(BigInt.asUintN(64, intOp(x.int, y.int)));
    return BigInt.asIntN(64, intOp(BigInt.asIntN(64, x.int), BigInt.asIntN(64, y.int)));
  };
}

/** `minimum`/`maximum`: the chosen operand in its own Go type (b on a tie), compared as Go converts them. */
export function goExtreme(name: string, better: (a: number | bigint, b: number | bigint) => boolean) {
  return (b: unknown, a: unknown): unknown => {
    const x = operand(name, a, false);
    const y = operand(name, b, false);
    const floats = x.kind === 'float' || y.kind === 'float';
    const key = (o: Operand) => (floats ? o.float : BigInt.asIntN(64, o.int));
    // Two uint64s compare unsigned; an int64 with a uint64 as int64(u).
    const uints = x.kind === 'uint' && y.kind === 'uint';
    return goValue(better(uints ? x.int : key(x), uints ? y.int : key(y)) ? x : y);
  };
}

export function intDivide(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('runtime error: integer divide by zero');
  return a / b;
}

export function intModulo(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('runtime error: integer divide by zero');
  return a % b;
}
