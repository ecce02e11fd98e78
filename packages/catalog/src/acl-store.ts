/**
 * The ACL tables and their writes (see acl-types.ts). Token secrets, policy names and role
 * names are unique, as in Consul's state store; a policy or role still linked is kept in
 * the links (names resolved on read) and dropped from them when deleted. Templated policies
 * are kept as given (absent in records and snapshots from before them: none).
 */
import type {
  AclAuthMethodRecord,
  AclBindingRuleRecord,
  AclCommand,
  AclLink,
  AclTemplatedPolicy,
  AclPolicyRecord,
  AclRoleRecord,
  AclSnapshot,
  AclTokenRecord,
} from './acl-types.js';
import type { ApplyResult } from './commands.js';
import { isObj } from './shape-check.js';
import { fail, ok, sortedValues } from './util.js';

/** Bounds on the ACL tables, so a runaway client cannot grow the state without limit. */
export const ACL_OBJECTS_MAX = 100_000;
/** Bound on the templated policies of one token or role. */
export const ACL_TEMPLATED_POLICIES_MAX = 256;
/** Bound on an auth method's Config as JSON (keys, CA certificates and public keys fit well within). */
export const ACL_AUTH_METHOD_CONFIG_BYTES_MAX = 256 * 1024;

const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * The shape of a token's or role's templated policies (absent is none): the agent validated
 * them against their templates; here only what would break a later read is refused.
 */
function templatedPoliciesShape(v: unknown, what: 'Token' | 'Role'): string | undefined {
  if (v === undefined) return undefined;
  const bad = `Invalid ${what}: TemplatedPolicies`;
  if (!Array.isArray(v)) return `${bad} must be a list`;
  if (v.length > ACL_TEMPLATED_POLICIES_MAX) return `${bad}: more than ${ACL_TEMPLATED_POLICIES_MAX}`;
  for (const tp of v as unknown[]) {
    if (!isObj(tp)) return `${bad} must be a list of objects`;
    const t = tp as Partial<Record<keyof AclTemplatedPolicy, unknown>>;
    if (typeof t.TemplateName !== 'string' || typeof t.TemplateID !== 'string') return `${bad}: TemplateName and TemplateID must be strings`;
    const vars = t.TemplateVariables;
    if (vars !== undefined && (!isObj(vars) || typeof (vars as { Name?: unknown }).Name !== 'string')) return `${bad}: TemplateVariables.Name must be a string`;
    if (t.Datacenters !== undefined && !isStrings(t.Datacenters)) return `${bad}: Datacenters must be a list of strings`;
  }
  return undefined;
}

export class AclStore {
  bootstrapIndex = 0;
  index = 0;
  readonly tokens = new Map<string, AclTokenRecord>();
  readonly tokensBySecret = new Map<string, AclTokenRecord>();
  readonly policies = new Map<string, AclPolicyRecord>();
  readonly roles = new Map<string, AclRoleRecord>();
  /** Auth methods by Name, binding rules by ID. */
  readonly authMethods = new Map<string, AclAuthMethodRecord>();
  readonly bindingRules = new Map<string, AclBindingRuleRecord>();

  clear(): void {
    this.authMethods.clear();
    this.bindingRules.clear();
    this.bootstrapIndex = 0;
    this.index = 0;
    this.tokens.clear();
    this.tokensBySecret.clear();
    this.policies.clear();
    this.roles.clear();
  }

  policyByName(name: string): AclPolicyRecord | undefined {
    for (const p of this.policies.values()) if (p.Name === name) return p;
    return undefined;
  }

  roleByName(name: string): AclRoleRecord | undefined {
    for (const r of this.roles.values()) if (r.Name === name) return r;
    return undefined;
  }

  apply(idx: number, c: AclCommand): ApplyResult {
    switch (c.Type) {
      case 'ACLBootstrap': {
        if (this.bootstrapIndex !== 0 && c.ResetIndex !== this.bootstrapIndex) {
          return fail(`ACL bootstrap no longer allowed (reset index: ${this.bootstrapIndex})`);
        }
        const r = this.setToken(idx, c.Token, true);
        if (r.ok) this.bootstrapIndex = idx;
        return r;
      }
      case 'ACLTokenSet':
        return this.setToken(idx, c.Token, c.CreateOnly === true, c.AllowMissingLinks === true);
      case 'ACLTokenDelete': {
        const t = this.tokens.get(c.AccessorID);
        if (!t) return ok(false);
        this.tokens.delete(t.AccessorID);
        this.tokensBySecret.delete(t.SecretID);
        this.index = idx;
        return ok(true);
      }
      case 'ACLPolicySet': {
        const p = c.Policy;
        if (!isObj(p) || typeof p.ID !== 'string' || typeof p.Name !== 'string') return fail('Invalid Policy');
        const prev = this.policies.get(p.ID);
        if (prev && c.CreateOnly) return fail(`Invalid Policy: ID ${p.ID} already exists`);
        const named = this.policyByName(p.Name);
        if (named && named.ID !== p.ID) return fail(`Invalid Policy: A Policy with Name "${p.Name}" already exists`);
        if (!prev && this.policies.size >= ACL_OBJECTS_MAX) return fail('Too many ACL policies');
        const rec: AclPolicyRecord = { ...p, CreateIndex: prev?.CreateIndex ?? idx, ModifyIndex: idx };
        this.policies.set(p.ID, rec);
        this.renameLinks(p.ID, p.Name);
        this.index = idx;
        return ok(true);
      }
      case 'ACLPolicyDelete': {
        if (!this.policies.delete(c.ID)) return ok(false);
        this.dropLinks(c.ID, 'Policies');
        this.index = idx;
        return ok(true);
      }
      case 'ACLRoleSet': {
        const r = c.Role;
        if (!isObj(r) || typeof r.ID !== 'string' || typeof r.Name !== 'string') return fail('Invalid Role');
        const prev = this.roles.get(r.ID);
        if (prev && c.CreateOnly) return fail(`Invalid Role: ID ${r.ID} already exists`);
        const named = this.roleByName(r.Name);
        if (named && named.ID !== r.ID) return fail(`Invalid Role: A Role with Name "${r.Name}" already exists`);
        if (!prev && this.roles.size >= ACL_OBJECTS_MAX) return fail('Too many ACL roles');
        const shape = templatedPoliciesShape(r.TemplatedPolicies, 'Role');
        if (shape) return fail(shape);
        const missing = c.AllowMissingLinks === true ? undefined : this.missingPolicy(r.Policies);
        if (missing) return fail(missing);
        this.roles.set(r.ID, { ...r, CreateIndex: prev?.CreateIndex ?? idx, ModifyIndex: idx });
        this.renameLinks(r.ID, r.Name);
        this.index = idx;
        return ok(true);
      }
      case 'ACLRoleDelete': {
        if (!this.roles.delete(c.ID)) return ok(false);
        this.dropLinks(c.ID, 'Roles');
        this.index = idx;
        return ok(true);
      }
      case 'ACLAuthMethodSet':
        return this.setAuthMethod(idx, c.AuthMethod);
      case 'ACLAuthMethodDelete': {
        if (!this.authMethods.delete(c.Name)) return ok(false);
        for (const r of [...this.bindingRules.values()]) if (r.AuthMethod === c.Name) this.bindingRules.delete(r.ID);
        for (const t of [...this.tokens.values()]) {
          if (t.AuthMethod !== c.Name) continue;
          this.tokens.delete(t.AccessorID);
          this.tokensBySecret.delete(t.SecretID);
        }
        this.index = idx;
        return ok(true);
      }
      case 'ACLBindingRuleSet':
        return this.setBindingRule(idx, c.BindingRule, c.CreateOnly === true);
      case 'ACLBindingRuleDelete': {
        if (!this.bindingRules.delete(c.ID)) return ok(false);
        this.index = idx;
        return ok(true);
      }
    }
  }

  private setAuthMethod(idx: number, m: Omit<AclAuthMethodRecord, 'CreateIndex' | 'ModifyIndex'>): ApplyResult {
    if (!isObj(m) || typeof m.Name !== 'string' || m.Name === '' || typeof m.Type !== 'string') return fail('Invalid Auth Method');
    if (!isObj(m.Config)) return fail('Invalid Auth Method: Config must be an object');
    if (JSON.stringify(m.Config).length > ACL_AUTH_METHOD_CONFIG_BYTES_MAX) return fail(`Invalid Auth Method: Config larger than ${ACL_AUTH_METHOD_CONFIG_BYTES_MAX} bytes`);
    const prev = this.authMethods.get(m.Name);
    if (prev && prev.Type !== m.Type) return fail('the Type field of an Auth Method is immutable');
    if (!prev && this.authMethods.size >= ACL_OBJECTS_MAX) return fail('Too many ACL auth methods');
    this.authMethods.set(m.Name, { ...m, CreateIndex: prev?.CreateIndex ?? idx, ModifyIndex: idx });
    this.index = idx;
    return ok(true);
  }

  private setBindingRule(idx: number, r: Omit<AclBindingRuleRecord, 'CreateIndex' | 'ModifyIndex'>, createOnly: boolean): ApplyResult {
    if (!isObj(r) || typeof r.ID !== 'string' || typeof r.AuthMethod !== 'string' || typeof r.BindType !== 'string' || typeof r.BindName !== 'string') return fail('Invalid Binding Rule');
    const prev = this.bindingRules.get(r.ID);
    if (prev && createOnly) return fail(`Invalid Binding Rule: ID ${r.ID} already exists`);
    if (prev && prev.AuthMethod !== r.AuthMethod) return fail('the AuthMethod field of an Binding Rule is immutable');
    if (!this.authMethods.has(r.AuthMethod)) return fail(`cannot find auth method with name ${JSON.stringify(r.AuthMethod)}`);
    if (!prev && this.bindingRules.size >= ACL_OBJECTS_MAX) return fail('Too many ACL binding rules');
    this.bindingRules.set(r.ID, { ...r, CreateIndex: prev?.CreateIndex ?? idx, ModifyIndex: idx });
    this.index = idx;
    return ok(true);
  }

  private missingPolicy(links: AclLink[] | undefined): string | undefined {
    for (const l of links ?? []) if (!this.policies.has(l.ID)) return `cannot find policy ${l.ID}`;
    return undefined;
  }

  private setToken(idx: number, t: Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>, createOnly: boolean, allowMissingLinks = false): ApplyResult {
    if (!isObj(t) || typeof t.AccessorID !== 'string' || typeof t.SecretID !== 'string') return fail('Invalid Token');
    const prev = this.tokens.get(t.AccessorID);
    if (prev && createOnly) return fail('Invalid Token: AccessorID is already in use');
    const bySecret = this.tokensBySecret.get(t.SecretID);
    if (bySecret && bySecret.AccessorID !== t.AccessorID) return fail('Invalid Token: SecretID is already in use');
    if (prev && prev.SecretID !== t.SecretID) return fail('Changing a tokens SecretID is not permitted');
    if (!prev && this.tokens.size >= ACL_OBJECTS_MAX) return fail('Too many ACL tokens');
    const shape = templatedPoliciesShape(t.TemplatedPolicies, 'Token');
    if (shape) return fail(shape);
    if (!allowMissingLinks) {
      const missing = this.missingPolicy(t.Policies);
      if (missing) return fail(missing);
      if (t.AuthMethod !== undefined && !this.authMethods.has(t.AuthMethod)) return fail(`No such auth method with Name: ${t.AuthMethod}`);
      for (const l of t.Roles ?? []) if (!this.roles.has(l.ID)) return fail(`cannot find role ${l.ID}`);
    }
    const rec: AclTokenRecord = { ...t, CreateIndex: prev?.CreateIndex ?? idx, ModifyIndex: idx };
    this.tokens.set(rec.AccessorID, rec);
    this.tokensBySecret.set(rec.SecretID, rec);
    this.index = idx;
    return ok(true);
  }

  private renameLinks(id: string, name: string): void {
    for (const holder of [...this.tokens.values(), ...this.roles.values()]) {
      for (const l of [...holder.Policies, ...('Roles' in holder ? holder.Roles : [])]) if (l.ID === id) l.Name = name;
    }
  }

  private dropLinks(id: string, field: 'Policies' | 'Roles'): void {
    for (const t of this.tokens.values()) t[field] = t[field].filter((l) => l.ID !== id);
    if (field === 'Policies') for (const r of this.roles.values()) r.Policies = r.Policies.filter((l) => l.ID !== id);
  }

  snapshot(): AclSnapshot {
    return {
      BootstrapIndex: this.bootstrapIndex,
      Index: this.index,
      Tokens: sortedValues(this.tokens),
      Policies: sortedValues(this.policies),
      Roles: sortedValues(this.roles),
      AuthMethods: sortedValues(this.authMethods),
      BindingRules: sortedValues(this.bindingRules),
    };
  }

  restore(s: AclSnapshot | undefined): void {
    this.clear();
    if (!s) return;
    this.bootstrapIndex = s.BootstrapIndex;
    this.index = s.Index;
    for (const t of s.Tokens) {
      this.tokens.set(t.AccessorID, t);
      this.tokensBySecret.set(t.SecretID, t);
    }
    for (const p of s.Policies) this.policies.set(p.ID, p);
    for (const r of s.Roles) this.roles.set(r.ID, r);
    for (const m of s.AuthMethods ?? []) this.authMethods.set(m.Name, m);
    for (const r of s.BindingRules ?? []) this.bindingRules.set(r.ID, r);
  }
}
