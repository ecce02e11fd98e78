/**
 * POST /v1/agent/connect/authorize as Consul 1.17 answers it (agent/agent_endpoint.go
 * AgentConnectAuthorize over agent/connect_auth.go ConnectAuthorize): may the client whose
 * certificate carries `ClientCertURI` connect to `Target`? The token needs service:write on the
 * target; the target's intentions (GET /v1/connect/intentions/match, answered by the leader
 * through this agent's own forwarding, so it works on client agents) are matched against the
 * client's service; L7 intentions deny; no match leaves the default of the token's ACLs.
 * As in Consul 1.17, the trust domain of the URI is not compared with this cluster's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { endpoint } from '../http/endpoint.js';
import type { StructSchema } from '../http/decode-struct.js';
import { decodeBody } from '../acl/auth-method-deps.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { requestToken } from '../http/query-options.js';
import { sendJson } from '../http/respond.js';
import { CertUriError, parseCertUri } from './spiffe.js';
import type { Intention } from './intentions/intention.js';
import { deniedOn, intentionDefaultAllow, requestAuthz } from './intentions/intention-acl.js';
import { authorizeDecision } from './intentions/match.js';

const AUTHORIZE_SCHEMA: StructSchema = {
  name: 'structs.ConnectAuthorizeRequest',
  fields: { Target: 'string', ClientCertURI: 'string', ClientCertSerial: 'string', Namespace: 'string', Partition: 'string' },
};

/** An authorize body is three short strings. */
const AUTHORIZE_BODY_BYTES_MAX = 16 * 1024;

export function agentConnectAuthorizeRoutes(app: FastifyInstance, ctx: AgentContext): void {
  /** The target's intentions, as the leader matches them with the caller's token (Consul's IntentionMatch cache-type fetch). */
  async function intentionsFor(target: string, token: string): Promise<Intention[]> {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/connect/intentions/match?by=destination&name=${encodeURIComponent(target)}`,
      headers: token ? { 'x-consul-token': token } : {},
    });
    if (res.statusCode !== 200) throw new HttpError(res.statusCode, res.body);
    const out = JSON.parse(res.body) as Record<string, Intention[]>;
    return out[target] ?? [];
  }

  endpoint(
    app,
    '/v1/agent/connect/authorize',
    {
      POST: async (req, reply) => {
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
        const intentions = await intentionsFor(target, requestToken(req));
        reply.header('X-Cache', 'MISS');
        return sendJson(req, reply, authorizeDecision(intentions, uri.service, intentionDefaultAllow(a), uri.namespace));
      },
    },
    { bodyLimit: AUTHORIZE_BODY_BYTES_MAX },
  );
}
