// The executor: walks a parse tree with Go's text/template semantics
// (text/template/exec.go): truth, dot, variables and their scopes, pipelines
// where the previous value becomes the last argument, field and method access,
// short-circuit and/or, range over slices and sorted maps, break/continue.

import type {
  ChainNode, CommandNode, FieldNode, IdentifierNode, Node, NumberNode, Operand,
  PipeNode, RangeNode, TemplateNode, VariableNode,
} from './ast.js';
import { nodeString } from './ast.js';
import { TemplateExecError, position } from './errors.js';
import { printAction, sprint } from './fmt.js';
import type { ParsedTree } from './parser.js';
import { goFloat, type GoFloat, GoInt, isPlainObject, isTrue, kindOf, mapGet, mapKeys, structField, typeName } from './values.js';

/** A template function. Set `variadic` when it takes a rest parameter (`fn.length` counts the fixed ones). */
export type TemplateFunc = ((...args: any[]) => unknown) & {
  variadic?: boolean;
  builtin?: 'and' | 'or';
  /** Set on a function this implementation refuses: the parse error naming it. */
  refused?: string;
};
export type FuncMap = Record<string, TemplateFunc>;
export type MissingKey = 'default' | 'invalid' | 'zero' | 'error';

/** Marks a function as variadic after its fixed parameters. */
export function variadic<F extends (...args: any[]) => unknown>(fn: F): F & { variadic: true } {
  return Object.assign(fn, { variadic: true as const });
}

const MISSING = Symbol('missing');
type Final = unknown | typeof MISSING;
// Go allows 100000 nested template calls; a JavaScript stack holds far fewer.
const MAX_DEPTH = 1000;

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

interface Variable { name: string; value: unknown }

export interface ExecContext {
  trees: Map<string, ParsedTree>;
  funcs: FuncMap;
  missingKey: MissingKey;
}

export function execute(ctx: ExecContext, name: string, data: unknown): string {
  const tree = ctx.trees.get(name);
  if (!tree) throw new TemplateExecError(name, 0, 0, name, '', `no template ${JSON.stringify(name)} defined`);
  const s = new State(ctx, tree, [{ name: '$', value: data }], 0);
  const out: string[] = [];
  s.out = out;
  try {
    s.walk(data, tree.root);
  } catch (e) {
    if (e instanceof RangeError) throw new TemplateExecError(tree.parseName, 0, 0, name, '', `exceeded maximum template depth: ${e.message}`);
    throw e;
  }
  return out.join('');
}

class State {
  out: string[] = [];
  private node: Node | undefined;

  constructor(
    private readonly ctx: ExecContext,
    private readonly tree: ParsedTree,
    private vars: Variable[],
    private readonly depth: number,
  ) {}

  private at(n: Node): void {
    this.node = n;
  }

  private idealConstant(n: NumberNode): number | GoFloat | GoInt {
    this.node = n;
    return idealConstant(n) ?? this.errorf(`${n.text} overflows int`);
  }

  private errorf(msg: string): never {
    const n = this.node;
    if (!n) throw new TemplateExecError(this.tree.parseName, 0, 0, this.tree.name, '', msg);
    const { line, col } = position(this.tree.text, n.pos);
    let context = nodeString(n);
    if (context.length > 20) context = context.slice(0, 20) + '...';
    throw new TemplateExecError(this.tree.parseName, line, col, this.tree.name, context, msg);
  }

  // --- variables
  private mark(): number {
    return this.vars.length;
  }
  private pop(mark: number): void {
    this.vars.length = mark;
  }
  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }
  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  // --- statements
  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break': throw BREAK;
      case 'continue': throw CONTINUE;
      case 'if': case 'with': {
        const mark = this.mark();
        try {
          const val = this.evalPipeline(dot, node.pipe);
          if (isTrue(val)) this.walk(node.type === 'with' ? val : dot, node.list);
          else if (node.elseList) this.walk(dot, node.elseList);
        } finally {
          this.pop(mark);
        }
        return;
      }
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range': return this.walkRange(dot, node);
      case 'template': return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const one = (index: unknown, elem: unknown): boolean => {
        if (r.pipe.decl.length > 0) this.setTopVar(1, elem);
        if (r.pipe.decl.length > 1) this.setTopVar(2, index);
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      switch (kindOf(val)) {
        case 'slice': {
          const arr = val instanceof Uint8Array ? [...val] : (val as unknown[]);
          if (arr.length === 0) break;
          for (let i = 0; i < arr.length; i++) if (!one(i, arr[i])) break;
          return;
        }
        case 'map': {
          const m = val as Map<unknown, unknown> | Record<string, unknown>;
          const keys = mapKeys(m);
          if (keys.length === 0) break;
          for (const k of keys) if (!one(k, mapGet(m, k).value)) break;
          return;
        }
        case 'invalid': case 'nil':
          break;
        default:
          this.errorf(`range can't iterate over ${sprint([val])}`);
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.ctx.trees.get(t.name);
    if (!tree) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const s = new State(this.ctx, tree, [{ name: '$', value: newDot }], this.depth + 1);
    s.out = this.out;
    s.walk(newDot, tree.root);
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    if (v === undefined || v === null) {
      this.out.push('<no value>');
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(n)} of type ${typeName(v)}`);
    this.out.push(printAction(v));
  }

  // --- expressions
  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface{} becomes an invalid value, as reflect.ValueOf(v.Interface()) does in Go.
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.push(v.ident[0]!, value);
    }
    return value;
  }

  private notAFunction(args: Operand[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.errorf('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
    return this.errorf(`can't evaluate command ${nodeString(first)}`);
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Operand[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Operand[], final: Final): unknown {
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: Operand[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: Operand[], final: Final): unknown {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(dot, ident[i]!, node, [], MISSING, r);
    return this.evalField(dot, ident[ident.length - 1]!, node, args, final, r);
  }

  private evalField(dot: unknown, name: string, node: Node, args: Operand[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.ctx.missingKey === 'error') this.errorf(`nil data; no entry for key ${JSON.stringify(name)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    const kind = kindOf(receiver);
    const method = methodOf(receiver, name);
    if (method) return this.callFunction(dot, method, node, name, args, final);
    if (kind === 'struct') {
      const { found, value } = structField(receiver as object, name);
      if (found) {
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return value;
      }
    } else if (kind === 'map') {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      const { found, value } = mapGet(receiver as Map<unknown, unknown> | Record<string, unknown>, name);
      if (!found) {
        if (this.ctx.missingKey === 'error') this.errorf(`map has no entry for key ${JSON.stringify(name)}`);
        if (this.ctx.missingKey === 'zero') return null;
        return undefined;
      }
      return value;
    }
    return this.errorf(`can't evaluate field ${name} in type ${kind === 'struct' ? typeName(receiver) : 'interface {}'}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: CommandNode, args: Operand[], final: Final): unknown {
    this.at(node);
    const fn = this.ctx.funcs[node.name];
    if (!fn) this.errorf(`${JSON.stringify(node.name)} is not a defined function`);
    return this.callFunction(dot, fn, cmd, node.name, args, final);
  }

  private callFunction(dot: unknown, fn: TemplateFunc, node: Node, name: string, args: Operand[], final: Final): unknown {
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final === MISSING ? 0 : 1);
    const fixed = fn.length;
    if (fn.variadic) {
      if (numIn < fixed) this.errorf(`wrong number of args for ${name}: want at least ${fixed} got ${argNodes.length}`);
    } else if (numIn !== fixed) {
      this.errorf(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    }
    if (fn.builtin) {
      // and/or evaluate their arguments lazily and return the deciding one.
      const wantTruth = fn.builtin === 'or';
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, a);
        if (isTrue(v) === wantTruth) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv = argNodes.map((a) => this.evalArg(dot, a));
    if (final !== MISSING) argv.push(final === undefined ? null : final);
    try {
      return fn(...argv);
    } catch (e) {
      this.at(node);
      if (e instanceof TemplateExecError || e === BREAK || e === CONTINUE) throw e;
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private evalArg(dot: unknown, n: Operand): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot': return dot;
      case 'nil': return null;
      case 'field': return this.evalFieldNode(dot, n, [n], MISSING);
      case 'variable': return this.evalVariableNode(dot, n, [], MISSING);
      case 'pipe': return this.evalPipeline(dot, n);
      case 'identifier': {
        const fn = this.ctx.funcs[n.name];
        if (!fn) this.errorf(`${JSON.stringify(n.name)} is not a defined function`);
        return this.callFunction(dot, fn, n, n.name, [n], MISSING);
      }
      case 'chain': return this.evalChainNode(dot, n, [], MISSING);
      case 'bool': return n.value;
      case 'number': return this.idealConstant(n);
      case 'string': return n.text;
    }
  }
}

/** A Go method: a function on the value's class (not Object's or Array's own). */
function methodOf(receiver: unknown, name: string): TemplateFunc | undefined {
  if (typeof receiver !== 'object' || receiver === null) return undefined;
  if (name in Object.prototype || (Array.isArray(receiver) && name in Array.prototype)) return undefined;
  if (isPlainObject(receiver) || receiver instanceof Map) return undefined;
  const v = (receiver as Record<string, unknown>)[name];
  if (typeof v !== 'function') return undefined;
  const fn = (v as (...a: unknown[]) => unknown).bind(receiver) as TemplateFunc;
  // bind keeps .length; keep the variadic mark too.
  if ((v as TemplateFunc).variadic) fn.variadic = true;
  return fn;
}

/**
 * exec.go idealConstant: a constant written as a float (`2.0`, `1e3`, `0x1p4`) is a float64,
 * whole or not; an integer (`2`, `0x10`, `'a'`, `1_000`) an int.
 */
function idealConstant(n: NumberNode): number | GoFloat | GoInt | undefined {
  const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
  if (n.isFloat && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text)) return goFloat(n.float);
  if (n.isInt) return typeof n.int === 'bigint' ? new GoInt(n.int) : n.int;
  return undefined; // a uint64 constant: Go's int overflows
}

