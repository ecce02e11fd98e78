/**
 * Consul 1.17's /v1/acl/templated-polic* endpoints (agent/acl_endpoint.go): list the built-in
 * templated policies, read one by name, and preview the policy one renders for given
 * variables. All need `acl:read`; none reads the state store (the templates are built in).
 * A template name holds a slash (`builtin/service`), so the name is the rest of the path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeJson, goSyntaxError, isPlainObject } from '../http/decode.js';
import { endpoint } from '../http/endpoint.js';
import { badRequest } from '../http/http-error.js';
import { sendJson } from '../http/respond.js';
import { syntheticPolicy, TEMPLATED_POLICIES, validateVariables, type TemplatedPolicyBase } from './templated-policies.js';

/** api.ACLTemplatedPolicyResponse as Consul 1.17 answers it. */
const show = (b: TemplatedPolicyBase): Record<string, string> => ({ TemplateName: b.TemplateName, Schema: b.Schema, Template: b.Template });

/** The template named by the rest of the URL; Consul's 400s for none and for an unknown one. */
function named(req: FastifyRequest, unknown: (name: string) => string): TemplatedPolicyBase {
  const name = (req.params as { '*': string })['*'] ?? '';
  if (name === '') throw badRequest('Missing templated policy Name');
  const base = TEMPLATED_POLICIES.get(name);
  if (!base) throw badRequest(unknown(name));
  return base;
}

/** The preview's body: the template's variables (structs.ACLTemplatedPolicyVariables), the key in any case. */
function variables(req: FastifyRequest): { Name: string } {
  let body: unknown;
  try {
    body = decodeJson(req.body, { optional: true });
  } catch {
    const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let reason = 'EOF';
    try {
      JSON.parse(text);
    } catch (err) {
      reason = goSyntaxError(text, err as Error);
    }
    throw badRequest(`Failed to decode request body: ${reason}`);
  }
  if (body === undefined || body === null) return { Name: '' };
  if (!isPlainObject(body)) {
    throw badRequest(`Failed to decode request body: json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type structs.ACLTemplatedPolicyVariables`);
  }
  const key = Object.keys(body).find((k) => k === 'name') ?? Object.keys(body).find((k) => k.toLowerCase() === 'name');
  const v = key === undefined ? '' : body[key];
  if (v === null) return { Name: '' };
  if (typeof v !== 'string') {
    throw badRequest(`Failed to decode request body: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field ACLTemplatedPolicyVariables.name of type string`);
  }
  return { Name: v };
}

export function templatedPolicyRoutes(app: FastifyInstance, guardRead: (req: FastifyRequest) => Promise<void>): void {
  endpoint(app, '/v1/acl/templated-policies', {
    GET: async (req, reply) => {
      await guardRead(req);
      return sendJson(req, reply, Object.fromEntries([...TEMPLATED_POLICIES].map(([name, b]) => [name, show(b)])));
    },
  });

  endpoint(app, '/v1/acl/templated-policy/name/*', {
    GET: async (req, reply) => {
      await guardRead(req);
      return sendJson(req, reply, show(named(req, (name) => `Invalid templated policy Name: ${name}`)));
    },
  });

  endpoint(app, '/v1/acl/templated-policy/preview/*', {
    POST: async (req, reply) => {
      await guardRead(req);
      const base = named(req, (name) => `templated policy ${JSON.stringify(name)} does not exist`);
      const vars = variables(req);
      const invalid = validateVariables(base, vars);
      if (invalid) throw badRequest(`validation error for templated policy: ${JSON.stringify(base.TemplateName)}: ${invalid}`);
      // structs.ACLPolicy as Go marshals it: no omitempty on Datacenters and Hash, RaftIndex last.
      return sendJson(req, reply, { ...syntheticPolicy({ TemplateName: base.TemplateName, TemplateVariables: vars }), CreateIndex: 0, ModifyIndex: 0 });
    },
  });
}
