/** One service: each instance with node, address:port, tags, meta and its checks, kept live. */
import { Empty, ErrorNote, Loading, MetaTable, PageTitle, Tags } from '../components/Bits.js';
import { CheckList } from '../components/Checks.js';
import { HealthBadge, TallyLine } from '../components/Health.js';
import { useSession } from '../client.js';
import { tally, worst } from '../data/health.js';
import { useLive } from '../data/live.js';
import { href } from '../router.js';

export function ServiceDetail({ name }: { name: string }) {
  const { consul, dc } = useSession();
  const live = useLive((q) => consul.health.service(name, q), [consul, name]);
  const entries = live.data ?? [];
  const all = entries.flatMap((e) => e.Checks ?? []);
  return (
    <section>
      <nav class="crumbs" aria-label="breadcrumb">
        <a href={href({ view: 'services', dc, filter: '', tag: '' })}>Services</a> / {name}
      </nav>
      <PageTitle
        sub={
          live.data ? (
            <>
              {entries.length} instance{entries.length === 1 ? '' : 's'} · <TallyLine tally={tally(all)} />
            </>
          ) : undefined
        }
      >
        {live.data && entries.length > 0 ? <HealthBadge status={worst(all)} /> : null} {name}
      </PageTitle>
      <ErrorNote error={live.error} />
      {live.loading ? <Loading what="instances" /> : null}
      {live.data && entries.length === 0 ? <Empty>No instances of “{name}” are registered.</Empty> : null}
      <ul class="cards" aria-label="instances">
        {entries.map((e) => {
          const address = e.Service.Address || e.Node.Address;
          const port = e.Service.Port ?? 0;
          return (
            <li key={`${e.Node.Node}/${e.Service.ID}`} class="card" data-instance={e.Service.ID} data-status={worst(e.Checks ?? [])}>
              <header class="card-head">
                <HealthBadge status={worst(e.Checks ?? [])} />
                <h2>{e.Service.ID}</h2>
              </header>
              <dl class="facts">
                <div>
                  <dt>Node</dt>
                  <dd>
                    <a data-nav href={href({ view: 'node', dc, name: e.Node.Node })}>
                      {e.Node.Node}
                    </a>
                  </dd>
                </div>
                <div>
                  <dt>Address</dt>
                  <dd class="mono">{port ? `${address}:${port}` : address}</dd>
                </div>
              </dl>
              <Tags tags={e.Service.Tags} />
              {Object.keys(e.Service.Meta ?? {}).length ? <h3>Meta</h3> : null}
              <MetaTable meta={e.Service.Meta} label="Service meta" />
              <h3>Checks</h3>
              <CheckList checks={e.Checks ?? []} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
