/**
 * The intention and authorize routes in the ACL route table (acl/permissions.ts): they resolve
 * the token and check for themselves (intention-acl.ts), since what they need depends on the
 * stored intention (a by-ID write), on either end of it (reads) or on the answer (the default).
 */
import type { RouteAcl } from '../../acl/permissions.js';

export const INTENTION_ROUTE_ACLS: Record<string, RouteAcl> = {
  'GET /v1/connect/intentions': {},
  'POST /v1/connect/intentions': {},
  'GET /v1/connect/intentions/exact': {},
  'PUT /v1/connect/intentions/exact': {},
  'DELETE /v1/connect/intentions/exact': {},
  'GET /v1/connect/intentions/match': {},
  'GET /v1/connect/intentions/check': {},
  'GET /v1/connect/intentions/:id': {},
  'PUT /v1/connect/intentions/:id': {},
  'DELETE /v1/connect/intentions/:id': {},
  'POST /v1/agent/connect/authorize': {},
};
