import { describe, expect, it } from 'vitest';
import { catalogNodeQuery, catalogNodesQuery, catalogServicesQuery, healthServiceQuery, kvGetQuery, kvListQuery, QueryError } from './query.js';

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
  // dependency.go queryRe/GetConsulQueryOpts and each query's String() (consul-template).
  it('takes a ?query before @dc: ns, partition, peer, sameness-group', () => {
    expect(healthServiceQuery('prod.web?peer=other&ns=n@dc2~_agent|any')).toMatchObject({
      name: 'web', tag: 'prod', dc: 'dc2', near: '_agent', filters: ['any'], peer: 'other', namespace: 'n', partition: '', samenessGroup: '',
      id: 'health.service(prod.web@dc2@ns=n@peer=other~_agent|any)',
    });
    expect(healthServiceQuery('web?partition=p&sameness-group=g', true).id).toBe('health.connect(web@partition=p@sameness-group=g|passing)');
    // The same query however its keys are ordered: one blocking query.
    expect(healthServiceQuery('web?ns=n&peer=x').id).toBe(healthServiceQuery('web?peer=x&ns=n').id);
    expect(healthServiceQuery('web').id).not.toBe(healthServiceQuery('web?peer=x').id);
    // The first of a repeated key, as url.Values.Get.
    expect(healthServiceQuery('web?peer=a&peer=b').peer).toBe('a');
    expect(kvGetQuery('app/a?ns=n&partition=p@dc1')).toMatchObject({ key: 'app/a', dc: 'dc1', namespace: 'n', partition: 'p', id: 'kv.get(app/a@dc1@partition=p@ns=n)' });
    expect(kvListQuery('/app/?partition=p')).toMatchObject({ prefix: 'app/', partition: 'p', id: 'kv.list(app/@partition=p)' });
    expect(catalogNodeQuery('n1?ns=n')).toMatchObject({ name: 'n1', namespace: 'n', id: 'catalog.node(n1@ns=n)' });
    expect(catalogNodesQuery('?partition=p@dc1~n1')).toMatchObject({ dc: 'dc1', near: 'n1', partition: 'p', id: 'catalog.nodes(@dc1@partition=p~n1)' });
    expect(catalogServicesQuery('?ns=n@dc1')).toMatchObject({ dc: 'dc1', namespace: 'n', id: 'catalog.services(@dc1@ns=n)' });
    // Only service/connect send a peer or a sameness group; the others take the keys and drop them.
    expect(catalogServicesQuery('?peer=x')).toMatchObject({ peer: '', id: 'catalog.services' });
    expect(kvGetQuery('k?peer=x&sameness-group=g')).toMatchObject({ peer: '', samenessGroup: '', id: 'kv.get(k)' });
  });
  it('refuses other query keys, a peer with a sameness group, and a query after @dc', () => {
    expect(() => healthServiceQuery('web?passing')).toThrow('health.service: invalid query parameter key "passing" in query "passing": supported keys: ns,peer,partition,sameness-group');
    expect(() => kvListQuery('app?dc=x')).toThrow('kv.list: invalid query parameter key "dc" in query "dc=x"');
    expect(() => catalogNodesQuery('?near=x')).toThrow('catalog.nodes: invalid query parameter key "near"');
    expect(() => healthServiceQuery('web?peer=a&sameness-group=g')).toThrow('health.service: cannot specify both peer and sameness-group');
    expect(() => healthServiceQuery('web@dc1?peer=x')).toThrow('health.service: invalid format: "web@dc1?peer=x"');
    expect(() => kvGetQuery('k@dc1?ns=x')).toThrow('kv.get: invalid format');
    expect(() => catalogServicesQuery('~near')).toThrow('catalog.services: invalid format');
  });
});
