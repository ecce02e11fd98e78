/** Service instances with their node and checks, filtered as health/service filters them. */
import type { HealthServiceFilter } from './catalog.js';
import { metaMatches, tagsMatch } from './filters.js';
import type { CheckRecord, NodeRecord, ServiceRecord } from './records.js';
import type { CatalogStore } from './store.js';
import { lower } from './util.js';

export interface InstanceEntry {
  node: NodeRecord;
  service: ServiceRecord;
  checks: CheckRecord[];
}

/** `instances` kept by the filter, each with its node-level checks first, then its own. */
export function instanceEntries(st: CatalogStore, instances: readonly ServiceRecord[], filter: HealthServiceFilter): InstanceEntry[] {
  const out: InstanceEntry[] = [];
  for (const s of instances) {
    const nodeKey = lower(s.Node);
    const n = st.nodeTable.get(nodeKey);
    if (!n || !metaMatches(n.Meta, filter.nodeMeta) || !tagsMatch(s.Tags, filter.tags)) continue;
    // Node-level checks first (they apply to every service on the node), then the instance's own.
    const idKey = lower(s.ID);
    const nodeChecks = st.nodeChecksSorted(nodeKey);
    const checks = [...nodeChecks.filter((c) => c.ServiceID === ''), ...nodeChecks.filter((c) => c.ServiceID !== '' && lower(c.ServiceID) === idKey)];
    if (filter.passing && checks.some((c) => c.Status !== 'passing')) continue;
    out.push({ node: n, service: s, checks });
  }
  return out;
}
