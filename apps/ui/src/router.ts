/**
 * Client-side routes under the Vite base (/ui/). Every view has its own URL, so a reload or a
 * pasted link lands on the same view (the agent answers index.html for any /ui/* path):
 *   /ui/<dc>/services[?filter=&tag=]   /ui/<dc>/services/<name>
 *   /ui/<dc>/nodes[?filter=]           /ui/<dc>/nodes/<name>
 *   /ui/<dc>/kv/<folder/>              /ui/<dc>/kv/<key>/edit       /ui/<dc>/kv/<folder/>create
 *   /ui/<dc>/cluster                   /ui/<dc>/token
 */
import { useEffect, useState } from 'preact/hooks';

/** Where the agent serves the UI; vite.config.ts builds with the same base. */
export const BASE = '/ui/';

export type Route =
  | { view: 'root' }
  | { view: 'services'; dc: string; filter: string; tag: string }
  | { view: 'service'; dc: string; name: string }
  | { view: 'nodes'; dc: string; filter: string }
  | { view: 'node'; dc: string; name: string }
  | { view: 'kv'; dc: string; prefix: string }
  | { view: 'kv-edit'; dc: string; key: string }
  | { view: 'kv-create'; dc: string; prefix: string }
  | { view: 'cluster'; dc: string }
  | { view: 'token'; dc: string }
  | { view: 'notfound'; dc: string; path: string };

function decode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** Encodes each segment of a slash-separated path, keeping the slashes. */
export function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function parseRoute(pathname: string, search: string): Route {
  const rel = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\/+/, '');
  if (rel === '' || rel === '/') return { view: 'root' };
  const q = new URLSearchParams(search);
  const slash = rel.indexOf('/');
  const dc = decode(slash < 0 ? rel : rel.slice(0, slash));
  const rest = slash < 0 ? '' : rel.slice(slash + 1);
  const [section = '', ...tail] = rest.split('/');
  const name = decode(tail.join('/'));
  switch (section) {
    case '':
    case 'services':
      return name ? { view: 'service', dc, name } : { view: 'services', dc, filter: q.get('filter') ?? '', tag: q.get('tag') ?? '' };
    case 'nodes':
      return name ? { view: 'node', dc, name } : { view: 'nodes', dc, filter: q.get('filter') ?? '' };
    case 'kv': {
      const raw = tail.join('/');
      if (raw.endsWith('/edit')) return { view: 'kv-edit', dc, key: raw.slice(0, -'/edit'.length).split('/').map(decode).join('/') };
      if (raw === 'create' || raw.endsWith('/create')) return { view: 'kv-create', dc, prefix: tail.slice(0, -1).map(decode).map((s) => s + '/').join('') };
      return { view: 'kv', dc, prefix: tail.map(decode).join('/') };
    }
    case 'cluster':
      return { view: 'cluster', dc };
    case 'token':
      return { view: 'token', dc };
    default:
      return { view: 'notfound', dc, path: rest };
  }
}

/** The URL (with base) of a route. */
export function href(route: Route): string {
  if (route.view === 'root') return BASE;
  const dc = encodeURIComponent(route.dc);
  const qs = (pairs: Array<[string, string]>) => {
    const p = new URLSearchParams(pairs.filter(([, v]) => v !== ''));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  switch (route.view) {
    case 'services':
      return `${BASE}${dc}/services${qs([['filter', route.filter], ['tag', route.tag]])}`;
    case 'service':
      return `${BASE}${dc}/services/${encodeURIComponent(route.name)}`;
    case 'nodes':
      return `${BASE}${dc}/nodes${qs([['filter', route.filter]])}`;
    case 'node':
      return `${BASE}${dc}/nodes/${encodeURIComponent(route.name)}`;
    case 'kv':
      return `${BASE}${dc}/kv/${encodeSegments(route.prefix)}`;
    case 'kv-edit':
      return `${BASE}${dc}/kv/${encodeSegments(route.key)}/edit`;
    case 'kv-create':
      return `${BASE}${dc}/kv/${encodeSegments(route.prefix)}create`;
    case 'cluster':
      return `${BASE}${dc}/cluster`;
    case 'token':
      return `${BASE}${dc}/token`;
    case 'notfound':
      return `${BASE}${dc}/${route.path}`;
  }
}

const listeners = new Set<() => void>();

export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

function current(): Route {
  return parseRoute(location.pathname, location.search);
}

/** The current route; re-renders on navigate() and on back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** Turns clicks on same-origin links under the base into history navigation (no reload). */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
    window.scrollTo(0, 0);
  });
}
