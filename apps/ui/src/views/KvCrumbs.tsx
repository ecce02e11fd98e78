/** Breadcrumbs for a KV path: each folder above it is a link. */
import { href } from '../router.js';

export function KvCrumbs({ dc, path }: { dc: string; path: string }) {
  const parts = path.split('/').filter((p, i, all) => p !== '' || i < all.length - 1);
  const crumbs: Array<{ label: string; prefix: string }> = [];
  let acc = '';
  for (let i = 0; i < parts.length - (path.endsWith('/') ? 0 : 1); i++) {
    acc += `${parts[i]}/`;
    crumbs.push({ label: parts[i]!, prefix: acc });
  }
  return (
    <nav class="crumbs" aria-label="breadcrumb">
      <a href={href({ view: 'kv', dc, prefix: '' })}>Key/Value</a>
      {crumbs.map((c) => (
        <span key={c.prefix}>
          {' / '}
          <a href={href({ view: 'kv', dc, prefix: c.prefix })}>{c.label}</a>
        </span>
      ))}
    </nav>
  );
}
