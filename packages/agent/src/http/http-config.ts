/**
 * The agent config's http_config, as Consul's HTTP wrapper applies it (agent/http.go):
 * `response_headers` are set on every answer of the API and the UI before anything else (a
 * route's own headers win); a path under one of `block_endpoints` is answered 403 `Endpoint is
 * blocked by agent configuration`; with `allow_write_http_from`, a write (any method but GET,
 * HEAD and OPTIONS) from an address outside those networks is answered 403 `Access is
 * restricted`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpConfig } from '../config/index.js';
import { cidrMatcher } from '../cidr.js';
import type { Logger } from '../log.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function forbid(req: FastifyRequest, reply: FastifyReply, log: Logger, message: string): void {
  // As Consul's logURL: a token in the query string is not written to the log.
  const url = req.url.replace(/([?&]token=)[^&]*/g, '$1<hidden>');
  log.error({ method: req.method, url, from: req.socket.remoteAddress, error: message }, 'Request error');
  void reply.code(403).header('content-type', 'text/plain; charset=utf-8').send(message);
}

/** Headers and blocked endpoints: the app's first hook, so that every answer carries them. */
export function installResponseHeadersAndBlocks(app: FastifyInstance, config: HttpConfig, log: Logger): void {
  const headers = Object.entries(config.responseHeaders);
  const blocked = config.blockEndpoints;
  if (headers.length === 0 && blocked.length === 0) return;
  app.addHook('onRequest', (req, reply, done) => {
    for (const [name, value] of headers) reply.header(name, value);
    const path = req.url.split('?', 1)[0]!;
    if (blocked.some((prefix) => path.startsWith(prefix))) return forbid(req, reply, log, 'Endpoint is blocked by agent configuration');
    done();
  });
}

/** Writes only from `allow_write_http_from`; installed after the method checks, as Consul checks after them. */
export function installWriteAccess(app: FastifyInstance, config: HttpConfig, log: Logger): void {
  if (config.allowWriteHttpFrom.length === 0) return;
  const allowed = cidrMatcher(config.allowWriteHttpFrom);
  app.addHook('onRequest', (req, reply, done) => {
    if (READ_METHODS.has(req.method) || allowed(req.socket.remoteAddress ?? '')) return done();
    forbid(req, reply, log, 'Access is restricted');
  });
}
