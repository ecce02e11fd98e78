/**
 * ListRelatedServices of the discovery-chain kinds (agent/structs/config_entry_discoverychain.go):
 * the other services an entry sends traffic to. The config-entries table indexes entries by them
 * ("link") to find the chains a change touches, and writing an entry needs service:read on each
 * (canWriteDiscoveryChain).
 */
type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const or = (v: unknown, d: string): string => (str(v) !== '' ? str(v) : d);

/** The services other than its own that a router, splitter or resolver entry names, sorted. */
export function relatedServices(entry: Obj): string[] {
  const name = str(entry.Name);
  const found = new Set<string>();
  switch (entry.Kind) {
    case 'service-router':
      for (const r of list(entry.Routes)) {
        const dest = r.Destination as Obj | undefined;
        if (dest) found.add(or(dest.Service, name));
      }
      break;
    case 'service-splitter':
      for (const s of list(entry.Splits)) found.add(or(s.Service, name));
      break;
    case 'service-resolver': {
      const redirect = entry.Redirect as Obj | undefined;
      if (redirect) found.add(or(redirect.Service, name));
      for (const f of Object.values((entry.Failover ?? {}) as Record<string, Obj>)) {
        const targets = list(f.Targets);
        if (targets.length === 0) found.add(or(f.Service, name));
        // A cluster peer's services are not known here.
        for (const t of targets) if (str(t.Peer) === '') found.add(or(t.Service, name));
      }
      break;
    }
    default:
      break;
  }
  found.delete(name);
  return [...found].sort();
}
