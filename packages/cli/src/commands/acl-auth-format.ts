/**
 * Consul 1.17's auth method and binding rule output (command/acl/authmethod/formatter.go,
 * command/acl/bindingrule/formatter.go): the "pretty" text, with -meta the raft indexes, or
 * -format=json, the api package's ACLAuthMethod / ACLAuthMethodListEntry / ACLBindingRule.
 *
 * Consul prints a formatter's whole text with one Info call, so a text that ends in a newline
 * (every list, a binding rule) is followed by an empty line; the line lists below end with ''.
 */
import { parseDuration } from '@proconsul/api';
import { goJson } from './acl-format.js';

/** api.ACLAuthMethod as the agent answers it; MaxTokenTTL is a Go duration string. */
export interface AuthMethod {
  Name: string;
  Type: string;
  DisplayName?: string;
  Description?: string;
  MaxTokenTTL?: string;
  TokenLocality?: string;
  Config?: Record<string, unknown> | null;
  CreateIndex?: number;
  ModifyIndex?: number;
  NamespaceRules?: Array<{ Selector?: string; BindNamespace?: string }>;
  Namespace?: string;
  Partition?: string;
}

export type AuthMethodListEntry = Omit<AuthMethod, 'Config' | 'NamespaceRules'>;

/** api.ACLBindingRule. */
export interface BindingRule {
  ID: string;
  Description: string;
  AuthMethod: string;
  Selector: string;
  BindType: string;
  BindName: string;
  BindVars?: { Name: string } | null;
  CreateIndex?: number;
  ModifyIndex?: number;
  Namespace?: string;
  Partition?: string;
}

/** Whether a MaxTokenTTL string is a positive duration (Go's `method.MaxTokenTTL > 0`). */
function positiveTtl(ttl: string | undefined): ttl is string {
  if (!ttl) return false;
  try {
    return parseDuration(ttl) > 0;
  } catch {
    return false;
  }
}

/** A Go map[string]interface{} as encoding/json writes it: object keys sorted, at every depth. */
export function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortedKeys(o[k])]),
  );
}

const meta = (x: { CreateIndex?: number; ModifyIndex?: number }, indent: string, width: number): string[] => [
  `${indent}${'Create Index:'.padEnd(width)}${x.CreateIndex ?? 0}`,
  `${indent}${'Modify Index:'.padEnd(width)}${x.ModifyIndex ?? 0}`,
];

export function authMethodLines(m: AuthMethod, showMeta = false): string[] {
  const out = [`Name:          ${m.Name}`, `Type:          ${m.Type}`];
  if (m.Partition) out.push(`Partition:     ${m.Partition}`);
  if (m.Namespace) out.push(`Namespace:     ${m.Namespace}`);
  if (m.DisplayName) out.push(`DisplayName:   ${m.DisplayName}`);
  out.push(`Description:   ${m.Description ?? ''}`);
  if (positiveTtl(m.MaxTokenTTL)) out.push(`MaxTokenTTL:   ${m.MaxTokenTTL}`);
  if (m.TokenLocality) out.push(`TokenLocality: ${m.TokenLocality}`);
  if (m.NamespaceRules?.length) {
    out.push('NamespaceRules:');
    for (const r of m.NamespaceRules) out.push(`   Selector:      ${r.Selector ?? ''}`, `   BindNamespace: ${r.BindNamespace ?? ''}`);
  }
  if (showMeta) out.push(...meta(m, '', 15));
  // The config is written with a two-space indent and no newline after it.
  out.push('Config:', goJson(sortedKeys(m.Config ?? null), 2));
  return out;
}

export function authMethodListLines(ms: AuthMethodListEntry[] | null, showMeta = false): string[] {
  if (!ms?.length) return [];
  const out: string[] = [];
  for (const m of ms) {
    out.push(`${m.Name}:`, `   Type:         ${m.Type}`);
    if (m.Partition) out.push(`   Partition:    ${m.Partition}`);
    if (m.Namespace) out.push(`   Namespace:    ${m.Namespace}`);
    if (m.DisplayName) out.push(`   DisplayName:  ${m.DisplayName}`);
    out.push(`   Description:  ${m.Description ?? ''}`);
    if (showMeta) out.push(...meta(m, '   ', 14));
  }
  return [...out, ''];
}

/** The fields after MaxTokenTTL common to both structs, `omitempty` ones left out when empty. */
const authMethodHead = (m: AuthMethodListEntry): Record<string, unknown> => ({
  // ACLAuthMethod.MarshalJSON puts MaxTokenTTL (as a string, omitempty) before the others.
  ...(positiveTtl(m.MaxTokenTTL) ? { MaxTokenTTL: m.MaxTokenTTL } : {}),
  Name: m.Name,
  Type: m.Type,
  ...(m.DisplayName ? { DisplayName: m.DisplayName } : {}),
  ...(m.Description ? { Description: m.Description } : {}),
  ...(m.TokenLocality ? { TokenLocality: m.TokenLocality } : {}),
});

const tenancy = (x: { Namespace?: string; Partition?: string }): Record<string, string> => ({
  ...(x.Namespace ? { Namespace: x.Namespace } : {}),
  ...(x.Partition ? { Partition: x.Partition } : {}),
});

export const authMethodJson = (m: AuthMethod): object => ({
  ...authMethodHead(m),
  Config: sortedKeys(m.Config ?? null),
  CreateIndex: m.CreateIndex ?? 0,
  ModifyIndex: m.ModifyIndex ?? 0,
  ...(m.NamespaceRules?.length ? { NamespaceRules: m.NamespaceRules } : {}),
  ...tenancy(m),
});

export const authMethodListJson = (ms: AuthMethodListEntry[] | null): object | null =>
  ms === null ? null : ms.map((m) => ({ ...authMethodHead(m), CreateIndex: m.CreateIndex ?? 0, ModifyIndex: m.ModifyIndex ?? 0, ...tenancy(m) }));

/** The pretty rule; `indent` is '' for one rule and '   ' for a list entry, which starts with `<ID>:`. */
function ruleLines(r: BindingRule, showMeta: boolean, indent: string): string[] {
  const out = indent ? [`${r.ID}:`] : [`ID:           ${r.ID}`];
  if (r.Partition) out.push(`${indent}Partition:    ${r.Partition}`);
  if (r.Namespace) out.push(`${indent}Namespace:    ${r.Namespace}`);
  out.push(`${indent}AuthMethod:   ${r.AuthMethod}`, `${indent}Description:  ${r.Description}`, `${indent}BindType:     ${r.BindType}`, `${indent}BindName:     ${r.BindName}`);
  if (r.BindVars?.Name) out.push(`${indent}BindVars:     `, `${indent}     - Name: ${r.BindVars.Name}`);
  out.push(`${indent}Selector:     ${r.Selector}`);
  if (showMeta) out.push(...meta(r, indent, 14));
  return out;
}

export const bindingRuleLines = (r: BindingRule, showMeta = false): string[] => [...ruleLines(r, showMeta, ''), ''];

export function bindingRuleListLines(rs: BindingRule[] | null, showMeta = false): string[] {
  if (!rs?.length) return [];
  return [...rs.flatMap((r) => ruleLines(r, showMeta, '   ')), ''];
}

export const bindingRuleJson = (r: BindingRule): object => ({
  ID: r.ID,
  Description: r.Description,
  AuthMethod: r.AuthMethod,
  Selector: r.Selector,
  BindType: r.BindType,
  BindName: r.BindName,
  ...(r.BindVars ? { BindVars: { Name: r.BindVars.Name ?? '' } } : {}),
  CreateIndex: r.CreateIndex ?? 0,
  ModifyIndex: r.ModifyIndex ?? 0,
  ...tenancy(r),
});

export const bindingRuleListJson = (rs: BindingRule[] | null): object | null => (rs === null ? null : rs.map(bindingRuleJson));
