/**
 * POST /v1/agent/connect/authorize as Consul 1.17 answers it (agent/agent_endpoint.go
 * AgentConnectAuthorize over agent/connect_auth.go ConnectAuthorize): may the client whose
 * certificate carries `ClientCertURI` connect to `Target`? The token needs service:write on the
 * target; the target's intentions come from the agent cache's intention match (Consul's
 * IntentionMatch cache type: the first call fetches GET /v1/connect/intentions/match through
 * this agent's own forwarding, then a blocking query keeps it fresh and later calls are hits)
 * and are matched against the client's service; L7 intentions deny; no match leaves the
 * default of the token's ACLs.
 * As in Consul 1.17, the trust domain of the URI is not compared with this cluster's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { endpoint } from '../http/endpoint.js';
import { refuseEnterpriseMeta } from '../http/enterprise-meta.js';
import type { StructSchema } from '../http/decode-struct.js';
import { decodeBody } from '../acl/auth-method-deps.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { requestToken } from '../http/query-options.js';
import { sendJson } from '../http/respond.js';
import { CertUriError, parseCertUri } from './spiffe.js';
import type { Intention } from './intentions/intention.js';
import { deniedOn, intentionDefaultAllow, requestAuthz } from './intentions/intention-acl.js';
import { authorizeDecision } from './intentions/match.js';
import { NO_CACHE_CONTROL } from '../cache/cache-control.js';

const AUTHORIZE_SCHEMA: StructSchema = {
  name: 'structs.ConnectAuthorizeRequest',
  fields: { Target: 'string', ClientCertURI: 'string', ClientCertSerial: 'string', Namespace: 'string', Partition: 'string' },
};

/** An authorize body is three short strings. */
const AUTHORIZE_BODY_BYTES_MAX = 16 * 1024;

export function agentConnectAuthorizeRoutes(app: FastifyInstance, ctx: AgentContext): void {
  /** The target's intentions, as the leader matches them with the caller's token, from the agent cache. */
  async function intentionsFor(target: string, token: string, reply: FastifyReply): Promise<Intention[]> {
    const { cachedGet } = await import('../cache/http-cache.js');
    const { result } = await cachedGet(
      app,
      ctx,
      { typeName: 'intention-match', path: '/v1/connect/intentions/match', query: `by=destination&name=${encodeURIComponent(target)}`, token },
      { minIndex: 0, timeoutMs: 0, cc: NO_CACHE_CONTROL },
    );
    if (result.error instanceof Error) throw result.error;
    if (result.error) throw new HttpError(result.error.status, Buffer.from(result.error.body).toString('utf8'));
    // agent_endpoint.go AgentConnectAuthorize: setCacheMeta.
    reply.header('X-Cache', result.hit ? 'HIT' : 'MISS');
    if (result.hit) reply.header('Age', String(Math.round(result.ageMs / 1000)));
    const out = JSON.parse(Buffer.from(result.value!.body).toString('utf8')) as Record<string, Intention[]>;
    return out[target] ?? [];
  }

  endpoint(
    app,
    '/v1/agent/connect/authorize',
    {
      POST: async (req, reply) => {
        refuseEnterpriseMeta(req); // agent_endpoint.go AgentConnectAuthorize: before the body
        const b = decodeBody(req, AUTHORIZE_SCHEMA, 'Request decode failed: ');
        const target = typeof b.Target === 'string' ? b.Target : '';
        if (target === '') throw badRequest('Target service must be specified');
        let uri;
        try {
          uri = parseCertUri(typeof b.ClientCertURI === 'string' ? b.ClientCertURI : '');
        } catch (err) {
          if (err instanceof CertUriError) throw badRequest('ClientCertURI not a valid Connect identifier');
          throw err;
        }
        if (uri.kind !== 'service') throw badRequest('ClientCertURI not a valid Service identifier');
        const a = await requestAuthz(ctx, req);
        if (a.enabled && !a.authz.allowed('service', target, 'write')) {
          throw deniedOn(a, { resource: 'service', need: 'write', name: target });
        }
        // Consul 1.17 answers a client of another partition without looking at intentions.
        if (uri.partition !== undefined && uri.partition !== 'default') {
          return sendJson(req, reply, { Authorized: false, Reason: `Mismatched partitions: ${JSON.stringify(uri.partition)} != "default"` });
        }
        const intentions = await intentionsFor(target, requestToken(req), reply);
        return sendJson(req, reply, authorizeDecision(intentions, uri.service, intentionDefaultAllow(a), uri.namespace));
      },
    },
    { bodyLimit: AUTHORIZE_BODY_BYTES_MAX },
  );
}
