// dns_config.use_cache on a client agent (Consul's agent/dns.go: lookupServiceNodes with
// UseCache and MaxAge = cache_max_age, lookupPreparedQuery through the prepared-query cache
// type): the DNS's service and prepared query reads go through the agent cache, so a lookup is
// answered from the cache (a service's entry kept fresh by its background blocking query, a
// prepared query's at most cache_max_age old). Node lookups are not cached, as in Consul.
// A server's DNS reads its own state store, which is what its cache would read: it needs none.
import type { AgentContext } from '../context.js';
import type { DnsRead } from '../dns-backend.js';
import { CACHE_TYPES, cacheFetch, entryKey, entryQuery, type CachedRead } from './cached-reads.js';
import { agentCache } from './index.js';
import { cachedReadType } from './install.js';

export function cachedDnsRead(ctx: AgentContext, direct: DnsRead): DnsRead {
  return async (req, dc, timeoutMs) => {
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    const typeName = cachedReadType(path);
    if (typeName === undefined) return direct(req, dc, timeoutMs);
    const type = CACHE_TYPES[typeName]!;
    const { 'x-consul-token': token = '', ...headers } = req.headers;
    const read: CachedRead = {
      type, dc, localDc: ctx.config.datacenter, token, path, query: entryQuery(q < 0 ? '' : req.url.slice(q + 1)), headers,
    };
    const cache = await agentCache(ctx);
    const r = await cache.get(entryKey(type.name, dc, token, path, read.query), type, cacheFetch(read, (fr, t) => direct(fr, dc, t)), {
      minIndex: 0, timeoutMs: 0, maxAgeMs: ctx.config.dnsConfig.cacheMaxAgeMs, mustRevalidate: false,
    });
    if (r.error instanceof Error) throw r.error;
    const v = r.error ?? r.value!;
    return { status: v.status, headers: v.headers, body: v.body };
  };
}
