/**
 * Consul 1.17's built-in ACL templated policies (agent/structs/acl_templated_policy.go and
 * agent/structs/acltemplatedpolicy/): each a rules template with a JSON schema for its
 * variables. A token or role names a template and its variables; the agent renders the
 * template into a synthetic policy when it resolves the token, as it does for service and
 * node identities. The template bodies and schemas are Consul's texts, as
 * `GET /v1/acl/templated-policies` shows them.
 */
import { createHash } from 'node:crypto';
import type { AclTemplatedPolicy } from '@proconsul/catalog';

export interface TemplatedPolicyBase {
  TemplateName: string;
  TemplateID: string;
  /** JSON schema of the variables; empty: the template takes none. */
  Schema: string;
  /** HCL rules with `{{.Name}}` where the name variable goes. */
  Template: string;
}

/** Consul's schema for a template whose one variable, `name`, is required and non-empty. */
const NAME_SCHEMA =
  '{\n\t"type": "object",\n\t"properties": {\n\t\t"name": { "type": "string", "$ref": "#/definitions/min-length-one" }\n\t},\n\t"required": ["name"],\n\t"definitions": {\n\t\t"min-length-one": {\n\t\t\t\t"type": "string",\n\t\t\t\t"minLength": 1\n\t\t}\n\t}\n}';
/** The same schema as Consul's schemas/workload-identity.json spells it. */
const WORKLOAD_IDENTITY_SCHEMA =
  '{\n  "type": "object",\n  "properties": {\n    "name": { "type": "string", "$ref": "#/definitions/min-length-one" }\n  },\n  "required": ["name"],\n  "definitions": {\n    "min-length-one": {\n      "type": "string",\n      "minLength": 1\n    }\n  }\n}';

const BASES: readonly TemplatedPolicyBase[] = [
  {
    TemplateName: 'builtin/service',
    TemplateID: '00000000-0000-0000-0000-000000000003',
    Schema: NAME_SCHEMA,
    Template:
      '\nservice "{{.Name}}" {\n\tpolicy = "write"\n}\nservice "{{.Name}}-sidecar-proxy" {\n\tpolicy = "write"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}\nnode_prefix "" {\n\tpolicy = "read"\n}',
  },
  {
    TemplateName: 'builtin/node',
    TemplateID: '00000000-0000-0000-0000-000000000004',
    Schema: NAME_SCHEMA,
    Template: '\nnode "{{.Name}}" {\n\tpolicy = "write"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}',
  },
  {
    TemplateName: 'builtin/dns',
    TemplateID: '00000000-0000-0000-0000-000000000005',
    Schema: '',
    Template: '\nnode_prefix "" {\n\tpolicy = "read"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}\nquery_prefix "" {\n\tpolicy = "read"\n}',
  },
  {
    TemplateName: 'builtin/nomad-server',
    TemplateID: '00000000-0000-0000-0000-000000000006',
    Schema: '',
    Template: '\nacl = "write"\nagent_prefix "" {\n  policy = "read"\n}\nnode_prefix "" {\n  policy = "read"\n}\nservice_prefix "" {\n  policy = "write"\n}',
  },
  {
    TemplateName: 'builtin/workload-identity',
    TemplateID: '00000000-0000-0000-0000-000000000007',
    Schema: WORKLOAD_IDENTITY_SCHEMA,
    Template: 'identity "{{.Name}}" {\n\tpolicy = "write"\n}',
  },
];

/** The templates by name, in name order (Go's JSON of a map lists keys sorted). */
export const TEMPLATED_POLICIES: ReadonlyMap<string, TemplatedPolicyBase> = new Map(
  [...BASES].sort((a, b) => (a.TemplateName < b.TemplateName ? -1 : 1)).map((b) => [b.TemplateName, b]),
);

// ---- variables against a template's schema (the subset of JSON Schema the templates use,
// with gojsonschema's error texts)

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };

function jsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

function check(schema: Record<string, Json>, root: Record<string, Json>, v: Json, out: string[], depth = 0): void {
  if (depth > 8) return;
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
    const defs = root.definitions as Record<string, Json> | undefined;
    const target = defs?.[ref.slice('#/definitions/'.length)];
    if (target && typeof target === 'object' && !Array.isArray(target)) check(target, root, v, out, depth + 1);
    return;
  }
  const type = schema.type;
  if (typeof type === 'string') {
    const given = jsonType(v);
    if (given !== type && !(type === 'number' && given === 'integer')) {
      out.push(`Invalid type. Expected: ${type}, given: ${given}`);
      return;
    }
  }
  if (typeof v === 'string' && typeof schema.minLength === 'number' && [...v].length < schema.minLength) {
    out.push(`String length must be greater than or equal to ${schema.minLength}`);
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const name of Array.isArray(schema.required) ? schema.required : []) {
      if (typeof name === 'string' && !(name in v)) out.push(`${name} is required`);
    }
    const props = schema.properties;
    if (props && typeof props === 'object' && !Array.isArray(props)) {
      for (const [name, sub] of Object.entries(props)) {
        if (name in v && sub && typeof sub === 'object' && !Array.isArray(sub)) check(sub, root, v[name]!, out, depth + 1);
      }
    }
  }
}

/** go-multierror's text of a list of errors. */
function multiError(errors: string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join('\n\t')}\n\n`;
}

/**
 * Consul's ValidateTemplatedPolicy: the variables as Go marshals them (none: `null`; an empty
 * name is omitted) against the template's schema. Undefined when valid, else the error text.
 */
export function validateVariables(base: TemplatedPolicyBase, vars: AclTemplatedPolicy['TemplateVariables']): string | undefined {
  if (base.Schema === '') return undefined;
  const schema = JSON.parse(base.Schema) as Record<string, Json>;
  const value: Json = vars === undefined ? null : vars.Name === '' ? {} : { name: vars.Name };
  const errors: string[] = [];
  check(schema, schema, value, errors);
  return errors.length ? multiError(errors) : undefined;
}

// ---- rendering

/** What Go's html/template does to a value in text (Consul 1.17 renders with html/template). */
function htmlEscape(s: string): string {
  const table: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', '&': '&amp;', "'": '&#39;', '+': '&#43;', '<': '&lt;', '>': '&gt;' };
  return s.replace(/[\0"&'+<>]/g, (c) => table[c]!);
}

/** The rules a templated policy grants; throws for an unknown template or missing variables. */
export function renderRules(tp: Pick<AclTemplatedPolicy, 'TemplateName' | 'TemplateVariables'>): string {
  const base = TEMPLATED_POLICIES.get(tp.TemplateName);
  if (!base) throw new Error(`acl templated policy does not exist: ${tp.TemplateName}`);
  if (!base.Template.includes('{{.Name}}')) return base.Template;
  if (tp.TemplateVariables === undefined) throw new Error(`templated policy ${tp.TemplateName} has no variables`);
  return base.Template.split('{{.Name}}').join(htmlEscape(tp.TemplateVariables.Name));
}

/** The policy Consul synthesizes from a templated policy (SyntheticPolicy), as previewed. */
export interface SyntheticPolicy {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters: string[] | null;
  Hash: string;
}

/** FNV-128a of nothing: Consul's ID is `hasher.Sum(rules)`, the rules with this appended, in hex. */
const FNV128A_OFFSET_BASIS = '6c62272e07bb014262b821756295c58d';

export function syntheticPolicy(tp: Pick<AclTemplatedPolicy, 'TemplateName' | 'TemplateVariables' | 'Datacenters'>): SyntheticPolicy {
  const rules = renderRules(tp);
  const id = Buffer.from(rules, 'utf8').toString('hex') + FNV128A_OFFSET_BASIS;
  const p = {
    ID: id,
    Name: `synthetic-policy-${id}`,
    Description: `synthetic policy generated from templated policy: ${tp.TemplateName}`,
    Rules: rules,
    Datacenters: tp.Datacenters?.length ? tp.Datacenters : null,
  };
  // Proconsul's policy hash (Consul hashes with BLAKE2b, which node:crypto lacks at 256 bits).
  const hash = createHash('sha256').update(JSON.stringify({ ...p, ID: undefined })).digest('base64');
  return { ...p, Hash: hash };
}

/**
 * Consul's ACLTemplatedPolicies.Deduplicate: a template without variables is kept once, one
 * with variables once per set of variables; the first occurrence wins.
 */
export function dedupeTemplatedPolicies(list: AclTemplatedPolicy[]): AclTemplatedPolicy[] {
  const seen = new Set<string>();
  const out: AclTemplatedPolicy[] = [];
  for (const tp of list) {
    const noVars = TEMPLATED_POLICIES.get(tp.TemplateName)?.Schema === '';
    const key = noVars ? tp.TemplateName : `${tp.TemplateName}\0${tp.TemplateVariables?.Name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(tp);
  }
  return out;
}

/** Whether a policy scoped to `datacenters` applies in `datacenter` (none listed: everywhere). */
export function validIn(datacenters: readonly string[] | undefined, datacenter: string | undefined): boolean {
  return datacenter === undefined || !datacenters?.length || datacenters.includes(datacenter);
}
