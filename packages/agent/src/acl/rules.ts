/**
 * ACL policy rules as Consul writes them (acl/policy.go), in HCL or JSON: per-name resources
 * with exact (`key "a"`) and prefix (`key_prefix "a"`) rules, and single-level resources
 * (`operator = "read"`). Rules for the same name from several stanzas or policies merge with
 * Consul's precedence: deny over write over list over read.
 */
import { AclRulesError } from './errors.js';
import { parseHclRules, RULES_BYTES_MAX, type HclObject, type HclValue } from './rules-hcl.js';

export type Access = 'read' | 'list' | 'write' | 'deny';

/**
 * Resources whose rules are per name (exact or prefix). `identity` (Consul 1.17's workload
 * identities, granted by builtin/workload-identity) is accepted and kept; no endpoint here asks for it.
 */
export const SEGMENT_RESOURCES = ['key', 'service', 'node', 'session', 'event', 'agent', 'query', 'identity'] as const;
export type SegmentResource = (typeof SEGMENT_RESOURCES)[number];

/** Resources with a single access level. */
export const SINGLE_RESOURCES = ['operator', 'acl', 'keyring', 'mesh', 'peering'] as const;
export type SingleResource = (typeof SINGLE_RESOURCES)[number];

export interface SegmentRules {
  exact: Map<string, Access>;
  prefix: Map<string, Access>;
}

export interface PolicyRules {
  segments: Record<SegmentResource, SegmentRules>;
  single: Partial<Record<SingleResource, Access>>;
  /**
   * Intention access per service name: a service rule's `intentions`, else read when its policy
   * is read or write and deny otherwise (Consul's newPolicyAuthorizerFromRules).
   */
  intentions: SegmentRules;
}

const RANK: Record<Access, number> = { read: 1, list: 2, write: 3, deny: 4 };

/** Consul's policy merge: the stronger of two levels for one name. */
export function stronger(a: Access | undefined, b: Access): Access {
  return a !== undefined && RANK[a] >= RANK[b] ? a : b;
}

export function emptyRules(): PolicyRules {
  const segments = {} as Record<SegmentResource, SegmentRules>;
  for (const r of SEGMENT_RESOURCES) segments[r] = { exact: new Map(), prefix: new Map() };
  return { segments, single: {}, intentions: { exact: new Map(), prefix: new Map() } };
}

/** Folds `from` into `into` (several policies of one token). */
export function mergeRules(into: PolicyRules, from: PolicyRules): PolicyRules {
  for (const r of SEGMENT_RESOURCES) {
    for (const kind of ['exact', 'prefix'] as const) {
      for (const [name, access] of from.segments[r][kind]) into.segments[r][kind].set(name, stronger(into.segments[r][kind].get(name), access));
    }
  }
  for (const kind of ['exact', 'prefix'] as const) {
    for (const [name, access] of from.intentions[kind]) into.intentions[kind].set(name, stronger(into.intentions[kind].get(name), access));
  }
  for (const r of SINGLE_RESOURCES) {
    const a = from.single[r];
    if (a !== undefined) into.single[r] = stronger(into.single[r], a);
  }
  return into;
}

function level(value: HclValue | undefined, what: string, allowList: boolean): Access {
  if (value === 'read' || value === 'write' || value === 'deny' || (allowList && value === 'list')) return value;
  throw new AclRulesError(`Invalid ${what} policy: ${JSON.stringify(value ?? '')}`);
}

/** HCL keeps repeated blocks as lists; JSON may also use a list of objects. */
function each(value: HclValue): HclValue[] {
  return Array.isArray(value) ? value.flatMap(each) : [value];
}

function isObject(v: HclValue): v is HclObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const RULE_FIELDS: Record<SegmentResource, readonly string[]> = {
  key: ['policy'],
  service: ['policy', 'intentions'],
  node: ['policy'],
  session: ['policy'],
  event: ['policy'],
  agent: ['policy'],
  query: ['policy'],
  identity: ['policy', 'intentions'],
};

function decodeSegment(rules: PolicyRules, resource: SegmentResource, prefix: boolean, value: HclValue): void {
  const stanza = prefix ? `${resource}_prefix` : resource;
  const target = rules.segments[resource][prefix ? 'prefix' : 'exact'];
  for (const group of each(value)) {
    if (!isObject(group)) throw new AclRulesError(`Invalid ${stanza} rule: expected ${stanza} "<name>" { policy = "..." }`);
    for (const [name, ruleValue] of Object.entries(group)) {
      for (const rule of each(ruleValue)) {
        if (!isObject(rule)) throw new AclRulesError(`Invalid ${stanza} rule for ${JSON.stringify(name)}: expected an object`);
        for (const field of Object.keys(rule)) {
          if (!RULE_FIELDS[resource].includes(field)) throw new AclRulesError(`Invalid ${stanza} rule for ${JSON.stringify(name)}: unknown field ${JSON.stringify(field)}`);
        }
        const access = level(rule.policy, stanza, resource === 'key');
        const intentions = rule.intentions !== undefined ? level(rule.intentions, `${stanza} intentions`, false) : undefined;
        target.set(name, stronger(target.get(name), access));
        if (resource === 'service') {
          const it = rules.intentions[prefix ? 'prefix' : 'exact'];
          const derived = intentions ?? (access === 'read' || access === 'write' ? 'read' : 'deny');
          it.set(name, stronger(it.get(name), derived));
        }
      }
    }
  }
}

function decodeDocument(doc: HclObject): PolicyRules {
  const rules = emptyRules();
  for (const [stanza, value] of Object.entries(doc)) {
    const seg = SEGMENT_RESOURCES.find((r) => stanza === r || stanza === `${r}_prefix`);
    if (seg !== undefined) {
      decodeSegment(rules, seg, stanza.endsWith('_prefix'), value);
      continue;
    }
    const single = SINGLE_RESOURCES.find((r) => r === stanza);
    if (single !== undefined) {
      for (const v of each(value)) rules.single[single] = stronger(rules.single[single], level(v, single, false));
      continue;
    }
    throw new AclRulesError(`Failed to parse ACL rules: unknown resource ${JSON.stringify(stanza)}`);
  }
  return rules;
}

/** Converts JSON values to the HCL value shape (numbers and booleans become text, then fail validation). */
function fromJson(v: unknown, depth = 0): HclValue {
  if (depth > 8) throw new AclRulesError('Failed to parse ACL rules: rules nested too deeply');
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => fromJson(x, depth + 1));
  if (typeof v === 'object' && v !== null) {
    const out: HclObject = Object.create(null) as HclObject;
    for (const [k, x] of Object.entries(v)) out[k] = fromJson(x, depth + 1);
    return out;
  }
  return String(v);
}

/** Parses a policy's `Rules` (HCL or JSON, as Consul accepts both). Empty rules grant nothing. */
export function parseRules(text: string): PolicyRules {
  if (Buffer.byteLength(text) > RULES_BYTES_MAX) throw new AclRulesError(`ACL rules larger than ${RULES_BYTES_MAX} bytes`);
  if (text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new AclRulesError(`Failed to parse ACL rules: ${(err as Error).message}`);
    }
    const doc = fromJson(json);
    if (!isObject(doc)) throw new AclRulesError('Failed to parse ACL rules: expected an object');
    return decodeDocument(doc);
  }
  return decodeDocument(parseHclRules(text));
}
