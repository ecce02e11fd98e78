/**
 * Prepared query templates (Consul's agent/consul/prepared_query/template.go): a query whose
 * `Template.Type` is `name_prefix_match` answers every name it is the longest prefix of, and
 * every string field of its `Service` is interpolated with HIL's `${...}` syntax before it
 * runs: `${name.full}`, `${name.prefix}`, `${name.suffix}`, `${agent.segment}` and
 * `${match(N)}` (the N-th submatch of `Template.Regexp`, "" when out of range or unmatched).
 * The regexp is RE2 (re2js: Go's syntax and messages, linear time, so a user's pattern cannot
 * stall a server). Map values are interpolated, map keys are not, as Consul's walker does.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import type { PreparedQuery, ServiceQuery } from './prepared-query-types.js';

export const TEMPLATE_TYPE_NAME_PREFIX_MATCH = 'name_prefix_match';

// re2js (a 260 KB module) loads with the first template regexp: client agents and most servers
// never compile one. require is synchronous and cached, so concurrent first uses load it once.
let re2: typeof RE2JS | undefined;
function compileRegexp(pattern: string): RE2JS {
  re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  return re2.compile(pattern);
}

/** One piece of a parsed string: literal text, a variable, or `match(N)`. */
type Part = { text: string } | { variable: string } | { match: number };

export interface CompiledTemplate {
  query: PreparedQuery;
  /** Path (`.Service`, `.Tags[0]`, `.NodeMeta[k]`...) -> parsed parts. */
  trees: Map<string, Part[]>;
  re: RE2JS | null;
}

/** Where the query is asked from; `Segment` is `${agent.segment}` (Enterprise; "" here). */
export interface QuerySource {
  Segment?: string;
}

const VARIABLES = new Set(['name.full', 'name.prefix', 'name.suffix', 'agent.segment']);

/** Parses HIL text: `${expr}` interpolations, `$${` an escaped literal `${`. Throws with a reason. */
function parseHil(input: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!input.startsWith('${', i)) {
      text += input[i];
      i++;
      continue;
    }
    const end = input.indexOf('}', i + 2);
    if (end < 0) throw new Error('expected "}" but found end of string');
    if (text !== '') parts.push({ text });
    text = '';
    parts.push(parseExpr(input.slice(i + 2, end).trim()));
    i = end + 1;
  }
  if (text !== '' || parts.length === 0) parts.push({ text });
  return parts;
}

function parseExpr(expr: string): Part {
  const call = /^match\s*\(\s*(-?\d+)\s*\)$/.exec(expr);
  if (call) return { match: Number(call[1]) };
  if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(expr)) return { variable: expr };
  throw new Error(`invalid expression ${JSON.stringify(expr)}`);
}

/** Every string of a ServiceQuery with its walker path, in field order. */
function strings(svc: ServiceQuery): Array<{ path: string; get: () => string; set: (v: string) => void }> {
  const out: Array<{ path: string; get: () => string; set: (v: string) => void }> = [];
  const field = (path: string, obj: Record<string, unknown>, key: string): void => {
    out.push({ path, get: () => obj[key] as string, set: (v) => (obj[key] = v) });
  };
  const list = (path: string, arr: string[] | null): void => {
    arr?.forEach((_, i) => out.push({ path: `${path}[${i}]`, get: () => arr[i]!, set: (v) => (arr[i] = v) }));
  };
  const map = (path: string, m: Record<string, string> | null): void => {
    for (const k of Object.keys(m ?? {})) out.push({ path: `${path}[${k}]`, get: () => m![k]!, set: (v) => (m![k] = v) });
  };
  const s = svc as unknown as Record<string, unknown>;
  field('.Service', s, 'Service');
  field('.SamenessGroup', s, 'SamenessGroup');
  list('.Failover.Datacenters', svc.Failover.Datacenters);
  svc.Failover.Targets?.forEach((t, i) => {
    const tr = t as unknown as Record<string, unknown>;
    field(`.Failover.Targets[${i}].Peer`, tr, 'Peer');
    field(`.Failover.Targets[${i}].Datacenter`, tr, 'Datacenter');
  });
  list('.IgnoreCheckIDs', svc.IgnoreCheckIDs);
  field('.Near', s, 'Near');
  list('.Tags', svc.Tags);
  map('.NodeMeta', svc.NodeMeta);
  map('.ServiceMeta', svc.ServiceMeta);
  field('.Peer', s, 'Peer');
  return out;
}

/** Validates a template query and compiles it; throws with Consul's message (without its "failed compiling template: "). */
export function compileTemplate(query: PreparedQuery): CompiledTemplate {
  if (query.Template.Type !== TEMPLATE_TYPE_NAME_PREFIX_MATCH) throw new Error(`Bad Template.Type '${query.Template.Type}'`);
  const copy = structuredClone(query);
  const trees = new Map<string, Part[]>();
  for (const s of strings(copy.Service)) {
    try {
      trees.set(s.path, parseHil(s.get()));
    } catch (err) {
      throw new Error(`Bad format '${s.get()}' in Service${s.path}: ${(err as Error).message}`);
    }
  }
  let re: RE2JS | null = null;
  if (copy.Template.Regexp !== '') {
    try {
      re = compileRegexp(copy.Template.Regexp);
    } catch (err) {
      throw new Error(`Bad Regexp: ${(err as Error).message}`);
    }
  }
  const ct: CompiledTemplate = { query: copy, trees, re };
  // A test render with the bare prefix catches errors before run time, as Consul does.
  renderTemplate(ct, copy.Name, {});
  return ct;
}

/** `FindStringSubmatch`: the leftmost match and its groups ("" for a group that did not take part). */
function submatches(re: RE2JS | null, name: string): string[] {
  if (!re) return [];
  const m = re.matcher(name);
  if (!m.find()) return [];
  const out: string[] = [];
  for (let i = 0; i <= m.groupCount(); i++) out.push(m.group(i) ?? '');
  return out;
}

/** The query `name` resolves to through this template. Throws with Consul's message on a bad evaluation. */
export function renderTemplate(ct: CompiledTemplate, name: string, source: QuerySource): PreparedQuery {
  const query = structuredClone(ct.query);
  const matches = submatches(ct.re, name);
  const vars: Record<string, string> = {
    'name.full': name,
    'name.prefix': query.Name,
    'name.suffix': name.startsWith(query.Name) ? name.slice(query.Name.length) : name,
    'agent.segment': source.Segment ?? '',
  };
  for (const s of strings(query.Service)) {
    const tree = ct.trees.get(s.path);
    if (!tree) continue;
    let value = '';
    for (const part of tree) {
      if ('text' in part) value += part.text;
      else if ('match' in part) value += part.match >= 0 && part.match < matches.length ? matches[part.match] : '';
      else if (VARIABLES.has(part.variable)) value += vars[part.variable];
      else throw new Error(`Bad evaluation for '${s.get()}' in Service${s.path}: unknown variable accessed: ${part.variable}`);
    }
    s.set(value);
  }
  if (query.Template.RemoveEmptyTags && query.Service.Tags) query.Service.Tags = query.Service.Tags.filter((t) => t !== '');
  return query;
}
