import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import { emptyPreparedQuery, type PreparedQuery } from './prepared-query-types.js';

const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';
const ID3 = '33333333-3333-4333-8333-333333333333';

function query(over: Partial<PreparedQuery> & { service?: Partial<PreparedQuery['Service']> } = {}): PreparedQuery {
  const q = emptyPreparedQuery();
  const { service, ...rest } = over;
  return { ...q, ...rest, Service: { ...q.Service, Service: 'web', ...service } };
}

function withNode(): Catalog {
  const c = new Catalog();
  c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1' });
  return c;
}

describe('prepared queries: writes', () => {
  it('creates, reads, lists in ID order, updates (CreateIndex kept) and deletes', () => {
    const c = withNode();
    expect(c.apply(2, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID2, Name: 'b' }) })).toEqual({ ok: true, value: true });
    expect(c.apply(3, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID1, Name: 'a' }) }).ok).toBe(true);
    expect(c.preparedQueryList().value.map((q) => q.ID)).toEqual([ID1, ID2]);
    expect(c.preparedQueryList().index).toBe(3);
    expect(c.apply(4, { Type: 'PreparedQuery', Op: 'update', Query: query({ ID: ID2, Name: 'b2' }) }).ok).toBe(true);
    const got = c.preparedQueryGet(ID2);
    expect(got.value).toMatchObject({ Name: 'b2', CreateIndex: 2, ModifyIndex: 4 });
    expect(got.index).toBe(4);
    expect(c.apply(5, { Type: 'PreparedQuery', Op: 'delete', Query: query({ ID: ID2 }) }).ok).toBe(true);
    expect(c.preparedQueryGet(ID2).value).toBeNull();
    expect(c.preparedQueryList().index).toBe(5);
    expect(c.apply(6, { Type: 'PreparedQuery', Op: 'delete', Query: query({ ID: ID2 }) })).toEqual({
      ok: false,
      error: `Cannot modify non-existent prepared query: '${ID2}'`,
    });
    // A rename frees the old name and moves resolution to the new one.
    expect(c.apply(7, { Type: 'PreparedQuery', Op: 'update', Query: query({ ID: ID1, Name: 'renamed' }) }).ok).toBe(true);
    expect(c.preparedQueries.resolve('a')).toBeUndefined();
    expect(c.preparedQueries.resolve('RENAMED')?.ID).toBe(ID1);
    expect(c.apply(8, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID3, Name: 'a' }) }).ok).toBe(true);
  });

  it("refuses with Consul's messages and changes nothing", () => {
    const c = withNode();
    c.apply(2, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID1, Name: 'Web-Query' }) });
    const fails: Array<[PreparedQuery, string]> = [
      [query({ ID: ID2, Name: 'web-query' }), "name 'web-query' aliases an existing query name"],
      [query({ ID: ID2, Name: ID1 }), `name '${ID1}' aliases an existing query ID`],
      [query({ ID: ID2, Session: 'nope' }), 'invalid session "nope"'],
      [query({ ID: ID2 }), 'Invalid prepared query: Must be bound to a session'],
      [query({ ID: ID2, Name: 'x', service: { Service: '' } }), 'Invalid prepared query: Must provide a Service name to query'],
      [query({ ID: ID2, Name: 'x', Token: '<hidden>' }), "Invalid prepared query: Bad Token '<hidden>', it looks like a query definition with a redacted token was submitted"],
      [query({ ID: ID2, Name: 'x', service: { Failover: { NearestN: -1, Datacenters: null, Targets: null } } }), "Invalid prepared query: Bad NearestN '-1', must be >= 0"],
      [
        query({ ID: ID2, Name: 'x', service: { Failover: { NearestN: 1, Datacenters: null, Targets: [{ Peer: '', Datacenter: 'dc2' }] } } }),
        'Invalid prepared query: Targets cannot be populated with NearestN or Datacenters',
      ],
      [query({ ID: ID2, Name: 'x', DNS: { TTL: 'soon' } }), `Invalid prepared query: Bad DNS TTL 'soon': time: invalid duration "soon"`],
      [query({ ID: ID2, Name: 'x', Template: { Type: 'regex', Regexp: '', RemoveEmptyTags: false } }), "failed compiling template: Bad Template.Type 'regex'"],
      [
        query({ ID: ID2, Name: 'x', Template: { Type: 'name_prefix_match', Regexp: '(', RemoveEmptyTags: false } }),
        'failed compiling template: Bad Regexp: error parsing regexp: missing closing ): `(`',
      ],
      [
        query({ ID: ID2, Name: 'x', Template: { Type: 'name_prefix_match', Regexp: '', RemoveEmptyTags: false }, service: { Service: '${name.nope}' } }),
        "failed compiling template: Bad evaluation for '${name.nope}' in Service.Service: unknown variable accessed: name.nope",
      ],
      [query({ ID: ID1, Name: 'again' }), `ID ${ID1} is already in use`],
    ];
    let idx = 3;
    for (const [q, error] of fails) {
      expect(c.apply(idx++, { Type: 'PreparedQuery', Op: 'create', Query: q })).toEqual({ ok: false, error });
    }
    expect(c.apply(idx++, { Type: 'PreparedQuery', Op: 'update', Query: query({ ID: ID3, Name: 'z' }) })).toEqual({
      ok: false,
      error: `Cannot modify non-existent prepared query: '${ID3}'`,
    });
    expect(c.preparedQueryList().value.map((q) => q.ID)).toEqual([ID1]);
    expect(c.preparedQueryList().index).toBe(2);
    // A malformed log entry is refused, never thrown.
    expect(c.apply(idx++, { Type: 'PreparedQuery', Op: 'create', Query: null } as never).ok).toBe(false);
  });

  it('allows one catch-all template only', () => {
    const c = withNode();
    const tpl = { Type: 'name_prefix_match', Regexp: '', RemoveEmptyTags: false };
    expect(c.apply(2, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID1, Template: tpl, service: { Service: '${name.full}' } }) }).ok).toBe(true);
    expect(c.apply(3, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID2, Template: tpl, service: { Service: '${name.full}' } }) })).toEqual({
      ok: false,
      error: 'a query template with an empty name already exists',
    });
  });

  it('deletes a query with the session it is bound to, and wakes its watchers', async () => {
    const c = withNode();
    c.apply(2, { Type: 'SessionCreate', Session: { ID: 's1', Node: 'n1', NodeChecks: [] } });
    expect(c.apply(3, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID1, Session: 's1' }) }).ok).toBe(true);
    const before = c.preparedQueryList();
    const woken = c.watch(before.watch);
    c.apply(4, { Type: 'SessionDestroy', ID: 's1' });
    await woken;
    const after = c.preparedQueryList();
    expect(after.value).toEqual([]);
    expect(after.index).toBe(4);
  });
});

describe('prepared queries: resolution and templates', () => {
  const tpl = (Regexp = '', RemoveEmptyTags = false) => ({ Type: 'name_prefix_match', Regexp, RemoveEmptyTags });

  it('resolves an ID, then an exact name (any case), then the longest template prefix', () => {
    const c = withNode();
    c.apply(2, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID1, Name: 'geo', Template: tpl(), service: { Service: 'short-${name.suffix}' } }) });
    c.apply(3, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID2, Name: 'geo-db', Template: tpl(), service: { Service: 'long-${name.suffix}' } }) });
    c.apply(4, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID3, Name: 'geo-db-static', service: { Service: 'static' } }) });
    const pq = c.preparedQueries;
    expect(pq.resolve(ID3)?.Service.Service).toBe('static');
    expect(pq.resolve('GEO-DB-STATIC')?.Service.Service).toBe('static');
    expect(pq.resolve('geo-db-x')?.Service.Service).toBe('long--x');
    expect(pq.resolve('geo-x')?.Service.Service).toBe('short--x');
    expect(pq.resolve('other')).toBeUndefined();
    expect(() => pq.resolve(ID1)).toThrow('prepared query templates can only be resolved up by name, not by ID');
    expect(() => pq.resolve('')).toThrow('Missing query ID');
  });

  it('interpolates every Service string: name parts, regexp matches, map values, and drops empty tags on request', () => {
    const c = withNode();
    const q = query({
      ID: ID1,
      Name: 'geo-db',
      Template: tpl('^geo-db-(.*?)-([^\\-]+?)$', true),
      service: {
        Service: 'mysql-${match(1)}',
        Tags: ['${match(2)}', '${match(7)}', 'lit$${x}'],
        NodeMeta: { zone: '${name.prefix}' },
        Failover: { NearestN: 0, Datacenters: ['${match(2)}-dc'], Targets: null },
        Near: '${name.full}',
      },
    });
    expect(c.apply(2, { Type: 'PreparedQuery', Op: 'create', Query: q }).ok).toBe(true);
    const r = c.preparedQueries.resolve('geo-db-customer-primary')!;
    expect(r.Service).toMatchObject({
      Service: 'mysql-customer',
      Tags: ['primary', 'lit${x}'],
      NodeMeta: { zone: 'geo-db' },
      Failover: { Datacenters: ['primary-dc'] },
      Near: 'geo-db-customer-primary',
    });
    // No match: every ${match(N)} is "".
    expect(c.preparedQueries.resolve('geo-db')!.Service.Service).toBe('mysql-');
    // The stored template is untouched by rendering.
    expect(c.preparedQueryGet(ID1).value!.Service.Service).toBe('mysql-${match(1)}');
  });

  it('keeps the table, templates included, through a snapshot (JSON too)', () => {
    const c = withNode();
    c.apply(2, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID1, Name: 'geo', Template: tpl('^geo-(.*)$'), service: { Service: '${match(1)}' } }) });
    c.apply(3, { Type: 'PreparedQuery', Op: 'create', Query: query({ ID: ID2, Name: 'static' }) });
    c.apply(4, { Type: 'PreparedQuery', Op: 'delete', Query: query({ ID: ID2 }) });
    const restored = Catalog.fromSnapshot(JSON.parse(JSON.stringify(c.snapshot())));
    expect(restored.preparedQueryList()).toEqual(c.preparedQueryList());
    expect(restored.preparedQueryList().index).toBe(4);
    expect(restored.preparedQueries.resolve('geo-api')!.Service.Service).toBe('api');
    expect(restored.snapshot()).toEqual(c.snapshot());
  });
});
