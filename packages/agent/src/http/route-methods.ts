// Consul's mux matches a path whatever the method, then answers OPTIONS with 200 and an Allow
// header and a method the route does not take with 405 (agent/http.go), before any ACL check
// or forwarding. Routes register in fastify only the methods they take (and HEAD with GET): a
// router tree per method for all seven methods held about 3 MB of an agent's memory
// (docs/PERFORMANCE.md, client agent memory). The other methods are answered here, from one
// tree of every route's URL: a request fastify did not route, or one that a route with
// parameters caught although the path is another route's (GET /v1/agent/service/register
// must not read the service "register").
import { createRequire } from 'node:module';
import type { FastifyRequest } from 'fastify';

// Required, not imported, as pino in ../log.ts.
const FindMyWay = createRequire(import.meta.url)('find-my-way') as typeof import('find-my-way');

/** The app's router options (app.ts): this index must match paths exactly as fastify does. */
export const ROUTER_OPTIONS = { ignoreDuplicateSlashes: true, maxParamLength: 4096 } as const;

interface Route {
  url: string;
  allow: string;
}

const noop = (): void => undefined;

export class RouteMethods {
  private readonly index = FindMyWay(ROUTER_OPTIONS);
  private readonly urls: string[] = [];
  /** Per route URL with parameters: whether another route's URL may match its paths. */
  private readonly overlapping = new Map<string, boolean>();

  add(url: string, allow: string): void {
    this.index.on('GET', url, noop, { url, allow } satisfies Route);
    this.urls.push(url);
    this.overlapping.clear();
  }

  /**
   * The Allow header when this request's path is a route's that does not take its method, or
   * OPTIONS; undefined when fastify routed it right, or when no route has this path (404).
   */
  wrongMethod(req: FastifyRequest): string | undefined {
    const url = req.routeOptions.url;
    if (!req.is404 && (url === undefined || !this.mayOverlap(url))) return undefined;
    const route = this.index.find('GET', req.url)?.store as Route | undefined;
    if (route === undefined || route.url === url) return undefined;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    return method !== 'OPTIONS' && route.allow.split(',').includes(method) ? undefined : route.allow;
  }

  /** Static URLs take precedence over parameters, so only a URL with parameters can be overlapped. */
  private mayOverlap(url: string): boolean {
    let known = this.overlapping.get(url);
    if (known === undefined) {
      const cut = url.search(/[:*]/);
      const prefix = cut < 0 ? url : url.slice(0, cut);
      known = cut >= 0 && this.urls.some((u) => u !== url && u.startsWith(prefix));
      this.overlapping.set(url, known);
    }
    return known;
  }
}
