/**
 * Consul's /v1/acl/auth-method* and /v1/acl/binding-rule* endpoints (agent/acl_endpoint.go and
 * the ACL.AuthMethod* / ACL.BindingRule* RPCs of Consul 1.17 OSS): reads need `acl:read`,
 * writes `acl:write`. A method's Config is checked by building its validator (a JWKS or OIDC
 * discovery URL is fetched then); a rule's Selector and BindName are checked against the
 * identity the method produces. Deleting a method deletes its rules and its tokens (the store).
 */
import { randomUUID } from 'node:crypto';
import { formatGoDuration, parseGoDuration, type AclAuthMethodRecord, type AclBindingRuleRecord, type Command } from '@proconsul/catalog';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StructSchema } from '../http/decode-struct.js';
import { endpoint } from '../http/endpoint.js';
import { rewordUnknownEnterpriseField } from '../http/enterprise-meta.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { sendJson } from '../http/respond.js';
import { compileFilter } from '../http/filter.js';
import { BIND_TYPES, checkBindName } from './auth-method/binder.js';
import { AuthMethodError } from './auth-method/identity.js';
import { CONSUL_OSS_TYPES, isBuiltType, newValidator, type ValidatorCache } from './auth-method/validators.js';
import { decodeBody, type AclRouteDeps } from './auth-method-deps.js';

type Obj = Record<string, unknown>;
type NewMethod = Omit<AclAuthMethodRecord, 'CreateIndex' | 'ModifyIndex'>;
type NewRule = Omit<AclBindingRuleRecord, 'CreateIndex' | 'ModifyIndex'>;

const METHOD_NAME = /^[A-Za-z0-9\-_]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Consul's default acl.token_min/max_expiration_ttl, the bounds of MaxTokenTTL. */
const TOKEN_TTL_MIN_MS = 60_000;
const TOKEN_TTL_MAX_MS = 24 * 3_600_000;

const AUTH_METHOD_SCHEMA: StructSchema = {
  name: 'structs.ACLAuthMethod',
  fields: {
    Name: 'string', Type: 'string', DisplayName: 'string', Description: 'string', MaxTokenTTL: 'any', TokenLocality: 'string',
    Config: { mapOf: 'any' }, CreateIndex: 'uint64', ModifyIndex: 'uint64',
  },
};

const BINDING_RULE_SCHEMA: StructSchema = {
  name: 'structs.ACLBindingRule',
  fields: {
    ID: 'string', Description: 'string', AuthMethod: 'string', Selector: 'string', BindType: 'string', BindName: 'string',
    BindVars: { name: 'structs.ACLTemplatedPolicyVariables', fields: { Name: 'string' } }, CreateIndex: 'uint64', ModifyIndex: 'uint64',
  },
};

/** structs.ACLAuthMethod as its MarshalJSON writes it: MaxTokenTTL a duration string, empty fields omitted. */
function showMethod(m: AclAuthMethodRecord, stub = false): Obj {
  const out: Obj = {};
  if (m.MaxTokenTTL) out.MaxTokenTTL = formatGoDuration(m.MaxTokenTTL / 1e6);
  out.Name = m.Name;
  out.Type = m.Type;
  if (m.DisplayName) out.DisplayName = m.DisplayName;
  if (m.Description) out.Description = m.Description;
  if (m.TokenLocality) out.TokenLocality = m.TokenLocality;
  if (!stub) out.Config = m.Config;
  return { ...out, CreateIndex: m.CreateIndex, ModifyIndex: m.ModifyIndex };
}

/** structs.ACLBindingRule: BindVars only when set, its variable under the JSON name `name`. */
function showRule(r: AclBindingRuleRecord): Obj {
  return {
    ID: r.ID, Description: r.Description, AuthMethod: r.AuthMethod, Selector: r.Selector, BindType: r.BindType, BindName: r.BindName,
    ...(r.BindVars ? { BindVars: r.BindVars.Name !== '' ? { name: r.BindVars.Name } : {} } : {}),
    CreateIndex: r.CreateIndex, ModifyIndex: r.ModifyIndex,
  };
}

const str = (b: Obj, k: string): string => (typeof b[k] === 'string' ? (b[k] as string) : '');
const param = (req: FastifyRequest, key: string): string => (req.params as Record<string, string>)[key] ?? '';

/** MaxTokenTTL as ACLAuthMethod.UnmarshalJSON reads it: a Go duration string or nanoseconds; in ns. */
function maxTokenTtlNs(v: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v !== 'string') return 0;
  try {
    return Math.round(parseGoDuration(v) * 1e6);
  } catch (err) {
    throw badRequest(`AuthMethod decoding failed: ${(err as Error).message}`);
  }
}

/**
 * `PUT <path>` creates; `GET|PUT|DELETE <path>/:<param>` read (404 with Consul's text), replace
 * and delete (true also for one that does not exist, as Consul answers).
 */
function crudEndpoints<T>(app: FastifyInstance, d: AclRouteDeps, o: {
  path: string;
  param: string;
  what: string;
  find(key: string): T | undefined;
  show(item: T): Obj;
  put(req: FastifyRequest, key: string): Promise<Obj>;
  remove(key: string): Command;
}): void {
  endpoint(app, o.path, { PUT: async (req, reply) => sendJson(req, reply, await o.put(req, '')) });
  endpoint(app, `${o.path}/:${o.param}`, {
    GET: async (req, reply) => {
      await d.guard(req, 'read');
      const item = o.find(param(req, o.param));
      d.meta(reply);
      if (item === undefined) throw notFound(`Requested ${o.what} does not exist: ACL not found`);
      return sendJson(req, reply, o.show(item));
    },
    PUT: async (req, reply) => sendJson(req, reply, await o.put(req, param(req, o.param))),
    DELETE: async (req, reply) => {
      await d.guard(req, 'write');
      const key = param(req, o.param);
      if (o.find(key) !== undefined) await d.apply(o.remove(key));
      return sendJson(req, reply, true);
    },
  });
}

export function authMethodRoutes(app: FastifyInstance, d: AclRouteDeps, validators: ValidatorCache): void {
  const store = (): AclRouteDeps['ctx']['catalog']['acl'] => d.ctx.catalog.acl;

  /** ACL.AuthMethodSet's checks, in its order, with its texts. */
  async function methodFrom(b: Obj): Promise<NewMethod> {
    const name = str(b, 'Name');
    if (name === '') throw badRequest('Invalid Auth Method: no Name is set');
    if (!METHOD_NAME.test(name)) throw badRequest("Invalid Auth Method: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
    const existing = store().authMethods.get(name);
    let type = str(b, 'Type');
    if (existing) {
      if (type === '') type = existing.Type;
      else if (type !== existing.Type) throw badRequest('the Type field of an Auth Method is immutable');
    }
    if (!(CONSUL_OSS_TYPES as readonly string[]).includes(type)) throw badRequest(`Invalid Auth Method: Type should be one of: [${CONSUL_OSS_TYPES.join(' ')}]`);
    if (!isBuiltType(type)) throw badRequest(`Invalid Auth Method: the ${type} auth method type is not supported by this agent`);
    const ttlNs = maxTokenTtlNs(b.MaxTokenTTL);
    if (ttlNs !== 0) {
      const ms = ttlNs / 1e6;
      if (ms > TOKEN_TTL_MAX_MS) throw badRequest(`MaxTokenTTL ${formatGoDuration(ms)} cannot be more than ${formatGoDuration(TOKEN_TTL_MAX_MS)}`);
      if (ms < TOKEN_TTL_MIN_MS) throw badRequest(`MaxTokenTTL ${formatGoDuration(ms)} cannot be less than ${formatGoDuration(TOKEN_TTL_MIN_MS)}`);
    }
    const locality = str(b, 'TokenLocality');
    if (locality === 'global') {
      if (d.ctx.config.primaryDatacenter !== d.ctx.config.datacenter) throw badRequest("Invalid Auth Method: TokenLocality 'global' can only be used in the primary datacenter");
    } else if (locality !== 'local' && locality !== '') {
      throw badRequest("Invalid Auth Method: TokenLocality should be one of 'local' or 'global'");
    }
    const Config = (b.Config as Obj | undefined) ?? {};
    try {
      await newValidator({ Type: type, Config });
    } catch (err) {
      if (err instanceof AuthMethodError) throw badRequest(`Invalid Auth Method: ${err.message}`);
      throw err;
    }
    return { Name: name, Type: type, DisplayName: str(b, 'DisplayName'), Description: str(b, 'Description'), MaxTokenTTL: ttlNs, TokenLocality: locality, Config };
  }

  async function putMethod(req: FastifyRequest, urlName: string): Promise<Obj> {
    await d.guard(req, 'write');
    const b = decodeBody(req, AUTH_METHOD_SCHEMA, 'AuthMethod decoding failed: ', rewordUnknownEnterpriseField);
    if (urlName !== '') {
      const bodyName = str(b, 'Name');
      if (bodyName !== '' && bodyName !== urlName) throw badRequest('AuthMethod Name in URL and payload do not match');
      b.Name = urlName;
    }
    const m = await methodFrom(b);
    await d.apply({ Type: 'ACLAuthMethodSet', AuthMethod: m });
    return showMethod(store().authMethods.get(m.Name)!);
  }

  crudEndpoints(app, d, {
    path: '/v1/acl/auth-method', param: 'name', what: 'auth method',
    find: (name) => store().authMethods.get(name), show: (m) => showMethod(m), put: putMethod,
    remove: (name) => ({ Type: 'ACLAuthMethodDelete', Name: name }),
  });
  endpoint(app, '/v1/acl/auth-methods', {
    GET: async (req, reply) => {
      await d.guard(req, 'read');
      d.meta(reply);
      return sendJson(req, reply, [...store().authMethods.values()].sort((a, b) => (a.Name < b.Name ? -1 : 1)).map((m) => showMethod(m, true)));
    },
  });

  /** ACL.BindingRuleSet's checks, in its order, with its texts. */
  async function ruleFrom(b: Obj): Promise<{ rule: NewRule; create: boolean }> {
    let id = str(b, 'ID');
    let authMethod = str(b, 'AuthMethod');
    const create = id === '';
    if (create) id = randomUUID();
    else {
      if (!UUID.test(id)) throw badRequest('Binding Rule ID invalid UUID');
      const existing = store().bindingRules.get(id);
      if (!existing) throw badRequest(`cannot find binding rule ${id}`);
      if (authMethod === '') authMethod = existing.AuthMethod;
      else if (authMethod !== existing.AuthMethod) throw badRequest('the AuthMethod field of an Binding Rule is immutable');
    }
    if (authMethod === '') throw badRequest('Invalid Binding Rule: no AuthMethod is set');
    const method = store().authMethods.get(authMethod);
    if (!method) throw badRequest(`cannot find auth method with name ${JSON.stringify(authMethod)}`);
    let blank;
    try {
      blank = (await validators.get(method)).blankIdentity();
    } catch (err) {
      if (err instanceof AuthMethodError) throw badRequest(err.message);
      throw err;
    }
    const selector = str(b, 'Selector');
    if (selector !== '') {
      try {
        compileFilter(selector);
      } catch (err) {
        const inner = err instanceof HttpError ? err.message.replace(/^Failed to create boolean expression evaluator: /, '') : (err as Error).message;
        throw badRequest(`invalid Binding Rule: Selector is invalid: ${inner}`);
      }
    }
    const bindType = str(b, 'BindType');
    const bindName = str(b, 'BindName');
    if (bindType === '') throw badRequest('Invalid Binding Rule: no BindType is set');
    if (bindName === '') throw badRequest('Invalid Binding Rule: no BindName is set');
    if (!(BIND_TYPES as readonly string[]).includes(bindType)) throw badRequest(`Invalid Binding Rule: unknown BindType ${JSON.stringify(bindType)}`);
    const vars = b.BindVars as { Name?: string } | undefined;
    const rule: NewRule = {
      ID: id, Description: str(b, 'Description'), AuthMethod: authMethod, Selector: selector, BindType: bindType, BindName: bindName,
      ...(vars ? { BindVars: { Name: vars.Name ?? '' } } : {}),
    };
    const invalid = checkBindName(rule, blank.projected.keys());
    if (invalid !== undefined) throw badRequest(invalid === '' ? 'Invalid Binding Rule: invalid BindName or BindVars' : `Invalid Binding Rule: invalid BindName or BindVars: ${invalid}`);
    return { rule, create };
  }

  async function putRule(req: FastifyRequest, urlId: string): Promise<Obj> {
    await d.guard(req, 'write');
    const b = decodeBody(req, BINDING_RULE_SCHEMA, 'BindingRule decoding failed: ', rewordUnknownEnterpriseField);
    const bodyId = str(b, 'ID');
    if (bodyId !== '' && bodyId !== urlId) throw badRequest('BindingRule ID in URL and payload do not match');
    b.ID = urlId;
    const { rule, create } = await ruleFrom(b);
    await d.apply({ Type: 'ACLBindingRuleSet', BindingRule: rule, CreateOnly: create });
    return showRule(store().bindingRules.get(rule.ID)!);
  }

  crudEndpoints(app, d, {
    path: '/v1/acl/binding-rule', param: 'id', what: 'binding rule',
    find: (id) => store().bindingRules.get(id), show: showRule, put: putRule,
    remove: (id) => ({ Type: 'ACLBindingRuleDelete', ID: id }),
  });
  endpoint(app, '/v1/acl/binding-rules', {
    GET: async (req, reply) => {
      await d.guard(req, 'read');
      const method = (req.query as Record<string, string | undefined>).authmethod ?? '';
      d.meta(reply);
      const rules = [...store().bindingRules.values()].filter((r) => method === '' || r.AuthMethod === method).sort((a, b) => (a.ID < b.ID ? -1 : 1));
      return sendJson(req, reply, rules.map(showRule));
    },
  });
}
