/**
 * The /v1/acl/* endpoints in Consul's shapes (agent/acl_endpoint.go): bootstrap, tokens,
 * policies and roles, stored through the catalog's log (ACL* commands), and the templated
 * policies (templated-policy-routes.ts). Reads need `acl:read`, writes `acl:write`;
 * token/self needs only a valid token. The lists answer blocking queries (`?index=`).
 *
 * In a secondary datacenter (datacenters.ts), as Consul's ACL endpoints: writes of policies,
 * roles and global tokens are answered by the primary datacenter; without local tokens (no
 * token replication) every token read and write is; bootstrap is refused.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ACL_WATCH_KEY, type AclLink, type AclPolicyRecord, type AclRoleRecord, type AclTemplatedPolicy, type AclTokenRecord, type Command } from '@proconsul/catalog';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerFromDatacenter } from '../cluster/forward.js';
import { blockingQuery } from '../http/blocking.js';
import { parseQueryOptions } from '../http/query-options.js';
import type { AgentContext } from '../context.js';
import { decodeJson, isPlainObject } from '../http/decode.js';
import { endpoint } from '../http/endpoint.js';
import { refuseAuthMethodNamespace, refuseEnterpriseMeta } from '../http/enterprise-meta.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { sendJson, setQueryMeta } from '../http/respond.js';
import { permissionDenied, requestIdentity } from './enforce.js';
import { AclRulesError } from './errors.js';
import {
  ANONYMOUS_TOKEN_ID,
  ANONYMOUS_TOKEN_SECRET,
  GLOBAL_MANAGEMENT_POLICY_ID,
  GLOBAL_MANAGEMENT_POLICY_NAME,
  GLOBAL_MANAGEMENT_RULES,
  IDENTITY_NAME,
} from './identities.js';
import { AGENT_TOKEN_TYPES, setAgentToken } from './agent-tokens.js';
import { fileBootstrapResetIndex, removeBootstrapResetFile } from './bootstrap-reset.js';
import type { IdentityResolver } from './resolver.js';
import { parseRules } from './rules.js';
import { dedupeTemplatedPolicies, TEMPLATED_POLICIES, validateVariables } from './templated-policies.js';
import { templatedPolicyRoutes } from './templated-policy-routes.js';
import { authMethodRoutes } from './auth-method-routes.js';
import type { AclRouteDeps } from './auth-method-deps.js';
import { ValidatorCache } from './auth-method/validators.js';
import { loginRoutes } from './login-routes.js';
import { uniqueServiceIdentities } from './unique-identities.js';
import { inPrimaryDatacenter, localTokensEnabled } from './datacenters.js';
import { replicationRoutes } from './replication-routes.js';

type Obj = Record<string, unknown>;
type NewToken = Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;

const POLICY_NAME = /^[A-Za-z0-9\-_]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Bound on the links and identities of one token or role. */
const LINKS_MAX = 256;

const aclDisabled = (): HttpError => new HttpError(401, 'ACL support disabled');
/** Consul's texts (agent/consul/acl_endpoint.go). */
const LOCAL_TOKENS_DISABLED = 'Local tokens are disabled';

function hash(o: object): string {
  return createHash('sha256').update(JSON.stringify(o)).digest('base64');
}

/**
 * A templated policy as Consul's server marshals it (structs.ACLTemplatedPolicy): every field
 * `omitempty`, and the variable under its JSON name `name`.
 */
function showTemplated(tp: AclTemplatedPolicy): Obj {
  const out: Obj = {};
  if (tp.TemplateID) out.TemplateID = tp.TemplateID;
  if (tp.TemplateName) out.TemplateName = tp.TemplateName;
  if (tp.TemplateVariables) out.TemplateVariables = tp.TemplateVariables.Name !== '' ? { name: tp.TemplateVariables.Name } : {};
  if (tp.Datacenters?.length) out.Datacenters = tp.Datacenters;
  return out;
}

/** Consul omits empty link lists, identities and templated policies (`omitempty`). */
function showToken(t: AclTokenRecord, redact = false): Obj {
  const out: Obj = { AccessorID: t.AccessorID, SecretID: redact ? '<hidden>' : t.SecretID, Description: t.Description };
  if (t.Policies.length) out.Policies = t.Policies;
  if (t.Roles.length) out.Roles = t.Roles;
  if (t.ServiceIdentities.length) out.ServiceIdentities = t.ServiceIdentities;
  if (t.NodeIdentities.length) out.NodeIdentities = t.NodeIdentities;
  if (t.TemplatedPolicies?.length) out.TemplatedPolicies = t.TemplatedPolicies.map(showTemplated);
  out.Local = t.Local;
  if (t.AuthMethod) out.AuthMethod = t.AuthMethod;
  if (t.ExpirationTime) out.ExpirationTime = t.ExpirationTime;
  out.CreateTime = t.CreateTime;
  out.Hash = t.Hash;
  out.CreateIndex = t.CreateIndex;
  out.ModifyIndex = t.ModifyIndex;
  return out;
}

function showRole(r: AclRoleRecord): Obj {
  const out: Obj = { ID: r.ID, Name: r.Name, Description: r.Description };
  if (r.Policies.length) out.Policies = r.Policies;
  if (r.ServiceIdentities.length) out.ServiceIdentities = r.ServiceIdentities;
  if (r.NodeIdentities.length) out.NodeIdentities = r.NodeIdentities;
  if (r.TemplatedPolicies?.length) out.TemplatedPolicies = r.TemplatedPolicies.map(showTemplated);
  return { ...out, Hash: r.Hash, CreateIndex: r.CreateIndex, ModifyIndex: r.ModifyIndex };
}

function showPolicy(p: AclPolicyRecord, stub = false): Obj {
  const out: Obj = { ID: p.ID, Name: p.Name, Description: p.Description };
  if (!stub) out.Rules = p.Rules;
  if (p.Datacenters.length) out.Datacenters = p.Datacenters;
  return { ...out, Hash: p.Hash, CreateIndex: p.CreateIndex, ModifyIndex: p.ModifyIndex };
}

function str(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest(`${what} decoding failed: json: cannot unmarshal ${typeof v} into Go struct field .${key} of type string`);
  return v;
}

function list(o: Obj, key: string, what: string): Obj[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(isPlainObject)) throw badRequest(`${what} decoding failed: ${key} must be a list of objects`);
  if (v.length > LINKS_MAX) throw badRequest(`Invalid ${what}: more than ${LINKS_MAX} ${key}`);
  return v;
}

function body(req: FastifyRequest, what: string, optional = false): Obj {
  const b = decodeJson(req.body, { optional });
  if (optional && b === undefined) return {};
  if (!isPlainObject(b)) throw badRequest(`${what} decoding failed: expected a JSON object`);
  return b;
}

export async function aclRoutes(app: FastifyInstance, { ctx, resolver }: { ctx: AgentContext; resolver: IdentityResolver }): Promise<void> {
  const store = (): AgentContext['catalog']['acl'] => ctx.catalog.acl;
  let builtins: Promise<void> | undefined;
  const placement = { datacenter: ctx.config.datacenter, primaryDatacenter: ctx.config.primaryDatacenter };
  const inPrimary = inPrimaryDatacenter(placement);
  /** Read at each request: PUT /v1/agent/token/replication may set the replication token. */
  const localTokens = (): boolean => localTokensEnabled(placement, ctx.config.acl);

  /** The primary datacenter answers this request (ACLs on first, as Consul's aclPreCheck). */
  function viaPrimary(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    if (!resolver.enabled) throw aclDisabled();
    return answerFromDatacenter(ctx.cluster, placement.primaryDatacenter, req, reply, ctx.config.queryTimes);
  }

  /** A token write names its locality in the body: global ones are the primary's (Consul's TokenSet). */
  function tokenWriteElsewhere(req: FastifyRequest): boolean {
    if (inPrimary) return false;
    const local = body(req, 'Token', true).Local === true;
    if (!local) return true;
    if (!localTokens()) throw badRequest(LOCAL_TOKENS_DISABLED);
    return false;
  }

  /** Blocks a list read until the ACL tables move past `?index` (or the wait runs out). */
  async function listMeta(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const opts = parseQueryOptions(req, ctx.config.datacenter, ctx.config.queryTimes);
    if (opts.index > 0) await blockingQuery(reply, opts, (_w, signal) => ctx.catalog.watch([ACL_WATCH_KEY], signal), () => ({ index: store().index, value: null }));
    meta(reply);
  }

  /**
   * Consul's leader creates these in the primary datacenter: global-management, the anonymous
   * token, the configured initial management token. A secondary gets them by replication.
   */
  async function ensureBuiltins(): Promise<void> {
    if (!inPrimary) return;
    const s = store();
    const cmds: Command[] = [];
    if (!s.policies.has(GLOBAL_MANAGEMENT_POLICY_ID)) {
      const p = { ID: GLOBAL_MANAGEMENT_POLICY_ID, Name: GLOBAL_MANAGEMENT_POLICY_NAME, Description: 'Builtin Policy that grants unlimited access', Rules: GLOBAL_MANAGEMENT_RULES, Datacenters: [] };
      cmds.push({ Type: 'ACLPolicySet', Policy: { ...p, Hash: hash(p) } });
    }
    if (!s.tokens.has(ANONYMOUS_TOKEN_ID)) {
      cmds.push({ Type: 'ACLTokenSet', Token: newToken({ AccessorID: ANONYMOUS_TOKEN_ID, SecretID: ANONYMOUS_TOKEN_SECRET, Description: 'Anonymous Token' }) });
    }
    const initial = ctx.config.acl.tokens.initialManagement;
    if (initial !== '' && !s.tokensBySecret.has(initial)) {
      const t = newToken({ SecretID: initial, Description: 'Initial Management Token', Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID, Name: GLOBAL_MANAGEMENT_POLICY_NAME }] });
      cmds.push(s.bootstrapIndex === 0 ? { Type: 'ACLBootstrap', Token: t } : { Type: 'ACLTokenSet', Token: t });
    }
    if (cmds.length > 0) await ctx.applier.apply({ Type: 'Batch', Commands: cmds });
  }

  function newToken(t: Partial<NewToken>): NewToken {
    const base: NewToken = {
      AccessorID: t.AccessorID ?? randomUUID(),
      SecretID: t.SecretID ?? randomUUID(),
      Description: t.Description ?? '',
      Policies: t.Policies ?? [],
      Roles: t.Roles ?? [],
      ServiceIdentities: t.ServiceIdentities ?? [],
      NodeIdentities: t.NodeIdentities ?? [],
      ...(t.TemplatedPolicies?.length ? { TemplatedPolicies: t.TemplatedPolicies } : {}),
      Local: t.Local ?? false,
      CreateTime: t.CreateTime ?? new Date(ctx.now()).toISOString(),
      Hash: '',
      ...(t.AuthMethod ? { AuthMethod: t.AuthMethod } : {}),
      ...(t.ExpirationTime ? { ExpirationTime: t.ExpirationTime } : {}),
    };
    const { Hash: _h, CreateTime: _c, ...content } = base;
    return { ...base, Hash: hash(content) };
  }

  /**
   * guard for the endpoints that acl_endpoint.go scopes to a namespace (parseEntMeta after the
   * disabled check, before the RPC's permission check): CE refuses a namespace or partition.
   */
  async function scopedGuard(req: FastifyRequest, level: 'read' | 'write'): Promise<void> {
    if (!resolver.enabled) throw aclDisabled();
    refuseEnterpriseMeta(req);
    return guard(req, level);
  }

  /** Enabled ACLs, the builtins in place, and the permission asked for. */
  async function guard(req: FastifyRequest, level: 'read' | 'write' | 'any'): Promise<void> {
    if (!resolver.enabled) throw aclDisabled();
    // The builtins live in the servers' state; a client (PUT /v1/agent/token) has none to make.
    if (ctx.cluster.server) {
      builtins ??= ensureBuiltins().finally(() => (builtins = undefined));
      await builtins;
    }
    const id = await requestIdentity(req, resolver);
    if (level !== 'any' && !id.authz.allowedSingle('acl', level)) throw permissionDenied(id, { resource: 'acl', need: level });
  }

  async function apply(cmd: Command): Promise<void> {
    const r = await ctx.applier.apply(cmd);
    if (!r.ok) throw badRequest(r.error ?? 'apply failed');
  }

  /** A link named twice (by ID or by name) is kept once, as Consul's server keeps it. */
  const uniqueLinks = (links: AclLink[]): AclLink[] => [...new Map(links.map((l) => [l.ID, l])).values()];

  function policyLinks(raw: Obj[]): AclLink[] {
    return uniqueLinks(
      raw.map((l) => {
        const id = str(l, 'ID', 'Token');
        const name = str(l, 'Name', 'Token');
        const p = id !== '' ? store().policies.get(id) : store().policyByName(name);
        if (!p) throw badRequest(id !== '' ? `cannot find policy ${id}` : `cannot find policy ${JSON.stringify(name)}`);
        return { ID: p.ID, Name: p.Name };
      }),
    );
  }

  function roleLinks(raw: Obj[]): AclLink[] {
    return uniqueLinks(
      raw.map((l) => {
        const id = str(l, 'ID', 'Token');
        const name = str(l, 'Name', 'Token');
        const r = id !== '' ? store().roles.get(id) : store().roleByName(name);
        if (!r) throw badRequest(id !== '' ? `cannot find role ${id}` : `cannot find role ${JSON.stringify(name)}`);
        return { ID: r.ID, Name: r.Name };
      }),
    );
  }

  function identities(b: Obj, what: string): Pick<NewToken, 'ServiceIdentities' | 'NodeIdentities'> {
    const services = list(b, 'ServiceIdentities', what).map((s) => {
      const name = str(s, 'ServiceName', what);
      if (!IDENTITY_NAME.test(name)) throw badRequest(`Service identity "${name}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed.`);
      const dcs = s.Datacenters;
      return Array.isArray(dcs) && dcs.length ? { ServiceName: name, Datacenters: dcs.map(String) } : { ServiceName: name };
    });
    const NodeIdentities = list(b, 'NodeIdentities', what).map((n) => {
      const name = str(n, 'NodeName', what);
      const dc = str(n, 'Datacenter', what);
      if (!IDENTITY_NAME.test(name)) throw badRequest(`Node identity "${name}" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed.`);
      if (dc === '') throw badRequest(`Node identity is missing the datacenter field on this token`);
      return { NodeName: name, Datacenter: dc };
    });
    return { ServiceIdentities: uniqueServiceIdentities(services), NodeIdentities };
  }

  /**
   * A token's or role's TemplatedPolicies, decoded as Go decodes them (the variable's key in any
   * case), checked against their templates with Consul's texts (the token writer's and RoleSet's),
   * each given its template's ID, and deduplicated as Consul's server does.
   */
  function templatedPolicies(b: Obj, what: 'Token' | 'Role'): AclTemplatedPolicy[] {
    const decoded = list(b, 'TemplatedPolicies', what).map((raw): AclTemplatedPolicy => {
      const name = str(raw, 'TemplateName', what);
      const v = raw.TemplateVariables;
      let vars: AclTemplatedPolicy['TemplateVariables'];
      if (v !== undefined && v !== null) {
        if (!isPlainObject(v)) throw badRequest(`${what} decoding failed: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field .TemplateVariables of type structs.ACLTemplatedPolicyVariables`);
        const key = Object.keys(v).find((k) => k === 'name') ?? Object.keys(v).find((k) => k.toLowerCase() === 'name');
        vars = { Name: key === undefined ? '' : str(v, key, what) };
      }
      const dcs = raw.Datacenters;
      if (dcs !== undefined && dcs !== null && (!Array.isArray(dcs) || !dcs.every((d) => typeof d === 'string'))) {
        throw badRequest(`${what} decoding failed: Datacenters must be a list of strings`);
      }
      return { TemplateID: '', TemplateName: name, ...(vars ? { TemplateVariables: vars } : {}), ...(Array.isArray(dcs) && dcs.length ? { Datacenters: dcs as string[] } : {}) };
    });
    const on = what === 'Token' ? 'token' : 'role';
    for (const tp of decoded) {
      if (tp.TemplateName === '') throw badRequest(`templated policy is missing the template name field on this ${on}`);
      const base = TEMPLATED_POLICIES.get(tp.TemplateName);
      if (!base) {
        throw badRequest(what === 'Token' ? `no such ACL templated policy with Name ${JSON.stringify(tp.TemplateName)}` : `templated policy with an invalid templated name: ${tp.TemplateName} for this role`);
      }
      tp.TemplateID = base.TemplateID;
      const invalid = validateVariables(base, tp.TemplateVariables);
      if (invalid) {
        throw badRequest(what === 'Token' ? `validation error for templated policy ${JSON.stringify(tp.TemplateName)}: ${invalid}` : `encountered role with invalid templated policy: ${invalid}`);
      }
    }
    return dedupeTemplatedPolicies(decoded);
  }

  function tokenFrom(b: Obj, existing: AclTokenRecord | undefined): NewToken {
    const accessor = str(b, 'AccessorID', 'Token');
    const secret = str(b, 'SecretID', 'Token');
    if (accessor !== '' && !UUID.test(accessor)) throw badRequest('Invalid Token: AccessorID is not a valid UUID');
    if (secret !== '' && !UUID.test(secret) && existing === undefined) throw badRequest('Invalid Token: SecretID is not a valid UUID');
    if (existing && secret !== '' && secret !== existing.SecretID) throw badRequest('Changing a tokens SecretID is not permitted');
    if (b.Local !== undefined && typeof b.Local !== 'boolean') throw badRequest('Token decoding failed: json: cannot unmarshal into Go struct field .Local of type bool');
    let ExpirationTime: string | undefined;
    const ttl = b.ExpirationTTL;
    if (ttl !== undefined && !existing) {
      const m = typeof ttl === 'string' ? /^(\d+)(ms|s|m|h)$/.exec(ttl) : null;
      if (!m) throw badRequest('Token decoding failed: invalid ExpirationTTL');
      const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
      if (ms < 60_000 || ms > 24 * 3_600_000) throw badRequest('Token Expiration TTL must be between 1m0s and 24h0m0s');
      ExpirationTime = new Date(ctx.now() + ms).toISOString();
    }
    const authMethod = str(b, 'AuthMethod', 'Token');
    if (!existing && authMethod !== '') throw badRequest('AuthMethod field is disallowed outside of login');
    if (existing && authMethod !== '' && authMethod !== (existing.AuthMethod ?? '')) throw badRequest(`Cannot change AuthMethod of ${existing.AccessorID}`);
    return newToken({
      AccessorID: existing?.AccessorID ?? (accessor || undefined),
      ...(existing?.AuthMethod ? { AuthMethod: existing.AuthMethod } : {}),
      SecretID: existing?.SecretID ?? (secret || undefined),
      Description: str(b, 'Description', 'Token'),
      Policies: policyLinks(list(b, 'Policies', 'Token')),
      Roles: roleLinks(list(b, 'Roles', 'Token')),
      ...identities(b, 'Token'),
      TemplatedPolicies: templatedPolicies(b, 'Token'),
      Local: b.Local === true,
      CreateTime: existing?.CreateTime,
      ExpirationTime: existing?.ExpirationTime ?? ExpirationTime,
    });
  }

  const meta = (reply: Parameters<typeof setQueryMeta>[0]): void => setQueryMeta(reply, store().index);

  endpoint(app, '/v1/acl/bootstrap', {
    PUT: async (req, reply) => {
      // Consul's BootstrapTokens answers acl.ErrDisabled outside the primary datacenter.
      if (!resolver.enabled || !inPrimary) throw aclDisabled();
      builtins ??= ensureBuiltins().finally(() => (builtins = undefined));
      await builtins;
      // Checked before the log, as Consul's server does, so repeated attempts cost no entry.
      const resetIdx = store().bootstrapIndex;
      let ResetIndex: number | undefined;
      if (resetIdx !== 0) {
        ResetIndex = fileBootstrapResetIndex(ctx.config.dataDir, ctx.log.acl);
        if (ResetIndex === 0) throw new HttpError(403, `Permission denied: ACL bootstrap no longer allowed (reset index: ${resetIdx})`);
        if (ResetIndex !== resetIdx) throw new HttpError(500, `Invalid bootstrap reset index (specified ${ResetIndex}, reset index: ${resetIdx})`);
        removeBootstrapResetFile(ctx.config.dataDir, ctx.log.acl);
      }
      const t = newToken({ Description: 'Bootstrap Token (Global Management)', Policies: [{ ID: GLOBAL_MANAGEMENT_POLICY_ID, Name: GLOBAL_MANAGEMENT_POLICY_NAME }] });
      const r = await ctx.applier.apply({ Type: 'ACLBootstrap', Token: t, ...(ResetIndex !== undefined ? { ResetIndex } : {}) });
      if (!r.ok) throw new HttpError(403, `Permission denied: ${r.error ?? ''}`);
      ctx.log.acl.info('ACL bootstrap completed');
      const saved = store().tokens.get(t.AccessorID)!;
      return sendJson(req, reply, { ID: saved.SecretID, ...showToken(saved) });
    },
  });

  // ---- the agent's own tokens (Consul: acl:write)
  endpoint(app, '/v1/agent/token/:type', {
    PUT: async (req, reply) => {
      await guard(req, 'write');
      const type = (req.params as { type: string }).type;
      const key = AGENT_TOKEN_TYPES[type];
      if (!key) throw notFound(`Token ${JSON.stringify(type)} is unknown`);
      const b = body(req, 'Token');
      const token = str(b, 'Token', 'Token');
      try {
        setAgentToken(ctx.config.acl, ctx.config.dataDir, key, token);
      } catch (err) {
        throw new HttpError(500, `Failed to persist tokens - ${(err as Error).message}`);
      }
      resolver.invalidate();
      ctx.log.agent.info({ type }, 'Updated agent ACL token');
      ctx.tokensChanged();
      return reply.send();
    },
  });

  // ---- tokens
  endpoint(app, '/v1/acl/token/self', {
    GET: async (req, reply) => {
      if (!localTokens()) return viaPrimary(req, reply);
      await guard(req, 'any');
      const id = await requestIdentity(req, resolver);
      const t = store().tokens.get(id.accessorId);
      if (!t) throw notFound('Supplied token does not exist');
      meta(reply);
      return sendJson(req, reply, showToken(t));
    },
  });
  endpoint(app, '/v1/acl/token', {
    PUT: async (req, reply) => {
      if (tokenWriteElsewhere(req)) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const t = tokenFrom(body(req, 'Token'), undefined);
      if (store().tokens.has(t.AccessorID)) throw badRequest('Invalid Token: AccessorID is already in use');
      await apply({ Type: 'ACLTokenSet', Token: t, CreateOnly: true });
      return sendJson(req, reply, showToken(store().tokens.get(t.AccessorID)!));
    },
  });
  endpoint(app, '/v1/acl/token/:id', {
    GET: async (req, reply) => {
      if (!localTokens()) return viaPrimary(req, reply);
      await scopedGuard(req, 'read');
      const t = store().tokens.get((req.params as { id: string }).id);
      if (!t) throw notFound('Requested token does not exist: ACL not found');
      meta(reply);
      return sendJson(req, reply, showToken(t, !(await requestIdentity(req, resolver)).authz.allowedSingle('acl', 'write')));
    },
    PUT: async (req, reply) => {
      if (tokenWriteElsewhere(req)) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const id = (req.params as { id: string }).id;
      const b = body(req, 'Token');
      const accessor = str(b, 'AccessorID', 'Token');
      if (accessor !== '' && accessor !== id) throw badRequest('Token Accessor ID in URL and payload do not match');
      const existing = store().tokens.get(id);
      if (!existing) throw badRequest(`Cannot find token ${JSON.stringify(id)}`);
      const t = tokenFrom(b, existing);
      await apply({ Type: 'ACLTokenSet', Token: t });
      return sendJson(req, reply, showToken(store().tokens.get(id)!));
    },
    DELETE: async (req, reply) => {
      const id = (req.params as { id: string }).id;
      // Consul's TokenDelete: a global token, or one not here, is deleted in the primary.
      if (!localTokens() || (!inPrimary && !store().tokens.get(id)?.Local)) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      if (id === ANONYMOUS_TOKEN_ID) throw badRequest('Delete operation not permitted on the anonymous token');
      if (!store().tokens.has(id)) throw notFound('Cannot find token to delete');
      await apply({ Type: 'ACLTokenDelete', AccessorID: id });
      return sendJson(req, reply, true);
    },
  });
  // Consul's TokenClone: a new accessor and secret with the original's links, locality and
  // expiry; the body's Description replaces the original's when given.
  endpoint(app, '/v1/acl/token/:id/clone', {
    PUT: async (req, reply) => {
      const original = store().tokens.get((req.params as { id: string }).id);
      // Consul's TokenClone: a global token is cloned in the primary.
      if (!localTokens() || (!inPrimary && original && !original.Local)) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      if (!original) throw new HttpError(403, 'ACL not found');
      if (original.AuthMethod) throw badRequest('Cannot clone a token created from an auth method');
      // An empty body is fine (Consul ignores EOF here).
      const description = str(body(req, 'Token', true), 'Description', 'Token');
      const t = newToken({
        Description: description !== '' ? description : original.Description,
        Policies: original.Policies,
        Roles: original.Roles,
        ServiceIdentities: original.ServiceIdentities,
        NodeIdentities: original.NodeIdentities,
        ...(original.TemplatedPolicies ? { TemplatedPolicies: original.TemplatedPolicies } : {}),
        Local: original.Local,
        ...(original.ExpirationTime ? { ExpirationTime: original.ExpirationTime } : {}),
      });
      await apply({ Type: 'ACLTokenSet', Token: t, CreateOnly: true });
      return sendJson(req, reply, showToken(store().tokens.get(t.AccessorID)!));
    },
  });
  endpoint(app, '/v1/acl/tokens', {
    GET: async (req, reply) => {
      if (!localTokens()) return viaPrimary(req, reply);
      await scopedGuard(req, 'read');
      refuseAuthMethodNamespace(req); // ACLTokenList: parseACLAuthMethodEnterpriseMeta
      const redact = !(await requestIdentity(req, resolver)).authz.allowedSingle('acl', 'write');
      const q = req.query as Record<string, string | undefined>;
      await listMeta(req, reply);
      let tokens = [...store().tokens.values()].sort((a, b) => (a.AccessorID < b.AccessorID ? -1 : 1));
      if (q.policy) tokens = tokens.filter((t) => t.Policies.some((p) => p.ID === q.policy));
      if (q.role) tokens = tokens.filter((t) => t.Roles.some((r) => r.ID === q.role));
      if (q.authmethod) tokens = tokens.filter((t) => t.AuthMethod === q.authmethod);
      return sendJson(req, reply, tokens.map((t) => ({ ...showToken(t, redact), Legacy: false })));
    },
  });

  // ---- policies
  function policyFrom(b: Obj, id: string): Omit<AclPolicyRecord, 'CreateIndex' | 'ModifyIndex'> {
    const name = str(b, 'Name', 'Policy');
    if (!POLICY_NAME.test(name)) throw badRequest(`Invalid Policy: invalid Name ${JSON.stringify(name)}`);
    const rules = str(b, 'Rules', 'Policy');
    try {
      parseRules(rules);
    } catch (err) {
      if (err instanceof AclRulesError) throw badRequest(`Invalid Policy: ${err.message}`);
      throw err;
    }
    const dcs = b.Datacenters;
    if (dcs !== undefined && dcs !== null && (!Array.isArray(dcs) || !dcs.every((d) => typeof d === 'string'))) throw badRequest('Policy decoding failed: Datacenters must be a list of strings');
    const p = { ID: id, Name: name, Description: str(b, 'Description', 'Policy'), Rules: rules, Datacenters: (dcs as string[] | undefined) ?? [] };
    return { ...p, Hash: hash({ ...p, ID: undefined }) };
  }

  endpoint(app, '/v1/acl/policy', {
    PUT: async (req, reply) => {
      if (!inPrimary) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const b = body(req, 'Policy');
      if (str(b, 'ID', 'Policy') !== '') throw badRequest('Cannot specify the ID when creating a new policy');
      const p = policyFrom(b, randomUUID());
      await apply({ Type: 'ACLPolicySet', Policy: p, CreateOnly: true });
      return sendJson(req, reply, showPolicy(store().policies.get(p.ID)!));
    },
  });
  endpoint(app, '/v1/acl/policy/:id', {
    GET: async (req, reply) => {
      await scopedGuard(req, 'read');
      const p = store().policies.get((req.params as { id: string }).id);
      if (!p) throw notFound('Requested policy does not exist: ACL not found');
      meta(reply);
      return sendJson(req, reply, showPolicy(p));
    },
    PUT: async (req, reply) => {
      if (!inPrimary) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const id = (req.params as { id: string }).id;
      const b = body(req, 'Policy');
      const bodyId = str(b, 'ID', 'Policy');
      if (bodyId !== '' && bodyId !== id) throw badRequest('Policy ID in URL and payload do not match');
      if (!store().policies.has(id)) throw badRequest(`Cannot find policy ${JSON.stringify(id)}`);
      const p = policyFrom(b, id);
      if (id === GLOBAL_MANAGEMENT_POLICY_ID && p.Rules !== store().policies.get(id)!.Rules) {
        throw badRequest('Changing the Rules for the builtin global-management policy is not permitted');
      }
      await apply({ Type: 'ACLPolicySet', Policy: p });
      return sendJson(req, reply, showPolicy(store().policies.get(id)!));
    },
    DELETE: async (req, reply) => {
      if (!inPrimary) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const id = (req.params as { id: string }).id;
      if (id === GLOBAL_MANAGEMENT_POLICY_ID) throw badRequest('Delete operation not permitted on the builtin global-management policy');
      if (!store().policies.has(id)) throw notFound('Cannot find policy to delete');
      await apply({ Type: 'ACLPolicyDelete', ID: id });
      return sendJson(req, reply, true);
    },
  });
  endpoint(app, '/v1/acl/policy/name/:name', {
    GET: async (req, reply) => {
      await scopedGuard(req, 'read');
      const p = store().policyByName((req.params as { name: string }).name);
      if (!p) throw notFound('Requested policy does not exist: ACL not found');
      meta(reply);
      return sendJson(req, reply, showPolicy(p));
    },
  });
  endpoint(app, '/v1/acl/policies', {
    GET: async (req, reply) => {
      await scopedGuard(req, 'read');
      await listMeta(req, reply);
      return sendJson(req, reply, [...store().policies.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)).map((p) => showPolicy(p, true)));
    },
  });

  // ---- roles
  function roleFrom(b: Obj, id: string): Omit<AclRoleRecord, 'CreateIndex' | 'ModifyIndex'> {
    const name = str(b, 'Name', 'Role');
    if (!/^[A-Za-z0-9\-_]{1,256}$/.test(name)) throw badRequest(`Invalid Role: invalid Name ${JSON.stringify(name)}`);
    const description = str(b, 'Description', 'Role');
    const Policies = policyLinks(list(b, 'Policies', 'Role'));
    const ids = identities(b, 'Role');
    const templated = templatedPolicies(b, 'Role');
    const r = { ID: id, Name: name, Description: description, Policies, ...ids, ...(templated.length ? { TemplatedPolicies: templated } : {}) };
    return { ...r, Hash: hash({ ...r, ID: undefined }) };
  }

  endpoint(app, '/v1/acl/role', {
    PUT: async (req, reply) => {
      if (!inPrimary) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const b = body(req, 'Role');
      if (str(b, 'ID', 'Role') !== '') throw badRequest('Cannot specify the ID when creating a new role');
      const r = roleFrom(b, randomUUID());
      await apply({ Type: 'ACLRoleSet', Role: r, CreateOnly: true });
      return sendJson(req, reply, showRole(store().roles.get(r.ID)!));
    },
  });
  endpoint(app, '/v1/acl/role/:id', {
    GET: async (req, reply) => {
      await scopedGuard(req, 'read');
      const r = store().roles.get((req.params as { id: string }).id);
      if (!r) throw notFound('Requested role does not exist: ACL not found');
      meta(reply);
      return sendJson(req, reply, showRole(r));
    },
    PUT: async (req, reply) => {
      if (!inPrimary) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const id = (req.params as { id: string }).id;
      const b = body(req, 'Role');
      const bodyId = str(b, 'ID', 'Role');
      if (bodyId !== '' && bodyId !== id) throw badRequest('Role ID in URL and payload do not match');
      if (!store().roles.has(id)) throw badRequest(`Cannot find role ${JSON.stringify(id)}`);
      await apply({ Type: 'ACLRoleSet', Role: roleFrom(b, id) });
      return sendJson(req, reply, showRole(store().roles.get(id)!));
    },
    DELETE: async (req, reply) => {
      if (!inPrimary) return viaPrimary(req, reply);
      await scopedGuard(req, 'write');
      const id = (req.params as { id: string }).id;
      if (!store().roles.has(id)) throw notFound('Cannot find role to delete');
      await apply({ Type: 'ACLRoleDelete', ID: id });
      return sendJson(req, reply, true);
    },
  });
  endpoint(app, '/v1/acl/role/name/:name', {
    GET: async (req, reply) => {
      await scopedGuard(req, 'read');
      const r = store().roleByName((req.params as { name: string }).name);
      if (!r) throw notFound('Requested role does not exist: ACL not found');
      meta(reply);
      return sendJson(req, reply, showRole(r));
    },
  });
  endpoint(app, '/v1/acl/roles', {
    GET: async (req, reply) => {
      await scopedGuard(req, 'read');
      await listMeta(req, reply);
      return sendJson(req, reply, [...store().roles.values()].sort((a, b) => (a.ID < b.ID ? -1 : 1)).map(showRole));
    },
  });

  templatedPolicyRoutes(app, (req) => guard(req, 'read'));
  // Auth methods, binding rules, login and logout need local tokens (Consul's
  // errAuthMethodsRequireTokenReplication; a 400 here, Consul's 500).
  const authMethodsUsable = (): void => {
    if (!localTokens()) throw badRequest('Token replication is required for auth methods to function');
  };
  const deps: AclRouteDeps = {
    ctx, apply, meta, newToken, showToken: (t) => showToken(t), inPrimary, viaPrimary,
    guard: async (req, level) => {
      if (!resolver.enabled) throw aclDisabled();
      refuseEnterpriseMeta(req); // auth methods and binding rules: parseEntMeta, as above
      authMethodsUsable();
      return guard(req, level);
    },
    enabled: () => {
      if (!resolver.enabled) throw aclDisabled();
      authMethodsUsable();
    },
  };
  const validators = new ValidatorCache();
  authMethodRoutes(app, deps, validators);
  loginRoutes(app, deps, validators);
  replicationRoutes(app, ctx, resolver);
}
