// Reads and writes of the replicated state are answered by the Raft leader, as Consul's servers
// forward RPCs: a follower sends the HTTP request itself over agent RPC (`HTTP.Forward`) and the
// leader executes it as if asked there, so blocking queries, X-Consul-Index and error texts are
// the leader's own. `?stale` reads are answered by any server from its own state. On the leader,
// default reads first check the leader lease and `?consistent` reads confirm leadership with a
// ReadIndex round, so a deposed leader cannot answer from a stale state.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error.js';
import { parseQueryOptions } from '../http/query-options.js';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import type { ClusterRole, ForwardCall } from './role.js';

/** The endpoints that read or write the replicated state. */
const STATE_PREFIXES = ['/v1/catalog/', '/v1/health/', '/v1/kv/', '/v1/session/', '/v1/txn', '/v1/snapshot', '/v1/coordinate/', '/v1/query', '/v1/acl/', '/v1/internal/', '/v1/operator/raft/', '/v1/operator/autopilot/', '/v1/operator/usage'];
/** Marks a request a server executes for another (it is never forwarded again). */
export const FORWARDED_HEADER = 'x-proconsul-forwarded';
const HOP_HEADERS = new Set(['content-length', 'connection', 'transfer-encoding', 'keep-alive', 'date']);
/** What a forwarded request may take beyond a blocking query's wait. */
const FORWARD_MARGIN_MS = 30_000;

export function isStateEndpoint(path: string): boolean {
  return STATE_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

/** Installs the forwarding and read-barrier hook on a server's HTTP app. */
export function installForwarding(app: FastifyInstance, cluster: ClusterRole, datacenter: string, forwardedOnly: boolean): void {
  app.addHook('preHandler', async (req, reply) => {
    const path = req.url.split('?')[0]!.replace(/\/{2,}/g, '/');
    if (!isStateEndpoint(path)) return;
    const query = req.query as Record<string, unknown>;
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (cluster.server) {
      if (read && query.stale !== undefined) return;
      const node = cluster.node();
      // Only the app behind agent RPC trusts the mark: from a listener it is a client's header.
      if ((forwardedOnly && req.headers[FORWARDED_HEADER]) || node?.isLeader()) {
        if (read) await cluster.readBarrier(query.consistent !== undefined ? 'safe' : 'lease');
        return;
      }
    }
    const res = await cluster.forward(toForwarded(req), forwardTimeoutMs(req, datacenter));
    return sendForwarded(reply, res);
  });
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

/** Replies that carry a leader's answer: its meta headers are the leader's and stay so. */
export const forwardedReplies = new WeakSet<FastifyReply>();

function sendForwarded(reply: FastifyReply, res: ForwardedResponse): FastifyReply {
  forwardedReplies.add(reply);
  for (const [k, v] of Object.entries(res.headers)) if (!HOP_HEADERS.has(k)) reply.header(k, v);
  return reply.code(res.status).serializer((p: unknown) => p as string).send(Buffer.from(res.body));
}

/** A blocking query may wait `?wait` (with Consul's jitter of wait/16) before its answer comes back. */
function forwardTimeoutMs(req: FastifyRequest, datacenter: string): number {
  try {
    const o = parseQueryOptions(req, datacenter);
    return o.index > 0 ? o.waitMs + o.waitMs / 16 + FORWARD_MARGIN_MS : FORWARD_MARGIN_MS;
  } catch {
    return FORWARD_MARGIN_MS; // the leader answers the bad query with its 400
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
