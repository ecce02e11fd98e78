/** Every service with its instance count and check summary; search and tag filter live in the URL. */
import { useMemo } from 'preact/hooks';
import { Empty, ErrorNote, Loading, PageTitle, Tags } from '../components/Bits.js';
import { HealthBadge, TallyLine } from '../components/Health.js';
import { useSession } from '../client.js';
import { useCatalog } from '../data/catalog.js';
import { summarize } from '../data/health.js';
import { href, navigate } from '../router.js';

export function Services({ filter, tag }: { filter: string; tag: string }) {
  const { consul, dc } = useSession();
  const cat = useCatalog(consul, false);
  const summaries = useMemo(() => {
    if (!cat.services) return [];
    return Object.keys(cat.services)
      .sort()
      .map((name) => summarize(name, cat.services![name] ?? [], cat.entries?.[name]));
  }, [cat.services, cat.entries]);
  const allTags = useMemo(() => [...new Set(summaries.flatMap((s) => s.tags))].sort(), [summaries]);
  const needle = filter.trim().toLowerCase();
  const shown = summaries.filter(
    (s) => (!needle || s.name.toLowerCase().includes(needle) || s.tags.some((t) => t.toLowerCase().includes(needle))) && (!tag || s.tags.includes(tag)),
  );
  const setQuery = (f: string, t: string) => navigate(href({ view: 'services', dc, filter: f, tag: t }), true);

  return (
    <section>
      <PageTitle sub={cat.services ? `${summaries.length} services` : undefined}>Services</PageTitle>
      <div class="toolbar" role="search">
        <input
          type="search"
          placeholder="Search by name or tag  ( / )"
          aria-label="Search services"
          value={filter}
          data-search
          onInput={(e) => setQuery((e.target as HTMLInputElement).value, tag)}
        />
        <select aria-label="Filter by tag" value={tag} onChange={(e) => setQuery(filter, (e.target as HTMLSelectElement).value)}>
          <option value="">All tags</option>
          {allTags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={cat.error} />
      {cat.loading && !cat.services ? <Loading what="services" /> : null}
      {cat.services && shown.length === 0 ? <Empty>{summaries.length === 0 ? 'No services registered.' : 'No service matches the filter.'}</Empty> : null}
      <ul class="rows" aria-label="services">
        {shown.map((s) => (
          <li key={s.name} class="row" data-service={s.name} data-status={cat.entries ? s.status : 'unknown'}>
            <a class="row-link" data-nav href={href({ view: 'service', dc, name: s.name })}>
              <span class="row-title">
                {cat.entries ? <HealthBadge status={s.status} /> : null}
                <strong>{s.name}</strong>
              </span>
              <span class="row-detail">
                <span class="instances">
                  {cat.entries ? `${s.instances} instance${s.instances === 1 ? '' : 's'}` : '…'}
                </span>
                {cat.entries ? <TallyLine tally={s.checks} /> : null}
              </span>
              <Tags tags={s.tags} />
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
