// What a Consul CE agent does with Enterprise scoping on a request (agent/http_ce.go): any
// namespace or partition, by query parameter or header, is a 400; "default" included. Every
// route whose Go handler calls parseEntMeta* or parseEntMetaPartition calls one of these once,
// at the step that handler does (a comment there names it); test/enterprise-meta.test.ts
// walks them all.
import type { FastifyRequest } from 'fastify';
import { badRequest } from './http-error.js';
import { qs, type Query } from './query-options.js';

/** http_ce.go parseEntMetaPartition: CE refuses a partition however it is named. */
export function refusePartition(req: FastifyRequest): void {
  if (req.headers['x-consul-partition']) throw badRequest('Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature');
  if (qs(req.query as Query, 'partition')) throw badRequest('Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature');
}

/** http_ce.go parseEntMeta (and parseEntMetaNoWildcard): a namespace first, then a partition. */
export function refuseEnterpriseMeta(req: FastifyRequest): void {
  if (req.headers['x-consul-namespace']) throw badRequest('Invalid header: "X-Consul-Namespace" - Namespaces are a Consul Enterprise feature');
  if (qs(req.query as Query, 'ns')) throw badRequest('Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature');
  refusePartition(req);
}

/**
 * http_ce.go rewordUnknownEnterpriseFieldError: where CE decodes a body that Enterprise gives a
 * namespace (catalog register/deregister, session create, ACL auth methods, binding rules and
 * login), a "Namespace" key is an unknown
 * field whose error says why. Other keys (and "Partition") keep Go's plain text.
 */
export function rewordUnknownEnterpriseField(message: string): string {
  return message === 'json: unknown field "Namespace"' ? `${message} - Namespaces are a Consul Enterprise feature` : message;
}

/** http_ce.go parseACLAuthMethodEnterpriseMeta: the token list's `?authmethod-ns`. */
export function refuseAuthMethodNamespace(req: FastifyRequest): void {
  if (qs(req.query as Query, 'authmethod-ns')) throw badRequest('Invalid query parameter: "authmethod-ns" - Namespaces are a Consul Enterprise feature');
}

const ENTERPRISE_FIELDS = new Set(['namespace', 'partition']);
const lowerKey = (o: Record<string, unknown>, names: string[]): unknown => {
  const k = Object.keys(o).find((key) => names.includes(key.toLowerCase()));
  return k === undefined ? undefined : o[k];
};

/**
 * A registration body's Enterprise key, if any: structs.ServiceDefinition decodes strictly
 * (its UnmarshalJSON calls lib.UnmarshalJSON) and CE's acl.EnterpriseMeta has no fields, so a
 * "Namespace" or "Partition" there, or in its sidecar_service, is Go's unknown-field error
 * (agent_endpoint.go AgentRegisterService does not reword it). Config files take them.
 */
export function enterpriseServiceField(def: Record<string, unknown>): string | undefined {
  const own = Object.keys(def).find((k) => ENTERPRISE_FIELDS.has(k.toLowerCase()));
  if (own !== undefined) return own;
  const connect = lowerKey(def, ['connect']);
  if (typeof connect !== 'object' || connect === null || Array.isArray(connect)) return undefined;
  const sidecar = lowerKey(connect as Record<string, unknown>, ['sidecarservice', 'sidecar_service']);
  return typeof sidecar === 'object' && sidecar !== null && !Array.isArray(sidecar) ? enterpriseServiceField(sidecar as Record<string, unknown>) : undefined;
}
