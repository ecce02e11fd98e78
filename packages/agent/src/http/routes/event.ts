import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { eventsIndex, UserEvents } from '../../events/user-events.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, parseWaitAndConsistency, qs, type Query } from '../query-options.js';
import { sendJson } from '../respond.js';

/** Largest event payload accepted (Consul's gossip limit for user events is about 512 bytes in total). */
export const EVENT_PAYLOAD_BYTES_MAX = 512;

export async function eventRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/event/fire/*', {
    PUT: (req, reply) => {
      const query = req.query as Query;
      checkDatacenter(query, ctx.config.datacenter);
      const name = (req.params as { '*': string })['*'];
      if (!name) throw badRequest('Missing name');
      const service = qs(query, 'service') ?? '';
      const tag = qs(query, 'tag') ?? '';
      const node = qs(query, 'node') ?? '';
      if (tag && !service) throw new HttpError(500, 'cannot provide tag filter without service filter');
      for (const [what, re] of [['node', node], ['service', service], ['tag', tag]] as const) {
        try {
          new RegExp(re);
        } catch (err) {
          throw new HttpError(500, `Invalid ${what} filter: ${(err as Error).message}`);
        }
      }
      const payload = Buffer.isBuffer(req.body) ? req.body : null;
      if (payload && payload.length > EVENT_PAYLOAD_BYTES_MAX) {
        throw new HttpError(500, `Payload length ${payload.length} exceeds limit of ${EVENT_PAYLOAD_BYTES_MAX} bytes`);
      }
      // Gossiped to every agent; each keeps it if it passes its filters (shouldProcess), this one too.
      const event = UserEvents.create({ name, payload, node, service, tag });
      try {
        ctx.gossip.fireEvent(event);
      } catch (err) {
        throw new HttpError(500, `user event ${(err as Error).message}`);
      }
      ctx.log.agent.debug({ event: event.Name, id: event.ID }, 'user event fired');
      return sendJson(req, reply, event);
    },
  });

  endpoint(app, '/v1/event/list', {
    GET: async (req, reply) => {
      // Consul's EventList reads this agent's own events and ignores `?dc=`.
      const opts = parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      const name = qs(req.query as Query, 'name') || undefined;
      const asked = qs(req.query as Query, 'index') ?? '';
      let events = ctx.events.list(name);
      // Blocks only while the client's index equals the current one (it is not monotonic).
      if (asked !== '' && asked === eventsIndex(events)) {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), opts.waitMs + Math.random() * (opts.waitMs / 16));
        const onClose = (): void => abort.abort();
        reply.raw.on('close', onClose);
        try {
          await new Promise<void>((resolve) => {
            const off = ctx.events.onEvent(() => {
              if (eventsIndex(ctx.events.list(name)) !== asked) done();
            });
            const done = (): void => {
              off();
              abort.signal.removeEventListener('abort', done);
              resolve();
            };
            abort.signal.addEventListener('abort', done, { once: true });
          });
        } finally {
          clearTimeout(timer);
          reply.raw.off('close', onClose);
        }
        events = ctx.events.list(name);
      }
      reply.header('X-Consul-Index', eventsIndex(events));
      return sendJson(req, reply, events);
    },
  });
}
