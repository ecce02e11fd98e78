/** Every node with its address, health (its node-level checks) and the services it runs. */
import type { HealthCheck } from '@proconsul/api';
import { useMemo } from 'preact/hooks';
import { Empty, ErrorNote, Loading, PageTitle } from '../components/Bits.js';
import { HealthBadge, TallyLine } from '../components/Health.js';
import { useSession } from '../client.js';
import { useCatalog } from '../data/catalog.js';
import { tally, worst } from '../data/health.js';
import { href, navigate } from '../router.js';

export function Nodes({ filter }: { filter: string }) {
  const { consul, dc } = useSession();
  const cat = useCatalog(consul, true);
  const checksByNode = useMemo(() => {
    const m = new Map<string, HealthCheck[]>();
    for (const c of cat.checks ?? []) m.set(c.Node, [...(m.get(c.Node) ?? []), c]);
    return m;
  }, [cat.checks]);
  const servicesByNode = useMemo(() => {
    const m = new Map<string, Set<string>>();
    for (const list of Object.values(cat.entries ?? {})) {
      for (const e of list) {
        const set = m.get(e.Node.Node) ?? new Set<string>();
        set.add(e.Service.Service);
        m.set(e.Node.Node, set);
      }
    }
    return m;
  }, [cat.entries]);
  const needle = filter.trim().toLowerCase();
  const nodes = (cat.nodes ?? []).filter((n) => !needle || n.Node.toLowerCase().includes(needle) || n.Address.includes(needle));

  return (
    <section>
      <PageTitle sub={cat.nodes ? `${cat.nodes.length} nodes` : undefined}>Nodes</PageTitle>
      <div class="toolbar" role="search">
        <input
          type="search"
          placeholder="Search by name or address  ( / )"
          aria-label="Search nodes"
          value={filter}
          data-search
          onInput={(e) => navigate(href({ view: 'nodes', dc, filter: (e.target as HTMLInputElement).value }), true)}
        />
      </div>
      <ErrorNote error={cat.error} />
      {cat.loading && !cat.nodes ? <Loading what="nodes" /> : null}
      {cat.nodes && nodes.length === 0 ? <Empty>{cat.nodes.length === 0 ? 'No nodes.' : 'No node matches the filter.'}</Empty> : null}
      <ul class="rows" aria-label="nodes">
        {nodes.map((n) => {
          const checks = checksByNode.get(n.Node) ?? [];
          const nodeChecks = checks.filter((c) => c.ServiceID === '');
          const services = [...(servicesByNode.get(n.Node) ?? [])].sort();
          return (
            <li key={n.Node} class="row" data-node={n.Node} data-status={worst(nodeChecks)}>
              <a class="row-link" data-nav href={href({ view: 'node', dc, name: n.Node })}>
                <span class="row-title">
                  <HealthBadge status={worst(nodeChecks)} />
                  <strong>{n.Node}</strong>
                  <span class="mono muted">{n.Address}</span>
                </span>
                <span class="row-detail">
                  <TallyLine tally={tally(checks)} />
                </span>
                <span class="row-services muted">{services.length ? services.join(', ') : 'no services'}</span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
