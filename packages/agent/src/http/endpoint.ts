// Consul routes accept a fixed set of methods: any other gets 405 `method X not allowed` with
// an Allow header, and OPTIONS answers 200 with the Allow header (agent/http.go): those are
// answered from the app's RouteMethods (route-methods.ts), where every route is listed here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsRegistry } from '../metrics/index.js';
import type { RouteMethods } from './route-methods.js';

/** Decoration of the root app holding the agent's metrics registry (see app.ts). */
export const METRICS_DECORATION = 'consulMetrics';
/** Decoration of the root app holding its RouteMethods (see app.ts). */
export const ROUTE_METHODS_DECORATION = 'consulRouteMethods';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
export type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;

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
  const methods = Object.keys(handlers) as Method[];
  ROUTE_TABLE.set(url, methods);
  const decorations = app as unknown as Record<string, unknown>;
  const metrics = decorations[METRICS_DECORATION] as MetricsRegistry | undefined;
  const routeMethods = decorations[ROUTE_METHODS_DECORATION] as RouteMethods;
  routeMethods.add(app.prefix + url, ['OPTIONS', ...methods].join(','));
  // consul.http.<METHOD>.<path>: keyed by the route, not the concrete URL.
  const pathParts = url.split('/').filter((p) => p !== '' && p !== '*' && !p.startsWith(':'));
  const metricKeys = new Map<string, string[]>();
  const metricKey = (method: string): string[] => {
    let key = metricKeys.get(method);
    if (!key) metricKeys.set(method, (key = ['http', method, ...pathParts]));
    return key;
  };
  app.route({
    method: handlers.GET ? [...methods, 'HEAD'] : methods,
    url,
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    ...(/[:*]/.test(url) ? { onRequest: routeMethods.guard(app.prefix + url) } : {}),
    handler: (req, reply) => {
      const handler = handlers[(req.method === 'HEAD' ? 'GET' : req.method) as Method]!;
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
