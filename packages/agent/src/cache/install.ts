// Where `?cached` is honoured (Consul 1.17's HTTP handlers that call the agent cache when
// UseCache is set): these reads answer from the agent cache before any forwarding. The hook
// is small; the cache loads on the first `?cached` read (cache/index.ts).
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';
import { has, type Query } from '../http/query-options.js';
import { parseCacheControl } from './cache-control.js';

/** Path -> cache type (agent/cache-types names). */
const CACHED_READS: readonly [RegExp, string][] = [
  [/^\/v1\/catalog\/services$/, 'catalog-list-services'],
  [/^\/v1\/catalog\/(service|connect)\/.+$/, 'catalog-services'],
  [/^\/v1\/health\/(service|connect)\/.+$/, 'health-services'],
  [/^\/v1\/connect\/intentions\/match$/, 'intention-match'],
  [/^\/v1\/catalog\/datacenters$/, 'catalog-datacenters'],
  [/^\/v1\/query\/[^/]+\/execute$/, 'prepared-query'],
];

export function cachedReadType(path: string): string | undefined {
  return CACHED_READS.find(([re]) => re.test(path))?.[1];
}

/** Installs the `?cached` hook before the cluster's forwarding hook. */
export function installAgentCache(app: FastifyInstance, ctx: AgentContext): void {
  app.addHook('preHandler', async (req, reply) => {
    // Every request passes here: most have neither `?cached` nor Cache-Control, and leave at once.
    if (req.method !== 'GET' || (req.headers['cache-control'] === undefined && !req.url.includes('cached'))) return;
    const path = req.url.split('?')[0]!.replace(/\/{2,}/g, '/');
    const typeName = cachedReadType(path);
    if (typeName === undefined) return;
    // Consul's parse() reads Cache-Control on these endpoints whether or not `?cached` is set.
    const cc = parseCacheControl(req.headers['cache-control']);
    // http_config.use_cache = false: `?cached` is ignored, as Consul's parseConsistency does.
    if (!has(req.query as Query, 'cached') || !ctx.config.httpConfig.useCache) return;
    const { answerFromCache } = await import('./http-cache.js');
    return answerFromCache(app, ctx, req, reply, path, typeName, cc);
  });
}
