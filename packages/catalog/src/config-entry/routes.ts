/**
 * The http-route and tcp-route kinds as Consul 1.17 CE declares them
 * (agent/structs/config_entry_routes.go): structs, Normalize and Validate with Consul's texts.
 * A route names the api-gateway listeners (Parents) it binds to; the binding is Consul's
 * controller's work, not done here.
 */
import { isDomainName } from './gateway-validate.js';
import { HTTP_METHODS, metaErrors } from './validate.js';
import { RESOURCE_REFERENCE, STATUS } from './api-gateway.js';
import { f, multiError, o, type StructType } from './schema.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

const nameMatchValue: StructType = { fields: [f('Match', 'string'), f('Name', 'string'), f('Value', 'string')] };

/** structs.HTTPFilters (CE: no JWT filter). RetryFilter's pointer scalars are kept as given. */
const httpFilters: StructType = {
  fields: [
    f('Headers', { list: { fields: [f('Add', 'stringMap'), f('Remove', 'strings'), f('Set', 'stringMap')] } }),
    f('URLRewrite', { ptr: { fields: [f('Path', 'string')] } }),
    f('RetryFilter', { ptr: { fields: [f('NumRetries', 'any'), f('RetryOn', 'strings'), f('RetryOnStatusCodes', { list: 'int' }), f('RetryOnConnectFailure', 'any')] } }),
    f('TimeoutFilter', { ptr: { fields: [f('RequestTimeout', 'duration'), f('IdleTimeout', 'duration')] } }),
  ],
};

/** structs.HTTPRouteConfigEntry. */
export const HTTP_ROUTE: StructType = {
  fields: [
    f('Kind', 'string'), f('Name', 'string'), f('Parents', { list: RESOURCE_REFERENCE }),
    f('Rules', {
      list: {
        fields: [
          f('Filters', httpFilters),
          f('Matches', { list: { fields: [f('Headers', { list: nameMatchValue }), f('Method', 'string'), f('Path', { fields: [f('Match', 'string'), f('Value', 'string')] }), f('Query', { list: nameMatchValue })] } }),
          f('Services', { list: { fields: [f('Name', 'string'), f('Weight', 'int'), f('Filters', httpFilters)] } }),
        ],
      },
    }),
    f('Hostnames', 'strings'), o('Meta', 'stringMap'), f('Status', STATUS),
  ],
};

/** structs.TCPRouteConfigEntry. */
export const TCP_ROUTE: StructType = {
  fields: [f('Kind', 'string'), f('Name', 'string'), f('Parents', { list: RESOURCE_REFERENCE }), f('Services', { list: { fields: [f('Name', 'string')] } }), o('Meta', 'stringMap'), f('Status', STATUS)],
};

/** A parent's Kind defaults to api-gateway. */
function normalizeParents(e: Obj): void {
  for (const p of list(e.Parents)) if (str(p.Kind) === '') p.Kind = 'api-gateway';
}

/** The parents check both route kinds share. */
function parentsError(e: Obj): string | undefined {
  const seen = new Set<string>();
  for (const p of list(e.Parents)) {
    if (p.Kind !== 'api-gateway') return `unsupported parent kind: ${JSON.stringify(str(p.Kind))}, must be 'api-gateway'`;
    const key = JSON.stringify([p.Kind, str(p.Name), str(p.SectionName)]);
    if (seen.has(key)) return 'route parents must be unique';
    seen.add(key);
  }
  const meta = metaErrors(e.Meta);
  return meta.length > 0 ? multiError(meta) : undefined;
}

/** validateMatch. */
function matchError(m: Obj): string | undefined {
  const method = str(m.Method);
  if (method !== '' && !HTTP_METHODS.has(method)) return `Method contains an invalid method ${JSON.stringify(method)}`;
  for (const [i, q] of list(m.Query).entries()) {
    if (str(q.Name) === '') return `Query[${i}], missing required Name field`;
    if (!['exact', 'present', 'regex'].includes(str(q.Match))) return `Query[${i}], match type should be one of present, exact, or regex`;
  }
  for (const [i, h] of list(m.Headers).entries()) {
    if (str(h.Name) === '') return `Headers[${i}], missing required Name field`;
    if (!['exact', 'prefix', 'regex', 'suffix', 'present'].includes(str(h.Match))) return `Headers[${i}], match type should be one of present, exact, prefix, suffix, or regex`;
  }
  const path = (m.Path ?? {}) as Obj;
  const kind = str(path.Match);
  if (kind === 'exact' || kind === 'prefix') {
    if (!str(path.Value).startsWith('/')) return `Path, ${kind} type match doesn't start with '/': ${JSON.stringify(str(path.Value))}`;
  } else if (kind !== 'regex') return 'Path, match type should be one of exact, prefix, or regex';
  return undefined;
}

/** Normalize then Validate (the filters have no checks in Consul). */
export function httpRoute(e: Obj): string | undefined {
  normalizeParents(e);
  for (const rule of list(e.Rules)) {
    for (const m of list(rule.Matches)) {
      m.Method = str(m.Method).toUpperCase();
      const path = (m.Path ?? {}) as Obj;
      if (str(path.Match) === '') m.Path = { ...path, Match: 'prefix', Value: '/' };
    }
    for (const s of list(rule.Services)) if (typeof s.Weight !== 'number' || s.Weight <= 0) s.Weight = 1;
  }
  for (const host of Array.isArray(e.Hostnames) ? (e.Hostnames as string[]) : []) {
    if (!isDomainName(host)) return `host ${JSON.stringify(host)} must be a valid DNS hostname`;
    if (host.includes('*')) return `host ${JSON.stringify(host)} must not be a wildcard`;
  }
  const parents = parentsError(e);
  if (parents) return parents;
  for (const [i, rule] of list(e.Rules).entries()) {
    for (const [j, m] of list(rule.Matches).entries()) {
      const err = matchError(m);
      if (err) return `Rule[${i}], Match[${j}], ${err}`;
    }
  }
  return undefined;
}

/** Normalize then Validate. */
export function tcpRoute(e: Obj): string | undefined {
  normalizeParents(e);
  if (list(e.Services).length > 1) return 'tcp-route currently only supports one service';
  return parentsError(e);
}
