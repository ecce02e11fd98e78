// GET /v1/snapshot (save) and PUT /v1/snapshot (restore): the whole catalog state as a
// checksummed archive. A restore goes through the applier like every write.
import type { FastifyInstance } from 'fastify';
import { Catalog, type CatalogSnapshot } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { ArchiveError, buildArchive, readArchive } from '../../snapshot/archive.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, type Query } from '../query-options.js';
import { setQueryMeta } from '../respond.js';

/** Largest snapshot archive accepted by a restore. */
export const SNAPSHOT_BYTES_MAX = 256 * 1024 * 1024;

export async function snapshotRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(
    app,
    '/v1/snapshot',
    {
      GET: (req, reply) => {
        checkDatacenter(req.query as Query, ctx.config.datacenter);
        const index = ctx.applier.lastIndex;
        const term = ctx.cluster.node()?.termAt(index) ?? 0;
        setQueryMeta(reply, index);
        return reply.header('content-type', 'application/x-gzip').send(buildArchive(ctx.catalog.snapshot(), index, term, ctx.now()));
      },
      PUT: async (req, reply) => {
        checkDatacenter(req.query as Query, ctx.config.datacenter);
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (body.length === 0) throw badRequest('Missing snapshot archive in the request body');
        let state: unknown;
        try {
          state = readArchive(body).state;
          // Try it on a scratch catalog first: a bad state must not touch the live one.
          Catalog.fromSnapshot(state as CatalogSnapshot, { datacenter: ctx.config.datacenter });
        } catch (err) {
          throw new HttpError(500, err instanceof ArchiveError ? err.message : `failed to restore snapshot: ${(err as Error).message}`);
        }
        await ctx.applier.restore(state);
        ctx.log.agent.info({ index: ctx.applier.lastIndex }, 'restored catalog from a snapshot');
        await ctx.afterRestore();
        return reply.header('content-type', 'text/plain; charset=utf-8').send('');
      },
    },
    { bodyLimit: SNAPSHOT_BYTES_MAX },
  );
}
