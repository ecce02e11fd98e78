/** One node: addresses, meta, its service instances and all its checks, kept live. */
import { Empty, ErrorNote, Loading, MetaTable, PageTitle, Tags } from '../components/Bits.js';
import { CheckList } from '../components/Checks.js';
import { HealthBadge } from '../components/Health.js';
import { useSession } from '../client.js';
import { worst } from '../data/health.js';
import { useLive } from '../data/live.js';
import { href } from '../router.js';

export function NodeDetail({ name }: { name: string }) {
  const { consul, dc } = useSession();
  const node = useLive((q) => consul.catalog.node(name, q), [consul, name]);
  const checks = useLive((q) => consul.health.node(name, q), [consul, name]);
  const n = node.data;
  const nodeChecks = (checks.data ?? []).filter((c) => c.ServiceID === '');
  const serviceChecks = (checks.data ?? []).filter((c) => c.ServiceID !== '');
  const services = Object.values(n?.Services ?? {}).sort((a, b) => a.Service.localeCompare(b.Service) || a.ID.localeCompare(b.ID));
  return (
    <section>
      <nav class="crumbs" aria-label="breadcrumb">
        <a href={href({ view: 'nodes', dc, filter: '' })}>Nodes</a> / {name}
      </nav>
      <PageTitle sub={n ? <span class="mono">{n.Node.Address}</span> : undefined}>
        {checks.data ? <HealthBadge status={worst(nodeChecks)} /> : null} {name}
      </PageTitle>
      <ErrorNote error={node.error ?? checks.error} />
      {node.loading ? <Loading what="node" /> : null}
      {!node.loading && node.data === null ? <Empty>Node “{name}” is not in the catalog.</Empty> : null}
      {n ? (
        <>
          {Object.keys(n.Node.TaggedAddresses ?? {}).length ? <h2>Tagged addresses</h2> : null}
          <MetaTable meta={n.Node.TaggedAddresses} label="Tagged addresses" />
          {Object.keys(n.Node.Meta ?? {}).length ? <h2>Node meta</h2> : null}
          <MetaTable meta={n.Node.Meta} label="Node meta" />
          <h2>Node checks</h2>
          <CheckList checks={nodeChecks} />
          <h2>Services</h2>
          {services.length === 0 ? <p class="muted">No services on this node.</p> : null}
          <ul class="rows" aria-label="node services">
            {services.map((s) => {
              const own = serviceChecks.filter((c) => c.ServiceID === s.ID);
              return (
                <li key={s.ID} class="row" data-instance={s.ID}>
                  <a class="row-link" data-nav href={href({ view: 'service', dc, name: s.Service })}>
                    <span class="row-title">
                      <HealthBadge status={worst([...nodeChecks, ...own])} />
                      <strong>{s.Service}</strong>
                      <span class="muted">{s.ID !== s.Service ? s.ID : ''}</span>
                    </span>
                    <span class="mono">{`${s.Address || n.Node.Address}${s.Port ? `:${s.Port}` : ''}`}</span>
                    <Tags tags={s.Tags} />
                  </a>
                </li>
              );
            })}
          </ul>
          <h2>Service checks</h2>
          <CheckList checks={serviceChecks} />
        </>
      ) : null}
    </section>
  );
}
