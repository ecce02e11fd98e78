/**
 * Consul's ACL output (command/acl/{token,policy,role}/formatter.go): the "pretty" text, with
 * -meta its hash and indexes, or -format=json, the object as Go's api package marshals it.
 */
import type { FlagDef } from '../flags.js';
import type { Ui } from '../io.js';

export interface AclLink {
  ID: string;
  Name: string;
}

export interface ServiceIdentity {
  ServiceName: string;
  Datacenters?: string[];
}

export interface NodeIdentity {
  NodeName: string;
  Datacenter: string;
}

/** api.ACLTemplatedPolicy (the agent's JSON also has TemplateID, and the variable as `name`). */
export interface TemplatedPolicy {
  TemplateName: string;
  TemplateVariables?: { Name: string };
  Datacenters?: string[];
}

export interface Token {
  AccessorID: string;
  SecretID: string;
  Description: string;
  Local: boolean;
  CreateTime: string;
  ExpirationTime?: string;
  Policies?: AclLink[];
  Roles?: AclLink[];
  ServiceIdentities?: ServiceIdentity[];
  NodeIdentities?: NodeIdentity[];
  TemplatedPolicies?: TemplatedPolicy[];
  /** The auth method a `login` made the token with. */
  AuthMethod?: string;
  AuthMethodNamespace?: string;
  /** Base64, as Go encodes a []byte. */
  Hash?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

export interface Policy {
  ID: string;
  Name: string;
  Description: string;
  Rules?: string;
  Datacenters?: string[];
  Hash?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

export interface Role {
  ID: string;
  Name: string;
  Description: string;
  Policies?: AclLink[];
  ServiceIdentities?: ServiceIdentity[];
  NodeIdentities?: NodeIdentity[];
  TemplatedPolicies?: TemplatedPolicy[];
  Hash?: string;
  CreateIndex?: number;
  ModifyIndex?: number;
}

export const formatFlag = (): FlagDef => ({ name: 'format', kind: 'string', default: 'pretty', usage: 'Output format {pretty|json}' });

export const metaFlag = (what: string): FlagDef => ({
  name: 'meta',
  kind: 'bool',
  usage: `Indicates that ${what} metadata such as the content hash and raft indices should be shown for each entry`,
});

/** Go's `%x` of the []byte the agent sent as base64. */
const hex = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('hex');

const metaLines = (x: { Hash?: string; CreateIndex?: number; ModifyIndex?: number }, width: number): string[] => [
  `${'Hash:'.padEnd(width)}${hex(x.Hash)}`,
  `${'Create Index:'.padEnd(width)}${x.CreateIndex ?? 0}`,
  `${'Modify Index:'.padEnd(width)}${x.ModifyIndex ?? 0}`,
];

function identityLines(s: ServiceIdentity[] | undefined, n: NodeIdentity[] | undefined): string[] {
  const out: string[] = [];
  if (s?.length) {
    out.push('Service Identities:');
    for (const i of s) out.push(`   ${i.ServiceName} (Datacenters: ${i.Datacenters?.length ? i.Datacenters.join(', ') : 'all'})`);
  }
  if (n?.length) {
    out.push('Node Identities:');
    for (const i of n) out.push(`   ${i.NodeName} (Datacenter: ${i.Datacenter})`);
  }
  return out;
}

/** The variable's value as the Go client decodes the agent's `{"name": ...}` (any case). */
function variableName(tp: TemplatedPolicy): string | undefined {
  const v = tp.TemplateVariables as Record<string, unknown> | undefined;
  if (!v) return undefined;
  const key = 'Name' in v ? 'Name' : Object.keys(v).find((k) => k.toLowerCase() === 'name');
  return key === undefined ? '' : String(v[key] ?? '');
}

/** The token and role formatters' templated policies: name, variable when set, datacenters. */
function templatedLines(tps: TemplatedPolicy[] | undefined): string[] {
  if (!tps?.length) return [];
  const out = ['Templated Policies:'];
  for (const tp of tps) {
    out.push(`   ${tp.TemplateName}`);
    const name = variableName(tp);
    if (name) out.push(`      Name: ${name}`);
    out.push(`      Datacenters: ${tp.Datacenters?.length ? tp.Datacenters.join(', ') : 'all'}`);
  }
  return out;
}

function linkLines(title: string, links: AclLink[] | undefined): string[] {
  return links?.length ? [`${title}:`, ...links.map((l) => `   ${l.ID} - ${l.Name}`)] : [];
}

export function tokenLines(t: Token, meta = false): string[] {
  return [
    `AccessorID:       ${t.AccessorID}`,
    `SecretID:         ${t.SecretID}`,
    `Description:      ${t.Description}`,
    `Local:            ${t.Local}`,
    // Consul 1.17 prints the namespace also when there is none (OSS): `(Namespace: )`.
    ...(t.AuthMethod ? [`Auth Method:      ${t.AuthMethod} (Namespace: ${t.AuthMethodNamespace ?? ''})`] : []),
    `Create Time:      ${goTimeString(t.CreateTime)}`,
    ...(t.ExpirationTime ? [`Expiration Time:  ${goTimeString(t.ExpirationTime)}`] : []),
    ...(meta ? metaLines(t, 18) : []),
    ...linkLines('Policies', t.Policies),
    ...linkLines('Roles', t.Roles),
    ...identityLines(t.ServiceIdentities, t.NodeIdentities),
    ...templatedLines(t.TemplatedPolicies),
  ];
}

export function policyLines(p: Policy, meta = false): string[] {
  return [
    `ID:           ${p.ID}`,
    `Name:         ${p.Name}`,
    `Description:  ${p.Description}`,
    `Datacenters:  ${(p.Datacenters ?? []).join(', ')}`,
    ...(meta ? metaLines(p, 14) : []),
    ...(p.Rules !== undefined ? ['Rules:', p.Rules] : []),
  ];
}

export function roleLines(r: Role, meta = false): string[] {
  return [
    `ID:           ${r.ID}`,
    `Name:         ${r.Name}`,
    `Description:  ${r.Description}`,
    ...(meta ? metaLines(r, 14) : []),
    ...linkLines('Policies', r.Policies),
    ...identityLines(r.ServiceIdentities, r.NodeIdentities),
    ...templatedLines(r.TemplatedPolicies),
  ];
}

export function printToken(ui: Ui, t: Token): void {
  for (const l of tokenLines(t)) ui.output(l);
}

export function printPolicy(ui: Ui, p: Policy): void {
  for (const l of policyLines(p)) ui.output(l);
}

export function printRole(ui: Ui, r: Role): void {
  for (const l of roleLines(r)) ui.output(l);
}

// ---- -format=json: the api package's structs, fields in their declaration order (api/acl.go)

const link = (l: AclLink): AclLink => ({ ID: l.ID, Name: l.Name });
const service = (s: ServiceIdentity): ServiceIdentity => ({ ServiceName: s.ServiceName, ...(s.Datacenters?.length ? { Datacenters: s.Datacenters } : {}) });
const node = (n: NodeIdentity): NodeIdentity => ({ NodeName: n.NodeName, Datacenter: n.Datacenter });
const templated = (tp: TemplatedPolicy): TemplatedPolicy => {
  const name = variableName(tp);
  return { TemplateName: tp.TemplateName, ...(name !== undefined ? { TemplateVariables: { Name: name } } : {}), ...(tp.Datacenters?.length ? { Datacenters: tp.Datacenters } : {}) };
};
/** A list field tagged `omitempty`. */
const some = <K extends string, T, U>(key: K, xs: T[] | undefined, f: (x: T) => U): Partial<Record<K, U[]>> =>
  xs?.length ? ({ [key]: xs.map(f) } as Record<K, U[]>) : {};

/** Go's RFC 3339 time: trailing zeros of the fraction dropped (`.120Z` is `.12Z`). */
const goTime = (t: string): string => t.replace(/\.(\d*?)0+Z$/, (_m, d: string) => (d ? `.${d}Z` : 'Z'));

/**
 * Go's `%v` of a time.Time decoded from the API's RFC 3339 text (time.Time.String):
 * `2026-12-07 09:16:54.813 +0000 UTC`, trailing zeros of the fraction dropped; an offset
 * without a zone name is printed twice (`-0400 -0400`). Text that is not RFC 3339 stays as is.
 */
export function goTimeString(t: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(t);
  if (!m) return t;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const offset = m[4]!.replace(':', '');
  return `${m[1]} ${m[2]}${frac ? `.${frac}` : ''} ${m[4] === 'Z' ? '+0000 UTC' : `${offset} ${offset}`}`;
}

export const tokenJson = (t: Token): object => ({
  CreateIndex: t.CreateIndex ?? 0,
  ModifyIndex: t.ModifyIndex ?? 0,
  AccessorID: t.AccessorID,
  SecretID: t.SecretID,
  Description: t.Description,
  ...some('Policies', t.Policies, link),
  ...some('Roles', t.Roles, link),
  ...some('ServiceIdentities', t.ServiceIdentities, service),
  ...some('NodeIdentities', t.NodeIdentities, node),
  ...some('TemplatedPolicies', t.TemplatedPolicies, templated),
  Local: t.Local,
  ...(t.AuthMethod ? { AuthMethod: t.AuthMethod } : {}),
  ...(t.ExpirationTime ? { ExpirationTime: goTime(t.ExpirationTime) } : {}),
  CreateTime: goTime(t.CreateTime),
  ...(t.Hash ? { Hash: t.Hash } : {}),
  ...(t.AuthMethodNamespace ? { AuthMethodNamespace: t.AuthMethodNamespace } : {}),
});

export const policyJson = (p: Policy): object => ({
  ID: p.ID,
  Name: p.Name,
  Description: p.Description,
  Rules: p.Rules ?? '',
  // No omitempty on these: a nil slice is null.
  Datacenters: p.Datacenters?.length ? p.Datacenters : null,
  Hash: p.Hash || null,
  CreateIndex: p.CreateIndex ?? 0,
  ModifyIndex: p.ModifyIndex ?? 0,
});

export const roleJson = (r: Role): object => ({
  ID: r.ID,
  Name: r.Name,
  Description: r.Description,
  ...some('Policies', r.Policies, link),
  ...some('ServiceIdentities', r.ServiceIdentities, service),
  ...some('NodeIdentities', r.NodeIdentities, node),
  ...some('TemplatedPolicies', r.TemplatedPolicies, templated),
  Hash: r.Hash || null,
  CreateIndex: r.CreateIndex ?? 0,
  ModifyIndex: r.ModifyIndex ?? 0,
});

/** Go's json.MarshalIndent(v, "", indent), which escapes <, >, & (and U+2028/9) for HTML. */
export function goJson(v: unknown, indent = 4): string {
  return JSON.stringify(v, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Prints in the -format asked for. As in Consul the formatter is made after the request, so
 * an unknown format is reported (`Unknown format: x`, exit 1) after the change was made.
 */
export function printAs(ui: Ui, format: string, pretty: () => string[], json: () => unknown): number {
  if (format === 'pretty') {
    for (const l of pretty()) ui.output(l);
    return 0;
  }
  if (format === 'json') {
    ui.output(goJson(json()));
    return 0;
  }
  ui.error(`Unknown format: ${format}`);
  return 1;
}

/**
 * Makes the request and prints its answer in the -format asked for; a failed request is
 * `<failure>: <error>` on stderr and exit 1.
 */
export async function requestAndPrint<T>(ui: Ui, format: string, failure: string, request: () => Promise<T>, pretty: (x: T) => string[], json: (x: T) => unknown): Promise<number> {
  let answer: T;
  try {
    answer = await request();
  } catch (err) {
    ui.error(`${failure}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  return printAs(ui, format, () => pretty(answer), () => json(answer));
}
