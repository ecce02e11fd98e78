import { describe, expect, it } from 'vitest';
import { catalogNodeQuery, catalogServicesQuery, healthServiceQuery, kvGetQuery, kvListQuery, QueryError } from './query.js';

describe('consul-template query syntax', () => {
  it('parses service "tag.name@dc~near|filters"', () => {
    expect(healthServiceQuery('web')).toMatchObject({ name: 'web', tag: '', dc: '', filters: ['passing'], id: 'health.service(web|passing)' });
    expect(healthServiceQuery('prod.web@dc2')).toMatchObject({ name: 'web', tag: 'prod', dc: 'dc2' });
    expect(healthServiceQuery('v1.2.web')).toMatchObject({ name: 'web', tag: 'v1.2' });
    expect(healthServiceQuery('web~_agent')).toMatchObject({ near: '_agent' });
    expect(healthServiceQuery('web|any').filters).toEqual(['any']);
    expect(healthServiceQuery('web|warning,passing').filters).toEqual(['passing', 'warning']);
    expect(healthServiceQuery('web|passing,warning').id).toBe(healthServiceQuery('web|warning,passing').id);
  });
  it('rejects bad queries with the query in the message', () => {
    expect(() => healthServiceQuery('web|bogus')).toThrow(/invalid filter: "bogus"/);
    expect(() => healthServiceQuery('we b')).toThrow(QueryError);
    expect(() => healthServiceQuery('')).toThrow(/invalid format/);
  });
  it('parses keys, prefixes, nodes and datacenters', () => {
    expect(kvGetQuery('/service/redis/maxconns@east')).toMatchObject({ key: 'service/redis/maxconns', dc: 'east' });
    expect(kvListQuery('app/')).toMatchObject({ prefix: 'app/', id: 'kv.list(app/)' });
    expect(catalogNodeQuery('node1@dc2')).toMatchObject({ name: 'node1', dc: 'dc2' });
    expect(catalogNodeQuery('')).toMatchObject({ name: '' });
    expect(catalogServicesQuery('@dc3')).toMatchObject({ dc: 'dc3' });
  });
});
