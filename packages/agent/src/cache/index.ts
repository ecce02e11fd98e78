// The agent's one cache, created on its first use (a client that never reads `?cached` or
// enables dns_config.use_cache never loads the module: docs/PERFORMANCE.md, client memory).
import type { AgentContext } from '../context.js';
import type { AgentCache } from './agent-cache.js';

const caches = new WeakMap<AgentContext, Promise<AgentCache>>();

export function agentCache(ctx: AgentContext): Promise<AgentCache> {
  let c = caches.get(ctx);
  if (!c) {
    c = import('./agent-cache.js').then(({ AgentCache, DEFAULT_CACHE_OPTIONS }) => {
      const cache = new AgentCache(DEFAULT_CACHE_OPTIONS);
      ctx.metrics.gaugeFunc('cache.entries_count', () => cache.size);
      return cache;
    });
    caches.set(ctx, c);
  }
  return c;
}

/** Stops the background refreshes at shutdown (only when the cache was ever used). */
export function closeAgentCache(ctx: AgentContext): void {
  void caches.get(ctx)?.then((c) => c.close());
}
