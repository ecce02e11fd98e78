// Consul's mux matches a path whatever the method, then answers OPTIONS with 200 and an Allow
// header and a method the route does not take with 405 (agent/http.go), before any ACL check
// or forwarding. Routes register in fastify only the methods they take (and HEAD with GET): a
// router tree per method for all seven methods held about 3 MB of an agent's memory
// (docs/PERFORMANCE.md, client agent memory). The other methods are answered from one tree of
// every route's URL: a request fastify did not route (app.ts), or one that a route with
// parameters caught although the path is another route's (guard: GET
// /v1/agent/service/register must not read the service "register").
import { createRequire } from 'node:module';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { HttpError } from './http-error.js';

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

  /** For a request fastify routed nowhere: the Allow header of its path's route, if any. */
  unrouted(req: FastifyRequest): string | undefined {
    const route = this.route(req.url);
    if (route === undefined) return undefined;
    // (A method the route takes was routed by fastify; should it ever not be, it stays a 404.)
    return req.method !== 'OPTIONS' && allows(route.allow, req.method) ? undefined : route.allow;
  }

  /**
   * The onRequest hook of a route with parameters at `url`: a path that is another route's
   * (found first in this index: static segments before parameters) is answered 405 here.
   */
  guard(url: string): onRequestHookHandler {
    return (req, reply, done) => {
      if (!this.mayOverlap(url)) return done();
      const route = this.route(req.url);
      if (route === undefined || route.url === url || allows(route.allow, req.method)) return done();
      reply.header('Allow', route.allow);
      done(methodNotAllowed(req.method));
    };
  }

  private route(path: string): Route | undefined {
    return this.index.find('GET', path)?.store as Route | undefined;
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

const allows = (allow: string, method: string): boolean => allow.split(',').includes(method === 'HEAD' ? 'GET' : method);

export const methodNotAllowed = (method: string): HttpError => new HttpError(405, `method ${method} not allowed`);
