/**
 * What each HTTP route needs, in one table (Consul's per-endpoint ACL checks): a `check` that
 * runs before the handler and may deny, and a `filter` that drops from a list response what
 * the token may not read (lists are filtered, not refused). Keyed by method and route pattern.
 * A /v1 route missing from the table needs a management token: new endpoints fail closed.
 */
import type { FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import type { Authorizer, Need } from './authorizer.js';
import type { SegmentResource, SingleResource } from './rules.js';
import { INTENTION_ROUTE_ACLS } from '../connect/intentions/route-acls.js';

export interface Denial {
  resource: SegmentResource | SingleResource | 'intention';
  need: Need;
  name?: string;
}

export interface RouteAcl {
  check?: (a: Authorizer, req: FastifyRequest, ctx: AgentContext) => Denial | undefined;
  /** Per-op denials of a transaction (Consul answers them as a rolled-back txn, 409). */
  txn?: (a: Authorizer, req: FastifyRequest) => Array<{ opIndex: number; denial: Denial }>;
  /**
   * Returns the filtered body and whether anything was dropped (`changed`: rewritten without
   * dropping anything, e.g. a redacted token), or a Denial.
   */
  filter?: (body: unknown, a: Authorizer, req: FastifyRequest, ctx: AgentContext) => { value: unknown; filtered: boolean; changed?: boolean } | Denial;
}

type Obj = Record<string, unknown>;

const need = (a: Authorizer, resource: SegmentResource, name: string, level: Need): Denial | undefined =>
  a.allowed(resource, name, level) ? undefined : { resource, need: level, name };
const needSingle = (a: Authorizer, resource: SingleResource, level: 'read' | 'write'): Denial | undefined =>
  a.allowedSingle(resource, level) ? undefined : { resource, need: level };

const param = (req: FastifyRequest, name: string): string => String((req.params as Obj)[name] ?? '');
const hasQuery = (req: FastifyRequest, name: string): boolean => (req.query as Obj)[name] !== undefined;

/** The JSON request body (raw bytes here), keys lowercased one level as Consul decodes them. */
function body(req: FastifyRequest): Obj {
  if (!Buffer.isBuffer(req.body)) return {};
  try {
    const v: unknown = JSON.parse(req.body.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {};
  } catch {
    return {}; // the handler answers the decode error
  }
}

function field(o: unknown, name: string): unknown {
  if (o === null || typeof o !== 'object') return undefined;
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (o as Obj)[key];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function keep<T>(items: T[], ok: (item: T) => boolean): { value: T[]; filtered: boolean } {
  const value = items.filter(ok);
  return { value, filtered: value.length !== items.length };
}

/** Lists of objects filtered by a predicate; anything else passes through. */
function listFilter(ok: (a: Authorizer, item: Obj) => boolean): RouteAcl['filter'] {
  return (b, a) => (Array.isArray(b) ? keep(b as Obj[], (i) => ok(a, i)) : { value: b, filtered: false });
}

/** Maps (id -> object) filtered by a predicate on the value (or the key). */
function mapFilter(ok: (a: Authorizer, value: Obj, key: string) => boolean): RouteAcl['filter'] {
  return (b, a) => {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return { value: b, filtered: false };
    const entries = Object.entries(b as Obj);
    const kept = entries.filter(([k, v]) => ok(a, v as Obj, k));
    return { value: Object.fromEntries(kept), filtered: kept.length !== entries.length };
  };
}

/** A health check: its service's read for a service check, its node's for a node check. */
export const checkReadable = (a: Authorizer, c: Obj): boolean =>
  str(c.ServiceName) !== '' ? a.allowed('service', str(c.ServiceName), 'read') : a.allowed('node', str(c.Node), 'read');

/** Writes on a local check: its service's write, or the node's for a node check. */
function localCheckWrite(a: Authorizer, req: FastifyRequest, ctx: AgentContext): Denial | undefined {
  const check = ctx.local.check(param(req, '*'));
  const service = check?.ServiceName ?? '';
  return service !== '' ? need(a, 'service', service, 'write') : need(a, 'node', ctx.config.nodeName, 'write');
}

function localServiceWrite(a: Authorizer, req: FastifyRequest, ctx: AgentContext): Denial | undefined {
  const s = ctx.local.service(param(req, '*'));
  return s ? need(a, 'service', s.Service, 'write') : undefined; // unknown: the handler's 404
}

const agentRead = (a: Authorizer, _r: FastifyRequest, ctx: AgentContext): Denial | undefined => need(a, 'agent', ctx.config.nodeName, 'read');
const agentWrite = (a: Authorizer, _r: FastifyRequest, ctx: AgentContext): Denial | undefined => need(a, 'agent', ctx.config.nodeName, 'write');
const nodeWrite = (a: Authorizer, _r: FastifyRequest, ctx: AgentContext): Denial | undefined => need(a, 'node', ctx.config.nodeName, 'write');
/** PeeringRead/PeeringWrite: the peering rule, else the operator rule. */
const peering = (level: 'read' | 'write') => (a: Authorizer): Denial | undefined => (a.peeringAllowed(level) ? undefined : { resource: 'peering', need: level });
/** MeshRead: the mesh rule, else the operator rule. */
const mesh = (level: 'read' | 'write') => (a: Authorizer): Denial | undefined => (a.meshAllowed(level) ? undefined : { resource: 'mesh', need: level });
const single = (resource: SingleResource, level: 'read' | 'write') => (a: Authorizer): Denial | undefined => needSingle(a, resource, level);

/** KV verbs Consul checks for key:read before a txn runs; get verbs are filtered on output, the rest need key:write. */
const KV_READ_VERBS = new Set(['check-index', 'check-session']);
const KV_FILTERED_VERBS = new Set(['get', 'get-tree', 'get-or-empty']);

/**
 * A txn's ops, each checked as Consul's preCheck does (kvsPreApply, vetNodeTxnOp,
 * servicePreApply, vetCheckTxnOp): KV by key and verb, a Node op by node:write, a Service op
 * by service:write, a Check op by service:write for a service check and node:write otherwise.
 * Reads (KV get verbs, catalog get) are not checked here: `txnResults` filters what they return.
 */
function txnDenials(a: Authorizer, req: FastifyRequest): Array<{ opIndex: number; denial: Denial }> {
  let ops: unknown;
  try {
    ops = Buffer.isBuffer(req.body) ? JSON.parse(req.body.toString('utf8')) : undefined;
  } catch {
    return []; // the handler answers the decode error
  }
  if (!Array.isArray(ops)) return [];
  const out: Array<{ opIndex: number; denial: Denial }> = [];
  ops.forEach((op, opIndex) => {
    const kv = field(op, 'KV');
    const node = field(op, 'Node');
    const service = field(op, 'Service');
    const check = field(op, 'Check');
    let d: Denial | undefined;
    if (kv) {
      const verb = str(field(kv, 'Verb'));
      const key = str(field(kv, 'Key'));
      if (verb === 'delete-tree') d = a.keyWritePrefix(key) ? undefined : { resource: 'key', need: 'write', name: key };
      else if (!KV_FILTERED_VERBS.has(verb)) d = need(a, 'key', key, KV_READ_VERBS.has(verb) ? 'read' : 'write');
    } else if (node) {
      if (str(field(node, 'Verb')) !== 'get') d = need(a, 'node', str(field(field(node, 'Node'), 'Node')), 'write');
    } else if (service) {
      const s = field(service, 'Service');
      if (str(field(service, 'Verb')) !== 'get') d = need(a, 'service', str(field(s, 'Service')), 'write');
    } else if (check) {
      const c = field(check, 'Check');
      if (str(field(check, 'Verb')) === 'get') d = undefined;
      else if (str(field(c, 'ServiceID')) === '') d = need(a, 'node', str(field(c, 'Node')), 'write');
      else d = need(a, 'service', str(field(c, 'ServiceName')), 'write');
    }
    if (d) out.push({ opIndex, denial: d });
  });
  return out;
}

/** Consul's FilterTxnResults: each result kept only if the token may read what it shows. */
const txnResults: RouteAcl['filter'] = (b, a) => {
  const results = field(b, 'Results');
  if (!Array.isArray(results)) return { value: b, filtered: false };
  const readable = (r: Obj): boolean => {
    if (r.KV) return a.allowed('key', str(field(r.KV, 'Key')), 'read');
    if (r.Node) return a.allowed('node', str(field(r.Node, 'Node')), 'read');
    if (r.Service) return a.allowed('service', str(field(r.Service, 'Service')), 'read');
    if (r.Check) return checkReadable(a, r.Check as Obj);
    return true;
  };
  const kept = keep(results as Obj[], readable);
  return { value: { ...(b as Obj), Results: kept.value }, filtered: kept.filtered };
};

/** Consul: a service needs service:write, a service check too; a node or node check node:write. */
function catalogDeregister(a: Authorizer, req: FastifyRequest, ctx: AgentContext): Denial | undefined {
  const b = body(req);
  const node = str(field(b, 'Node'));
  const serviceId = str(field(b, 'ServiceID'));
  const checkId = str(field(b, 'CheckID'));
  let service = '';
  if (serviceId !== '') {
    const services = ctx.catalog.node(node).value?.Services ?? {};
    service = Object.values(services).find((s) => s.ID.toLowerCase() === serviceId.toLowerCase())?.Service ?? '';
  } else if (checkId !== '') {
    service = ctx.catalog.healthNode(node).value.find((c) => c.CheckID.toLowerCase() === checkId.toLowerCase())?.ServiceName ?? '';
  }
  return service !== '' ? need(a, 'service', service, 'write') : need(a, 'node', node, 'write');
}

function sessionWrite(a: Authorizer, req: FastifyRequest, ctx: AgentContext): Denial | undefined {
  const id = param(req, '*');
  const s = ctx.catalog.getSession(id);
  return s ? need(a, 'session', s.Node, 'write') : undefined;
}

const sessions = listFilter((a, s) => a.allowed('session', str(s.Node), 'read'));

/**
 * Prepared queries (Consul's GetACLPrefix and filterPreparedQueries): a query with a Name, or
 * any template, is governed by `query` rules on its name; one without is reachable only by its
 * ID (and listed only to management). Only management sees a query's Token.
 */
const queryPrefix = (q: unknown): string | undefined =>
  str(field(q, 'Name')) !== '' || str(field(field(q, 'Template'), 'Type')) !== '' ? str(field(q, 'Name')) : undefined;
const redacted = (q: Obj): Obj => (str(q.Token) !== '' ? { ...q, Token: '<hidden>' } : q);
const queryWrite = (a: Authorizer, q: unknown): Denial | undefined => {
  const prefix = queryPrefix(q);
  return prefix === undefined ? undefined : need(a, 'query', prefix, 'write');
};
/** The stored query a /v1/query/<id> write names (its URL), or undefined. */
const storedQuery = (req: FastifyRequest, ctx: AgentContext): unknown => ctx.catalog.preparedQueries.get(param(req, '*'));
const queryAction = (req: FastifyRequest): string => /\/(execute|explain)$/.exec(param(req, '*'))?.[1] ?? '';

function queryReadFilter(b: unknown, a: Authorizer, req: FastifyRequest): { value: unknown; filtered: boolean; changed?: boolean } | Denial {
  const action = queryAction(req);
  if (action === 'execute') return { value: b, filtered: false }; // filtered by the executor with the query's token
  const one = action === 'explain' ? field(b, 'Query') : Array.isArray(b) ? b[0] : undefined;
  if (one === undefined || one === null) return { value: b, filtered: false };
  const prefix = queryPrefix(one);
  // A get by ID of an unnamed query is allowed (the ID is the secret); an explain is not.
  if (prefix === undefined ? action === 'explain' : !a.allowed('query', prefix, 'read')) return { resource: 'query', need: 'read', name: prefix ?? '' };
  const value = action === 'explain' ? { ...(b as Obj), Query: redacted(one as Obj) } : [redacted(one as Obj)];
  return { value, filtered: false, changed: str((one as Obj).Token) !== '' };
}
const checks = listFilter(checkReadable);
/** catalog/service and catalog/connect entries: service and node read. */
const serviceNodes = listFilter((a, s) => a.allowed('service', str(s.ServiceName), 'read') && a.allowed('node', str(s.Node), 'read'));
/** health/service and health/connect entries: node and service read. */
const healthEntries = listFilter((a, e) => {
  const node = field(e, 'Node');
  const svc = field(e, 'Service');
  return a.allowed('node', str(field(node, 'Node')), 'read') && a.allowed('service', str(field(svc, 'Service')), 'read');
});

export const ROUTE_ACLS: Record<string, RouteAcl> = {
  ...INTENTION_ROUTE_ACLS,
  // agent
  'GET /v1/agent/self': { check: agentRead },
  'GET /v1/agent/members': { filter: listFilter((a, m) => a.allowed('node', str(m.Name), 'read')) },
  'GET /v1/agent/services': { filter: mapFilter((a, s) => a.allowed('service', str(s.Service), 'read')) },
  'GET /v1/agent/service/*': {
    filter: (b, a) => need(a, 'service', str(field(b, 'Service')), 'read') ?? { value: b, filtered: false },
  },
  'GET /v1/agent/health/service/id/*': {
    check: (a, req, ctx) => {
      const s = ctx.local.service(param(req, '*'));
      return s ? need(a, 'service', s.Service, 'read') : undefined;
    },
  },
  'GET /v1/agent/health/service/name/*': { check: (a, req) => need(a, 'service', param(req, '*'), 'read') },
  'GET /v1/agent/checks': { filter: mapFilter(checkReadable) },
  'PUT /v1/agent/service/register': { check: (a, req) => need(a, 'service', str(field(body(req), 'Name')), 'write') },
  'PUT /v1/agent/service/deregister/*': { check: localServiceWrite },
  'PUT /v1/agent/check/register': {
    check: (a, req, ctx) => {
      const sid = str(field(body(req), 'ServiceID'));
      const s = sid !== '' ? ctx.local.service(sid) : undefined;
      return s ? need(a, 'service', s.Service, 'write') : need(a, 'node', ctx.config.nodeName, 'write');
    },
  },
  'PUT /v1/agent/check/deregister/*': { check: localCheckWrite },
  'PUT /v1/agent/check/pass/*': { check: localCheckWrite },
  'PUT /v1/agent/check/warn/*': { check: localCheckWrite },
  'PUT /v1/agent/check/fail/*': { check: localCheckWrite },
  'PUT /v1/agent/check/update/*': { check: localCheckWrite },
  'PUT /v1/agent/maintenance': { check: nodeWrite },
  'PUT /v1/agent/service/maintenance/*': { check: localServiceWrite },
  'PUT /v1/agent/reload': { check: agentWrite },
  'GET /v1/agent/metrics': { check: agentRead },
  'GET /v1/agent/metrics/stream': { check: agentRead },
  'GET /v1/agent/monitor': { check: agentRead },
  'GET /v1/agent/version': {},
  'GET /v1/agent/host': { check: single('operator', 'read') },
  'PUT /v1/agent/join/*': { check: agentWrite },
  'PUT /v1/agent/leave': { check: agentWrite },
  'PUT /v1/agent/force-leave/*': { check: single('operator', 'write') },
  // catalog
  'PUT /v1/catalog/register': {
    check: (a, req) => {
      const b = body(req);
      const svc = str(field(field(b, 'Service'), 'Service'));
      return (svc !== '' ? need(a, 'service', svc, 'write') : undefined) ?? need(a, 'node', str(field(b, 'Node')), 'write');
    },
  },
  'PUT /v1/catalog/deregister': { check: catalogDeregister },
  'GET /v1/catalog/datacenters': {},
  'GET /v1/catalog/nodes': { filter: listFilter((a, n) => a.allowed('node', str(n.Node), 'read')) },
  'GET /v1/catalog/services': { filter: mapFilter((a, _v, name) => a.allowed('service', name, 'read')) },
  'GET /v1/catalog/service/:service': {
    filter: serviceNodes,
  },
  // Connect reads: service read on the destination (Consul's ServiceRead on args.ServiceName), then filtered as above.
  'GET /v1/catalog/connect/:service': {
    check: (a, req) => need(a, 'service', param(req, 'service'), 'read'),
    filter: serviceNodes,
  },
  // Gateway services: service read on the gateway, then each mapping's service (filterGatewayServices).
  'GET /v1/catalog/gateway-services/*': {
    check: (a, req) => need(a, 'service', param(req, '*'), 'read'),
    filter: listFilter((a, m) => a.allowed('service', str(field(field(m, 'Service'), 'Name')), 'read')),
  },
  'GET /v1/catalog/node/:node': {
    check: (a, req) => need(a, 'node', param(req, 'node'), 'read'),
    filter: (b, a) => {
      const services = field(b, 'Services');
      if (services === null || typeof services !== 'object') return { value: b, filtered: false };
      const kept = Object.entries(services as Obj).filter(([, s]) => a.allowed('service', str(field(s, 'Service')), 'read'));
      return { value: { ...(b as Obj), Services: Object.fromEntries(kept) }, filtered: kept.length !== Object.keys(services as Obj).length };
    },
  },
  'GET /v1/catalog/node-services/:node': {
    check: (a, req) => need(a, 'node', param(req, 'node'), 'read'),
    filter: (b, a) => {
      const services = field(b, 'Services');
      if (!Array.isArray(services)) return { value: b, filtered: false };
      const f = keep(services as Obj[], (s) => a.allowed('service', str(s.Service), 'read'));
      return { value: { ...(b as Obj), Services: f.value }, filtered: f.filtered };
    },
  },
  // health
  'GET /v1/health/node/:node': { filter: checks },
  'GET /v1/health/checks/:service': { filter: checks },
  'GET /v1/health/state/*': { filter: checks },
  'GET /v1/health/service/:service': {
    filter: healthEntries,
  },
  'GET /v1/health/connect/:service': {
    check: (a, req) => need(a, 'service', param(req, 'service'), 'read'),
    filter: healthEntries,
  },
  'GET /v1/health/ingress/:service': {
    check: (a, req) => need(a, 'service', param(req, 'service'), 'read'),
    filter: healthEntries,
  },
  // kv
  'GET /v1/kv/*': {
    check: (a, req) => (hasQuery(req, 'keys') || hasQuery(req, 'recurse') ? undefined : need(a, 'key', param(req, '*'), 'read')),
    filter: (b, a, req) => {
      if (!(hasQuery(req, 'keys') || hasQuery(req, 'recurse')) || !Array.isArray(b)) return { value: b, filtered: false };
      return keep(b as unknown[], (e) => a.allowed('key', typeof e === 'string' ? e : str(field(e, 'Key')), 'read'));
    },
  },
  'PUT /v1/kv/*': { check: (a, req) => need(a, 'key', param(req, '*'), 'write') },
  'DELETE /v1/kv/*': {
    check: (a, req) => {
      const key = param(req, '*');
      if (!hasQuery(req, 'recurse')) return need(a, 'key', key, 'write');
      return a.keyWritePrefix(key) ? undefined : { resource: 'key', need: 'write', name: key };
    },
  },
  'PUT /v1/txn': { txn: txnDenials, filter: txnResults },
  // session
  'PUT /v1/session/create': {
    check: (a, req, ctx) => need(a, 'session', str(field(body(req), 'Node')) || ctx.config.nodeName, 'write'),
  },
  'PUT /v1/session/destroy/*': { check: sessionWrite },
  'PUT /v1/session/renew/*': { check: sessionWrite },
  'GET /v1/session/info/*': { filter: sessions },
  'GET /v1/session/node/*': { filter: sessions },
  'GET /v1/session/list': { filter: sessions },
  // prepared query
  'GET /v1/query': {
    filter: (b, a) => {
      if (!Array.isArray(b)) return { value: b, filtered: false };
      const f = keep(b as Obj[], (q) => {
        const prefix = queryPrefix(q);
        return prefix !== undefined && a.allowed('query', prefix, 'read');
      });
      return { value: f.value.map(redacted), filtered: f.filtered, changed: f.value.some((q) => str(q.Token) !== '') };
    },
  },
  'POST /v1/query': { check: (a, req) => queryWrite(a, body(req)) },
  'PUT /v1/query/*': { check: (a, req, ctx) => (queryAction(req) !== '' ? undefined : queryWrite(a, body(req)) ?? queryWrite(a, storedQuery(req, ctx))) },
  'DELETE /v1/query/*': { check: (a, req, ctx) => (queryAction(req) !== '' ? undefined : queryWrite(a, storedQuery(req, ctx))) },
  'GET /v1/query/*': { filter: queryReadFilter },
  'POST /v1/internal/prepared-query/execute-remote': {},
  'PUT /v1/internal/service-virtual-ip': { check: (a, req) => need(a, 'service', str(field(body(req), 'Service')), 'write') },
  // event
  'PUT /v1/event/fire/*': { check: (a, req) => need(a, 'event', param(req, '*'), 'write') },
  'GET /v1/event/list': { filter: listFilter((a, e) => a.allowed('event', str(e.Name), 'read')) },
  // operator, status, snapshot
  'GET /v1/operator/keyring': { check: single('keyring', 'read') },
  'POST /v1/operator/keyring': { check: single('keyring', 'write') },
  'PUT /v1/operator/keyring': { check: single('keyring', 'write') },
  'DELETE /v1/operator/keyring': { check: single('keyring', 'write') },
  'GET /v1/operator/raft/configuration': { check: single('operator', 'read') },
  'DELETE /v1/operator/raft/peer': { check: single('operator', 'write') },
  'POST /v1/operator/raft/transfer-leader': { check: single('operator', 'write') },
  // PeeringRead/PeeringWrite: the peering rule, else operator (agent/rpc/peering/service.go).
  'POST /v1/peering/token': { check: peering('write') },
  'POST /v1/peering/establish': { check: peering('write') },
  'DELETE /v1/peering/:name': { check: peering('write') },
  'GET /v1/peering/:name': { check: peering('read') },
  'GET /v1/peerings': { check: peering('read') },
  // GetResolvedExportedServices: MeshReadAllowed (agent/grpc-external/services/configentry/server.go).
  'GET /v1/exported-services': { check: mesh('read') },
  'GET /v1/operator/autopilot/health': { check: single('operator', 'read') },
  'GET /v1/operator/autopilot/state': { check: single('operator', 'read') },
  'GET /v1/operator/autopilot/configuration': { check: single('operator', 'read') },
  'PUT /v1/operator/autopilot/configuration': { check: single('operator', 'write') },
  'GET /v1/operator/usage': { check: single('operator', 'read') },
  // Consul's Coordinate endpoints: the list is filtered by node:read, one node needs node:read,
  // an update node:write on the body's Node; the WAN datacenters list needs nothing.
  'GET /v1/coordinate/datacenters': {},
  'GET /v1/coordinate/nodes': { filter: listFilter((a, c) => a.allowed('node', str(c.Node), 'read')) },
  'GET /v1/coordinate/node/:node': { check: (a, req) => need(a, 'node', param(req, 'node'), 'read') },
  'PUT /v1/coordinate/update': { check: (a, req) => need(a, 'node', str(field(body(req), 'Node')), 'write') },
  // Connect CA (agent/consul/connect_ca_endpoint.go, agent/agent_endpoint.go): the roots are
  // public; the configuration needs operator:write to read too (it may hold the CA's private
  // key: ConfigurationGet checks OperatorWriteAllowed); a leaf needs service:write.
  'GET /v1/connect/ca/roots': {},
  'GET /v1/agent/connect/ca/roots': {},
  'GET /v1/connect/ca/configuration': { check: single('operator', 'write') },
  'PUT /v1/connect/ca/configuration': { check: single('operator', 'write') },
  'GET /v1/agent/connect/ca/leaf/*': { check: (a, req) => need(a, 'service', param(req, '*'), 'write') },
  // config entries: each kind's CanRead/CanWrite, checked by the handlers (config-entries/routes.ts)
  'PUT /v1/config': {},
  'GET /v1/config/*': {},
  'DELETE /v1/config/*': {},
  // DiscoveryChain.Get: service:read on the chain's name
  'GET /v1/discovery-chain/*': { check: (a, req) => need(a, 'service', param(req, '*'), 'read') },
  'POST /v1/discovery-chain/*': { check: (a, req) => need(a, 'service', param(req, '*'), 'read') },
  'GET /v1/status/leader': {},
  'GET /v1/status/peers': {},
  'GET /v1/snapshot': { check: single('acl', 'write') },
  'PUT /v1/snapshot': { check: single('acl', 'write') },
};

/** Routes that need a management token because nothing in the table describes them. */
export const UNLISTED_ROUTE: RouteAcl = { check: single('acl', 'write') };
