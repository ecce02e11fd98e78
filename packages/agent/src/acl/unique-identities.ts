// Service identities as Consul's servers keep them on a token or role (one per service name).
import type { AclServiceIdentity } from '@proconsul/catalog';

/**
 * Consul's dedupeServiceIdentities: sorted by name, one per name, its datacenters merged
 * (and sorted); one without datacenters (every datacenter) wins.
 */
export function uniqueServiceIdentities(list: AclServiceIdentity[]): AclServiceIdentity[] {
  if (list.length <= 1) return list;
  const out: AclServiceIdentity[] = [];
  for (const s of [...list].sort((a, b) => (a.ServiceName < b.ServiceName ? -1 : a.ServiceName > b.ServiceName ? 1 : 0))) {
    const last = out[out.length - 1];
    if (last?.ServiceName !== s.ServiceName) {
      out.push(s);
      continue;
    }
    const merged = last.Datacenters && s.Datacenters ? [...new Set([...last.Datacenters, ...s.Datacenters])].sort() : undefined;
    out[out.length - 1] = merged ? { ServiceName: s.ServiceName, Datacenters: merged } : { ServiceName: s.ServiceName };
  }
  return out;
}
