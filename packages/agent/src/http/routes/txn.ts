// PUT /v1/txn: KV, Node, Service and Check operations applied all or nothing (200), or rolled
// back with every failing op listed (409). Read-only transactions skip the log.
import type { FastifyInstance } from 'fastify';
import { Catalog } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { HttpError } from '../http-error.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { sendJson, setQueryMeta } from '../respond.js';
import { parseTxnOps } from '../txn-ops.js';

function txnTooLarge(length: number, max: number): HttpError {
  return new HttpError(
    413,
    `Request body(${length} bytes) too large, max size: ${max} bytes. See https://www.consul.io/docs/agent/config/config-files#txn_max_req_len.`,
  );
}

export async function txnRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const { kvMaxValueSize, txnMaxReqLen } = ctx.config.limits;
  // Consul's convertOps: txn_max_req_len, raised to kv_max_value_size when that is larger.
  const bodyMax = Math.max(txnMaxReqLen, kvMaxValueSize);
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.method === 'PUT' && req.url.replace(/\/+/g, '/').startsWith('/v1/txn')) {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > bodyMax) return done(txnTooLarge(length, bodyMax));
    }
    done();
  });

  endpoint(
    app,
    '/v1/txn',
    {
      PUT: async (req, reply) => {
        checkDatacenter(req.query as Query, ctx.config.datacenter);
        const ops = parseTxnOps(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), kvMaxValueSize);
        if (Catalog.isReadOnlyTxn(ops)) {
          const r = ctx.catalog.readTxn(ops);
          setQueryMeta(reply, r.index);
          if (r.response.Errors) reply.code(409);
          return sendJson(req, reply, r.response);
        }
        const { result: r, index } = await ctx.applier.applyIndexed({ Type: 'Txn', Ops: ops, Now: ctx.now() });
        if (!r.txn) throw new HttpError(500, r.error ?? 'transaction failed');
        setQueryMeta(reply, index);
        if (r.txn.Errors) reply.code(409);
        return sendJson(req, reply, r.txn);
      },
    },
    { bodyLimit: bodyMax },
  );
}
