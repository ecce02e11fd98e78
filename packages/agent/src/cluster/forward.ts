// Reads and writes of the replicated state are answered by the Raft leader, as Consul's servers
// forward RPCs: a follower sends the HTTP request itself over agent RPC (`HTTP.Forward`) and the
// leader executes it as if asked there, so blocking queries, X-Consul-Index and error texts are
// the leader's own. `?stale` reads are answered by any server from its own state, `?max_stale`
// ones (and, with discovery_max_stale, catalog and health reads without a mode) by any server
// heard from its leader within that time, else by the leader. On the leader,
// default reads first check the leader lease and `?consistent` reads confirm leadership with a
// ReadIndex round, so a deposed leader cannot answer from a stale state. A request for another
// datacenter (`?dc=`, or the `Datacenter` of a catalog register/deregister body) is sent before
// all that to a server of that datacenter (ClusterRole.forwardToDatacenter), which answers it as
// its own, blocking queries included.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error.js';
import type { QueryTimes } from '../config/index.js';
import { formatGoDuration } from '@proconsul/catalog';
import { discoveryStale, parseWaitAndConsistency, qs, requestToken, staleBoundMs, type Query } from '../http/query-options.js';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import type { ClusterRole, ForwardCall } from './role.js';

/** The endpoints that read or write the replicated state. */
const STATE_PREFIXES = ['/v1/catalog/', '/v1/health/', '/v1/kv/', '/v1/session/', '/v1/txn', '/v1/snapshot', '/v1/coordinate/', '/v1/query', '/v1/config/', '/v1/discovery-chain/', '/v1/acl/', '/v1/internal/', '/v1/operator/raft/', '/v1/operator/autopilot/', '/v1/operator/usage', '/v1/connect/', '/v1/peering/', '/v1/peerings', '/v1/exported-services'];
/** Marks a request a server executes for another (it is never forwarded again). */
export const FORWARDED_HEADER = 'x-proconsul-forwarded';
const HOP_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive', 'date']);
/** What a forwarded request may take beyond a blocking query's wait. */
const FORWARD_MARGIN_MS = 30_000;

/** Endpoints that take `?dc=` beyond the state ones (Consul's parseDC callers). */
const DC_PREFIXES = [...STATE_PREFIXES, '/v1/status/', '/v1/event/fire/'];
/** The one state endpoint that ignores `?dc=`: it lists every datacenter. */
const DATACENTERS_PATH = '/v1/catalog/datacenters';
/** Writes whose body names the datacenter (structs.RegisterRequest / DeregisterRequest). */
const BODY_DC_PATHS = new Set(['/v1/catalog/register', '/v1/catalog/deregister']);

function matches(prefixes: readonly string[], path: string): boolean {
  return prefixes.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

export function isStateEndpoint(path: string): boolean {
  return matches(STATE_PREFIXES, path);
}

/** The datacenter a request is for when it is not this one (undefined: answer here). */
export function remoteDatacenter(req: FastifyRequest, path: string, local: string): string | undefined {
  if (path === DATACENTERS_PATH || !matches(DC_PREFIXES, path)) return undefined;
  const dc = qs(req.query as Query, 'dc');
  if (dc) return dc === local ? undefined : dc;
  if (req.method === 'PUT' && BODY_DC_PATHS.has(path) && req.body instanceof Uint8Array) {
    const named = bodyDatacenter(req.body);
    if (named && named !== local) return named;
  }
  return undefined;
}

/** The top-level `Datacenter` of a JSON body (keys in any case, as Go decodes); a bad body is the handler's 400. */
function bodyDatacenter(body: Uint8Array): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const key = Object.keys(v).find((k) => k.toLowerCase() === 'datacenter');
    const dc = key === undefined ? undefined : (v as Record<string, unknown>)[key];
    return typeof dc === 'string' && dc !== '' ? dc : undefined;
  } catch {
    return undefined;
  }
}

export interface ForwardingOptions {
  datacenter: string;
  nodeName: string;
  /** Only the app behind agent RPC: it trusts the forwarded mark. */
  forwardedOnly: boolean;
  queryTimes: QueryTimes;
  /** discovery_max_stale in ms (0: off). */
  discoveryMaxStaleMs: number;
  /**
   * A client agent with ACLs: the token sent for a request that carries none, as Consul's
   * client fills in its own default token (else the server would apply its own).
   */
  defaultToken?: () => string;
}

/** Installs the forwarding and read-barrier hook on an agent's HTTP app. */
export function installForwarding(app: FastifyInstance, cluster: ClusterRole, o: ForwardingOptions): void {
  app.addHook('preHandler', async (req, reply) => {
    const path = req.url.split('?')[0]!.replace(/\/{2,}/g, '/');
    const query = req.query as Query;
    const read = req.method === 'GET' || req.method === 'HEAD';
    // The agent asked applies discovery_max_stale (Consul's parseConsistency), for the server too.
    let url = req.url;
    if (read && isStateEndpoint(path) && discoveryStale(query, path, o.discoveryMaxStaleMs)) {
      query.max_stale = formatGoDuration(o.discoveryMaxStaleMs);
      url = `${url}${url.includes('?') ? '&' : '?'}max_stale=${query.max_stale}`;
    }
    const forwarded = (): ForwardedRequest => {
      const fwd = withAgentDefaults({ ...toForwarded(req), url }, path, o.nodeName);
      if (o.defaultToken && requestToken(req) === '') fwd.headers['x-consul-token'] = o.defaultToken();
      return fwd;
    };
    const dc = remoteDatacenter(req, path, o.datacenter);
    if (dc !== undefined) return sendForwarded(reply, await cluster.forwardToDatacenter(dc, forwarded(), forwardTimeoutMs(req, o.queryTimes)));
    if (!isStateEndpoint(path)) return;
    if (cluster.server) {
      const node = cluster.node();
      const staleMs = read ? staleBoundMs(query) : undefined;
      if (staleMs !== undefined && (staleMs === Infinity || (node?.lastContactMs() ?? Infinity) <= staleMs)) return;
      // Only the app behind agent RPC trusts the mark: from a listener it is a client's header.
      if ((o.forwardedOnly && req.headers[FORWARDED_HEADER]) || node?.isLeader()) {
        if (read) await cluster.readBarrier(query.consistent !== undefined ? 'safe' : 'lease');
        return;
      }
    }
    const res = await cluster.forward(forwarded(), forwardTimeoutMs(req, o.queryTimes));
    return sendForwarded(reply, res);
  });
}

/**
 * Answers a request with what datacenter `dc` answers to it (its `?dc=` set to `dc`): the
 * writes a secondary datacenter passes to the primary (global ACL objects, as Consul's ACL
 * endpoints forward them).
 */
export async function answerFromDatacenter(cluster: ClusterRole, dc: string, req: FastifyRequest, reply: FastifyReply, queryTimes: QueryTimes): Promise<FastifyReply> {
  const fwd = toForwarded(req);
  // The mark of a request passed to this datacenter's leader is not the other datacenter's to trust.
  delete fwd.headers[FORWARDED_HEADER];
  return sendForwarded(reply, await cluster.forwardToDatacenter(dc, fwd, forwardTimeoutMs(req, queryTimes)));
}

function toForwarded(req: FastifyRequest): ForwardedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_HEADERS.has(k) || k === 'host') continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  const body = req.body instanceof Uint8Array ? req.body : undefined;
  return { method: req.method, url: req.url, headers, ...(body && body.length > 0 ? { body } : {}) };
}

/**
 * What the asked agent fills in before its RPC, as Consul's HTTP handlers do: a session created
 * without a `Node` belongs to this agent's node, not to the server that executes it.
 */
export function withAgentDefaults(req: ForwardedRequest, path: string, nodeName: string): ForwardedRequest {
  if (req.method !== 'PUT' || path !== '/v1/session/create') return req;
  const text = req.body ? Buffer.from(req.body).toString('utf8') : '';
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return req; // the executing server answers the bad body with Consul's 400
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return req;
  if (Object.keys(body).some((k) => k.toLowerCase() === 'node')) return req; // keys match in any case, as Go's decoder
  return { ...req, body: new Uint8Array(Buffer.from(JSON.stringify({ ...body, Node: nodeName }))) };
}

/** Replies that carry a leader's answer: its meta headers are the leader's and stay so. */
export const forwardedReplies = new WeakSet<FastifyReply>();

function sendForwarded(reply: FastifyReply, res: ForwardedResponse): FastifyReply {
  forwardedReplies.add(reply);
  for (const [k, v] of Object.entries(res.headers)) if (!HOP_HEADERS.has(k)) reply.header(k, v);
  return reply.code(res.status).serializer((p: unknown) => p as string).send(Buffer.from(res.body));
}

/** A blocking query may wait `?wait` (with Consul's jitter of wait/16) before its answer comes back. */
function forwardTimeoutMs(req: FastifyRequest, queryTimes: QueryTimes): number {
  try {
    const o = parseWaitAndConsistency(req.query as Query, queryTimes);
    return o.index > 0 ? o.waitMs + o.waitMs / 16 + FORWARD_MARGIN_MS : FORWARD_MARGIN_MS;
  } catch {
    return FORWARD_MARGIN_MS; // the server that answers sends the bad query its 400
  }
}

/** Executes a forwarded request on this server's app (the `HTTP.Forward` RPC). */
export async function executeForwarded(app: FastifyInstance, call: ForwardCall): Promise<ForwardedResponse> {
  const req = call.Request;
  const res = await app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: call.ToLeader ? { ...req.headers, [FORWARDED_HEADER]: '1' } : req.headers,
    ...(req.body ? { payload: Buffer.from(req.body) } : {}),
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined || HOP_HEADERS.has(k)) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return { status: res.statusCode, headers, body: res.rawPayload };
}
