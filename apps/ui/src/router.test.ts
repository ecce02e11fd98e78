import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from './router.js';

describe('routes', () => {
  const cases: Route[] = [
    { view: 'services', dc: 'dc1', filter: '', tag: '' },
    { view: 'services', dc: 'dc1', filter: 'we b', tag: 'v1' },
    { view: 'service', dc: 'dc1', name: 'web/api?x' },
    { view: 'nodes', dc: 'east', filter: '10.0' },
    { view: 'node', dc: 'dc1', name: 'node-1' },
    { view: 'kv', dc: 'dc1', prefix: '' },
    { view: 'kv', dc: 'dc1', prefix: 'config/web/' },
    { view: 'kv-edit', dc: 'dc1', key: 'config/web/re plicas' },
    { view: 'kv-edit', dc: 'dc1', key: 'a/create' },
    { view: 'kv-edit', dc: 'dc1', key: 'edit' },
    { view: 'kv-create', dc: 'dc1', prefix: '' },
    { view: 'kv-create', dc: 'dc1', prefix: 'a/b/' },
    { view: 'cluster', dc: 'dc2' },
    { view: 'token', dc: 'dc1' },
  ];
  for (const r of cases) {
    it(`round-trips ${JSON.stringify(r)}`, () => {
      const url = new URL(href(r), 'http://x');
      expect(url.pathname.startsWith('/ui/')).toBe(true);
      expect(parseRoute(url.pathname, url.search)).toEqual(r);
    });
  }

  it('reads /ui/ as the root and unknown sections as not found', () => {
    expect(parseRoute('/ui/', '')).toEqual({ view: 'root' });
    expect(parseRoute('/ui/dc1', '')).toEqual({ view: 'services', dc: 'dc1', filter: '', tag: '' });
    expect(parseRoute('/ui/dc1/acls/tokens', '')).toEqual({ view: 'notfound', dc: 'dc1', path: 'acls/tokens' });
  });

  it('keeps a folder named "create" apart from the create form', () => {
    expect(parseRoute('/ui/dc1/kv/a/create/', '')).toEqual({ view: 'kv', dc: 'dc1', prefix: 'a/create/' });
    expect(parseRoute('/ui/dc1/kv/a/create', '')).toEqual({ view: 'kv-create', dc: 'dc1', prefix: 'a/' });
  });
});
