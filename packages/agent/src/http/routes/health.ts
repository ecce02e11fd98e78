// /v1/health/*: check lists and service instances with their health, as blocking queries.
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { badRequest } from '../http-error.js';
import { parseGoBool, qs, qsAll, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { nodeMetaFilter } from './catalog.js';
import { nearSorted } from '../../coordinate/near.js';

export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/health/node/:node', {
    GET: (req, reply) => catalogRead(ctx, req, reply, () => ctx.catalog.nodeChecks((req.params as { node: string }).node)),
  });

  endpoint(app, '/v1/health/checks/:service', {
    GET: (req, reply) => {
      const name = (req.params as { service: string }).service;
      const nodeMeta = nodeMetaFilter(req.query as Query);
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(req.query as Query, 'near'), () => ctx.catalog.serviceChecks(name, nodeMeta ? { nodeMeta } : {})));
    },
  });

  endpoint(app, '/v1/health/service/:service', {
    GET: (req, reply) => {
      const query = req.query as Query;
      const name = (req.params as { service: string }).service;
      let passing = false;
      const p = qs(query, 'passing');
      if (p !== undefined) {
        // Present without a value means true.
        const b = p === '' ? true : parseGoBool(p);
        if (b === undefined) throw badRequest('Invalid value for ?passing');
        passing = b;
      }
      const nodeMeta = nodeMetaFilter(query);
      const tags = qsAll(query, 'tag');
      const filter = { passing, tags, ...(nodeMeta ? { nodeMeta } : {}) };
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(query, 'near'), () => ctx.catalog.checkServiceNodes(name, filter)));
    },
  });

  endpoint(app, '/v1/health/state/*', {
    GET: (req, reply) => {
      const state = (req.params as { '*': string })['*'];
      if (!state) throw badRequest('Missing check state');
      const nodeMeta = nodeMetaFilter(req.query as Query);
      return catalogRead(ctx, req, reply, nearSorted(ctx, qs(req.query as Query, 'near'), () => ctx.catalog.checksInState(state, nodeMeta ? { nodeMeta } : {})));
    },
  });
}
