/**
 * Consul 1.17's auth.Binder: the binding rules of a method whose Selector matches the verified
 * identity (go-bexpr, the agent's filter.ts; an empty Selector matches all, a bad one none)
 * give the token its service identities, node identities, roles (those that exist) and
 * templated policies, each BindName (and BindVars) interpolated from the identity.
 */
import type { AclBindingRuleRecord, AclLink, AclNodeIdentity, AclServiceIdentity, AclStore, AclTemplatedPolicy } from '@proconsul/catalog';
import { compileFilter } from '../../http/filter.js';
import { IDENTITY_NAME } from '../identities.js';
import { TEMPLATED_POLICIES, validateVariables } from '../templated-policies.js';
import { HilError, interpolateHil } from './hil.js';
import type { AuthIdentity } from './identity.js';

/** The bind types of Consul 1.17 (the `policy` type came later). */
export const BIND_TYPES = ['service', 'node', 'role', 'templated-policy'] as const;
const ROLE_NAME = /^[A-Za-z0-9\-_]{1,256}$/;

export interface Bindings {
  ServiceIdentities: AclServiceIdentity[];
  NodeIdentities: AclNodeIdentity[];
  Roles: AclLink[];
  TemplatedPolicies: AclTemplatedPolicy[];
}

export class BindError extends Error {}

type Computed = { name: string; valid: boolean; templated?: AclTemplatedPolicy };

/** computeBindNameAndVars; throws the HIL or templated-policy error. */
function compute(rule: Pick<AclBindingRuleRecord, 'BindType' | 'BindName' | 'BindVars'>, vars: ReadonlyMap<string, string>): Computed {
  const name = interpolateHil(rule.BindName, vars, true);
  switch (rule.BindType) {
    case 'service':
    case 'node':
      return { name, valid: IDENTITY_NAME.test(name) };
    case 'role':
      return { name, valid: ROLE_NAME.test(name) };
    case 'templated-policy': {
      const TemplateVariables = rule.BindVars ? { Name: rule.BindVars.Name !== '' ? interpolateHil(rule.BindVars.Name, vars, true) : '' } : undefined;
      const base = TEMPLATED_POLICIES.get(name);
      if (!base) throw new BindError(`Bind name for templated-policy bind type does not match existing template name: ${name}`);
      const invalid = validateVariables(base, TemplateVariables);
      if (invalid) throw new BindError(`templated policy failed validation. Error: ${invalid}`);
      return { name, valid: true, templated: { TemplateID: base.TemplateID, TemplateName: name, ...(TemplateVariables ? { TemplateVariables } : {}) } };
    }
    default:
      throw new BindError(`unknown binding rule bind type: ${rule.BindType}`);
  }
}

/**
 * IsValidBindNameOrBindVars: the rule computed with every variable the method offers set to
 * "fake". Returns an error text, `''` for an invalid result without error, undefined when valid.
 */
export function checkBindName(rule: Pick<AclBindingRuleRecord, 'BindType' | 'BindName' | 'BindVars'>, available: Iterable<string>): string | undefined {
  const fake = new Map([...available].map((v) => [v, 'fake']));
  try {
    return compute(rule, fake).valid ? undefined : '';
  } catch (err) {
    if (err instanceof HilError || err instanceof BindError) return err.message;
    throw err;
  }
}

function selectorMatches(selector: string, fields: Record<string, unknown>): boolean {
  if (selector === '') return true;
  try {
    return compileFilter(selector)(fields);
  } catch {
    return false;
  }
}

/** Binder.Bind; throws BindError with Consul's texts. */
export function bind(store: Readonly<AclStore>, method: string, identity: AuthIdentity, datacenter: string): Bindings {
  const out: Bindings = { ServiceIdentities: [], NodeIdentities: [], Roles: [], TemplatedPolicies: [] };
  const rules = [...store.bindingRules.values()].filter((r) => r.AuthMethod === method).sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
  for (const rule of rules) {
    if (!selectorMatches(rule.Selector, identity.selectable)) continue;
    let c: Computed;
    try {
      c = compute(rule, identity.projected);
    } catch (err) {
      if (err instanceof HilError || err instanceof BindError) throw new BindError(`cannot compute ${JSON.stringify(rule.BindType)} bind name for bind target: ${err.message}`);
      throw err;
    }
    if (!c.valid) throw new BindError(`computed ${JSON.stringify(rule.BindType)} bind name for bind target is invalid: ${JSON.stringify(c.name)}`);
    if (rule.BindType === 'service') out.ServiceIdentities.push({ ServiceName: c.name });
    else if (rule.BindType === 'node') out.NodeIdentities.push({ NodeName: c.name, Datacenter: datacenter });
    else if (rule.BindType === 'templated-policy') out.TemplatedPolicies.push(c.templated!);
    else {
      const role = store.roleByName(c.name);
      if (role) out.Roles.push({ ID: role.ID, Name: role.Name });
    }
  }
  return out;
}

export const noBindings = (b: Bindings): boolean => b.ServiceIdentities.length + b.NodeIdentities.length + b.Roles.length + b.TemplatedPolicies.length === 0;
