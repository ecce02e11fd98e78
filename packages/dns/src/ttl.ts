// dns_config.service_ttl: an exact service name wins, then the longest `prefix*` key, `*` last.

export type ServiceTtl = (service: string) => number;

export function serviceTtlResolver(config: Record<string, number> | undefined): ServiceTtl {
  const exact = new Map<string, number>();
  const prefixes: Array<[string, number]> = [];
  for (const [key, raw] of Object.entries(config ?? {})) {
    const ttl = Number.isFinite(raw) && raw > 0 ? Math.min(Math.floor(raw), 0x7fffffff) : 0;
    if (key.endsWith('*')) prefixes.push([key.slice(0, -1), ttl]);
    else exact.set(key, ttl);
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);
  return (service) => {
    const hit = exact.get(service);
    if (hit !== undefined) return hit;
    for (const [prefix, ttl] of prefixes) if (service.startsWith(prefix)) return ttl;
    return 0;
  };
}
