// Consul routes accept a fixed set of methods: any other gets 405 `method X not allowed` with
// an Allow header, and OPTIONS answers 200 with the Allow header (agent/http.go).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsRegistry } from '../metrics/index.js';
import { HttpError } from './http-error.js';

/** Decoration of the root app holding the agent's metrics registry (see app.ts). */
export const METRICS_DECORATION = 'consulMetrics';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
export type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;

const ALL_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** Every URL registered through endpoint() with its methods: docs/reference/http-api.md is generated from it. */
const ROUTE_TABLE = new Map<string, readonly Method[]>();

/** The routes registered so far in this process (all of them once an agent has started). */
export function routeTable(): ReadonlyMap<string, readonly Method[]> {
  return ROUTE_TABLE;
}

export interface EndpointOptions {
  /** Largest accepted request body in bytes (fastify's bodyLimit for this route). */
  bodyLimit?: number;
}

export function endpoint(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<Method, Handler>>,
  options: EndpointOptions = {},
): void {
  const allow = ['OPTIONS', ...Object.keys(handlers)].join(',');
  ROUTE_TABLE.set(url, Object.keys(handlers) as Method[]);
  const metrics = (app as unknown as Record<string, MetricsRegistry | undefined>)[METRICS_DECORATION];
  // consul.http.<METHOD>.<path>: keyed by the route, not the concrete URL.
  const pathParts = url.split('/').filter((p) => p !== '' && p !== '*' && !p.startsWith(':'));
  const metricKeys = new Map<string, string[]>();
  const metricKey = (method: string): string[] => {
    let key = metricKeys.get(method);
    if (!key) metricKeys.set(method, (key = ['http', method, ...pathParts]));
    return key;
  };
  app.route({
    method: [...ALL_METHODS],
    url,
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    handler: (req, reply) => {
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const handler = handlers[method as Method];
      if (!handler) {
        reply.header('Allow', allow);
        if (method === 'OPTIONS') return reply.code(200).send('');
        throw new HttpError(405, `method ${req.method} not allowed`);
      }
      if (!metrics) return handler(req, reply);
      const started = metrics.clock();
      const out = handler(req, reply);
      if (out instanceof Promise) {
        return out.finally(() => metrics.measureSince(metricKey(req.method), started));
      }
      metrics.measureSince(metricKey(req.method), started);
      return out;
    },
  });
}
