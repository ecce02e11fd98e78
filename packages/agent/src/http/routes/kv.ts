// /v1/kv/*: GET (recurse, keys, separator, raw), PUT (flags, cas, acquire, release) and
// DELETE (recurse, cas), with Consul's status codes (404 with an empty body for a miss) and
// its kv_max_value_size limit (512 KiB by default; 413).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateKVValueSize, type KVCommand } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { refuseEnterpriseMeta } from '../enterprise-meta.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, has, parseWaitAndConsistency, qs, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { sendJson } from '../respond.js';
import { applyOrFail } from './catalog.js';

/** Consul's 413 for a value over kv_max_value_size (its text is the catalog's). */
function tooLarge(length: number, max: number): HttpError {
  return new HttpError(413, validateKVValueSize(length, max)!);
}

const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Go's strconv.ParseUint(v, 10, 64), with Go's error text. A value beyond 2^53 - 1 comes back
 * as a bigint so it is kept exactly (Consul's lock clients write Flags = 3304740253564472344).
 */
export function parseUint64(v: string): number | bigint {
  if (!/^\d+$/.test(v)) throw badRequest(`strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > UINT64_MAX) throw badRequest(`strconv.ParseUint: parsing ${JSON.stringify(v)}: value out of range`);
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** ModifyIndex for ?cas: a log index, always a safe integer; beyond that nothing can match. */
function parseIndex(v: string): number {
  const n = parseUint64(v);
  return typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
}

function keyOf(req: FastifyRequest): string {
  return (req.params as { '*': string })['*'] ?? '';
}

function notFoundEmpty(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('');
}

export async function kvRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const dc = ctx.config.datacenter;
  const max = ctx.config.limits.kvMaxValueSize;

  // Refuse an oversized value from its Content-Length, before reading the body (Consul does).
  app.addHook('onRequest', (req, _reply, done) => {
    if (req.method === 'PUT' && req.url.replace(/\/+/g, '/').startsWith('/v1/kv/')) {
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > max) return done(tooLarge(length, max));
    }
    done();
  });

  endpoint(
    app,
    '/v1/kv/*',
    {
      // kvs_endpoint.go: KVSEndpoint parses the query options (s.parse) for every method, then
      // each method refuses a namespace or partition (http_ce.go) at its own step.
      GET: (req, reply) => {
        const query = req.query as Query;
        parseWaitAndConsistency(query, ctx.config.queryTimes);
        const key = keyOf(req);
        const keys = has(query, 'keys');
        const recurse = has(query, 'recurse');
        // KVSGet: a missing key before the namespace; KVSGetKeys: the namespace first.
        if (!keys && !recurse && key === '') throw badRequest('Missing key name');
        refuseEnterpriseMeta(req);
        if (keys) {
          const sep = qs(query, 'separator') ?? qs(query, 'seperator');
          return catalogRead(ctx, req, reply, () => ctx.catalog.kvKeys(key, sep || undefined), (r, _reply, send) =>
            r.value.length === 0 && key !== '' ? notFoundEmpty(reply) : send(r.value),
          );
        }
        if (recurse) {
          return catalogRead(ctx, req, reply, () => ctx.catalog.kvList(key), (r, _reply, send) =>
            r.value.length === 0 ? notFoundEmpty(reply) : send(r.value),
          );
        }
        return catalogRead(ctx, req, reply, () => ctx.catalog.kvGet(key), (r) => {
          if (!r.value) return notFoundEmpty(reply);
          if (has(query, 'raw')) {
            return reply
              .header('content-type', 'text/plain')
              .header('X-Content-Type-Options', 'nosniff')
              .header('Content-Security-Policy', 'sandbox')
              .send(r.value.Value === null ? Buffer.alloc(0) : Buffer.from(r.value.Value, 'base64'));
          }
          return sendJson(req, reply, [r.value]);
        });
      },

      PUT: async (req, reply) => {
        const query = req.query as Query;
        parseWaitAndConsistency(query, ctx.config.queryTimes);
        // KVSPut: the namespace first; an unknown datacenter is the RPC's error, after it.
        refuseEnterpriseMeta(req);
        checkDatacenter(query, dc);
        const key = keyOf(req);
        if (key === '') throw badRequest('Missing key name');
        const modes = ['cas', 'acquire', 'release'].filter((m) => has(query, m));
        if (modes.length > 1) throw badRequest(`Conflicting flags: ${req.url.slice(req.url.indexOf('?') + 1)}`);
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (body.length > max) throw tooLarge(body.length, max);
        const cmd: KVCommand = {
          Type: 'KV',
          Verb: 'set',
          Key: key,
          Value: body.length > 0 ? body.toString('base64') : null,
          Flags: has(query, 'flags') ? parseUint64(qs(query, 'flags') ?? '') : 0,
          Now: ctx.now(),
        };
        if (has(query, 'cas')) {
          cmd.Verb = 'cas';
          cmd.Index = parseIndex(qs(query, 'cas') ?? '');
        } else if (has(query, 'acquire')) {
          cmd.Verb = 'lock';
          cmd.Session = qs(query, 'acquire') ?? '';
        } else if (has(query, 'release')) {
          cmd.Verb = 'unlock';
          cmd.Session = qs(query, 'release') ?? '';
        }
        const { result } = await applyOrFail(ctx, cmd);
        return sendJson(req, reply, result.value ?? true);
      },

      DELETE: async (req, reply) => {
        const query = req.query as Query;
        parseWaitAndConsistency(query, ctx.config.queryTimes);
        refuseEnterpriseMeta(req); // KVSDelete
        checkDatacenter(query, dc);
        const key = keyOf(req);
        const recurse = has(query, 'recurse');
        const cas = has(query, 'cas');
        if (recurse && cas) throw badRequest(`Conflicting flags: ${req.url.slice(req.url.indexOf('?') + 1)}`);
        if (key === '' && !recurse) throw badRequest('Missing key name');
        const cmd: KVCommand = { Type: 'KV', Verb: recurse ? 'delete-tree' : cas ? 'delete-cas' : 'delete', Key: key, Now: ctx.now() };
        if (cas) cmd.Index = parseIndex(qs(query, 'cas') ?? '');
        const { result } = await applyOrFail(ctx, cmd);
        return sendJson(req, reply, result.value ?? true);
      },
    },
    { bodyLimit: max },
  );
}
