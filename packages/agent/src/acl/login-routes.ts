/**
 * POST /v1/acl/login and /v1/acl/logout (Consul's ACL.Login / ACL.Logout RPCs, 1.17 OSS). A
 * client agent forwards both to a server like every /v1/acl/* request, and a follower forwards
 * them to the leader, so the bearer token is validated on the leader. Login needs no token:
 * the auth method validates the bearer token, its binding rules bind the identity, and a token
 * is created with `AuthMethod` set, local unless the method's TokenLocality is "global", expiring
 * after the method's MaxTokenTTL. Logout deletes the request's token if a login created it.
 */
import { dedupeTemplatedPolicies } from './templated-policies.js';
import type { FastifyInstance } from 'fastify';
import type { StructSchema } from '../http/decode-struct.js';
import { endpoint } from '../http/endpoint.js';
import { refuseEnterpriseMeta, rewordUnknownEnterpriseField } from '../http/enterprise-meta.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { requestToken } from '../http/query-options.js';
import { sendJson } from '../http/respond.js';
import { bind, BindError, noBindings } from './auth-method/binder.js';
import { AuthMethodError } from './auth-method/identity.js';
import type { ValidatorCache } from './auth-method/validators.js';
import { decodeBody, type AclRouteDeps } from './auth-method-deps.js';
import { ANONYMOUS_TOKEN_SECRET } from './identities.js';
import { uniqueServiceIdentities } from './unique-identities.js';

const LOGIN_SCHEMA: StructSchema = {
  name: 'structs.ACLLoginParams',
  fields: { AuthMethod: 'string', BearerToken: 'string', Meta: 'stringMap' },
};
/** Bound on the login Meta copied into the token's description. */
const META_BYTES_MAX = 64 * 1024;

/** Go's json.Marshal of a map[string]string: keys sorted, <, > and & escaped. */
function goJson(meta: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.keys(meta).sort().map((k) => [k, meta[k]]));
  return JSON.stringify(sorted).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** auth.BuildTokenDescription. */
function tokenDescription(meta: Record<string, string> | undefined): string {
  const prefix = 'token created via login';
  return meta && Object.keys(meta).length > 0 ? `${prefix}: ${goJson(meta)}` : prefix;
}

export function loginRoutes(app: FastifyInstance, d: AclRouteDeps, validators: ValidatorCache): void {
  const store = (): AclRouteDeps['ctx']['catalog']['acl'] => d.ctx.catalog.acl;

  endpoint(app, '/v1/acl/login', {
    POST: async (req, reply) => {
      d.enabled();
      refuseEnterpriseMeta(req); // acl_endpoint.go ACLLogin: parseEntMeta before the body
      const b = decodeBody(req, LOGIN_SCHEMA, 'Failed to decode request body: ', rewordUnknownEnterpriseField);
      const meta = b.Meta as Record<string, string> | undefined;
      if (meta && JSON.stringify(meta).length > META_BYTES_MAX) throw badRequest(`Failed to decode request body: Meta larger than ${META_BYTES_MAX} bytes`);
      const method = store().authMethods.get(typeof b.AuthMethod === 'string' ? b.AuthMethod : '');
      if (!method) throw new HttpError(403, 'ACL not found');
      let bindings;
      try {
        const identity = await (await validators.get(method)).validateLogin(typeof b.BearerToken === 'string' ? b.BearerToken : '');
        bindings = bind(store(), method.Name, identity, d.ctx.config.datacenter);
      } catch (err) {
        if (err instanceof AuthMethodError || err instanceof BindError) throw badRequest(err.message);
        throw err;
      }
      if (noBindings(bindings)) throw new HttpError(403, 'Permission denied');
      const now = d.ctx.now();
      const token = d.newToken({
        Description: tokenDescription(meta),
        ServiceIdentities: uniqueServiceIdentities(bindings.ServiceIdentities),
        NodeIdentities: [...new Map(bindings.NodeIdentities.map((n) => [`${n.NodeName}\u0000${n.Datacenter}`, n])).values()],
        Roles: [...new Map(bindings.Roles.map((r) => [r.ID, r])).values()],
        TemplatedPolicies: dedupeTemplatedPolicies(bindings.TemplatedPolicies),
        Local: method.TokenLocality !== 'global',
        AuthMethod: method.Name,
        CreateTime: new Date(now).toISOString(),
        ...(method.MaxTokenTTL > 0 ? { ExpirationTime: new Date(now + method.MaxTokenTTL / 1e6).toISOString() } : {}),
      });
      await d.apply({ Type: 'ACLTokenSet', Token: token, CreateOnly: true });
      return sendJson(req, reply, d.showToken(store().tokens.get(token.AccessorID)!));
    },
  });

  endpoint(app, '/v1/acl/logout', {
    POST: async (req, reply) => {
      d.enabled();
      const secret = requestToken(req);
      // A client agent sends its default token (else anonymous) for a request without one.
      if (secret === '' || secret === ANONYMOUS_TOKEN_SECRET) throw new HttpError(401, 'Supplied token does not exist');
      const token = store().tokensBySecret.get(secret);
      if (!token) throw new HttpError(403, 'ACL not found');
      if (!token.AuthMethod) throw new HttpError(403, "Permission denied: token wasn't created via login");
      // Consul's Logout: a global token is deleted in the primary datacenter.
      if (!token.Local && !d.inPrimary) return d.viaPrimary(req, reply);
      await d.apply({ Type: 'ACLTokenDelete', AccessorID: token.AccessorID });
      return sendJson(req, reply, true);
    },
  });
}
