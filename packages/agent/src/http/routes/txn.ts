// PUT /v1/txn: KV operations applied all or nothing (200), or rolled back with every failing
// op listed (409). Read-only transactions skip the log.
import type { FastifyInstance } from 'fastify';
import { Catalog, type TxnOp } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { decodeStruct, DecodeError } from '../decode-struct.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { sendJson, setQueryMeta } from '../respond.js';
import { parseUint64 } from './kv.js';
import { txnOpSchema } from '../schemas.js';
import { goBase64Error } from '../go-base64.js';

/** Consul's maxTxnOps. */
export const TXN_OPS_MAX = 128;

const BIG_FLAGS_RE = /(?<!\\)("flags"\s*:\s*)(\d{16,})/gi;
const U64_MARK = '\u0000u64:';

function txnFlags(v: unknown): number | bigint | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.startsWith(U64_MARK)) return parseUint64(v.slice(U64_MARK.length));
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const kind = typeof v === 'string' ? 'string' : typeof v === 'number' ? `number ${v}` : typeof v;
  throw badRequest(`Failed to parse body: json: cannot unmarshal ${kind} into Go struct field KVTxnOp.Flags of type uint64`);
}

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
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        let raw: unknown;
        try {
          // KV Flags are uint64: keep digits beyond 2^53 exact by reading them as text first.
          raw = JSON.parse(body.toString('utf8').replace(BIG_FLAGS_RE, (_m, pre: string, digits: string) => `${pre}"\\u0000u64:${digits}"`));
        } catch (err) {
          throw badRequest(`Failed to parse body: ${(err as Error).message}`);
        }
        if (!Array.isArray(raw)) throw badRequest('Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps');
        if (raw.length > TXN_OPS_MAX) {
          throw new HttpError(413, `Transaction contains too many operations (${raw.length} > ${TXN_OPS_MAX})`);
        }
        const ops: TxnOp[] = [];
        for (const item of raw) {
          let op;
          try {
            op = decodeStruct(item, txnOpSchema);
          } catch (err) {
            if (err instanceof DecodeError) throw badRequest(`Failed to parse body: ${err.message}`);
            throw err;
          }
          if (op.Node !== undefined || op.Service !== undefined || op.Check !== undefined) {
            throw badRequest('Node, Service and Check operations in transactions are not supported yet; only KV');
          }
          const kv = op.KV as TxnOp['KV'] | undefined;
          if (!kv) throw badRequest('Failed to parse body: each operation needs a KV object');
          if (kv.Value !== undefined && kv.Value !== null && typeof kv.Value !== 'string') {
            throw badRequest(`Failed to parse body: json: cannot unmarshal ${Array.isArray(kv.Value) ? 'array' : typeof kv.Value === 'boolean' ? 'bool' : typeof kv.Value} into Go struct field KVTxnOp.Value of type []uint8`);
          }
          const badValue = typeof kv.Value === 'string' ? goBase64Error(kv.Value) : undefined;
          if (badValue) throw badRequest(`Failed to parse body: ${badValue}`);
          if (typeof kv.Value === 'string' && Buffer.from(kv.Value, 'base64').length > kvMaxValueSize) {
            throw new HttpError(413, `Value for key "${kv.Key}" is too large (${Buffer.from(kv.Value, 'base64').length} > ${kvMaxValueSize} bytes)`);
          }
          kv.Flags = txnFlags(kv.Flags);
          ops.push({ KV: kv });
        }
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
