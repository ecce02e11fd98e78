import { describe, expect, it } from 'vitest';
import { matchDomain, parseLocality, parseName } from './names.js';

const p = (name: string, srv = false) => parseName(name === '' ? [] : name.split('.'), srv);

describe('parseName (agent/dns.go dispatch)', () => {
  it('service forms', () => {
    expect(p('web.service')).toEqual({ kind: 'service', service: 'web', tag: '', locality: {} });
    expect(p('v1.web.service.dc2')).toEqual({ kind: 'service', service: 'web', tag: 'v1', locality: { datacenter: 'dc2' } });
    expect(p('a.b.web.service')).toMatchObject({ service: 'web', tag: 'a.b' });
    expect(p('_web._tcp.service')).toMatchObject({ service: 'web', tag: '' });
    expect(p('_web._v1.service.dc2.dc')).toMatchObject({ service: 'web', tag: 'v1', locality: { datacenter: 'dc2' } });
    expect(p('_web._tcp', true)).toMatchObject({ kind: 'service', service: 'web', tag: '' });
    expect(p('_web._tcp', false)).toEqual({ kind: 'invalid' });
    expect(p('service')).toEqual({ kind: 'invalid' });
    expect(p('web.service.a.b.c')).toEqual({ kind: 'invalid' });
    expect(p('web.service.peer1.peer.x')).toEqual({ kind: 'invalid' });
  });

  it('node, addr, query and unknown forms', () => {
    expect(p('db.primary.node.dc1')).toEqual({ kind: 'node', node: 'db.primary', locality: { datacenter: 'dc1' } });
    expect(p('c000020a.addr.dc1')).toEqual({ kind: 'addr', hex: 'c000020a' });
    expect(p('a.b.addr')).toEqual({ kind: 'invalid' });
    expect(p('x.query')).toEqual({ kind: 'query', query: 'x', locality: {} });
    expect(p('geo.db.query.dc2')).toEqual({ kind: 'query', query: 'geo.db', locality: { datacenter: 'dc2' } });
    expect(p('_geo._tcp.query')).toEqual({ kind: 'query', query: 'geo', locality: {} });
    expect(p('query')).toEqual({ kind: 'invalid' });
    expect(p('foo.bar')).toEqual({ kind: 'invalid' });
    expect(p('')).toEqual({ kind: 'invalid' });
  });

  it('locality and domain matching', () => {
    expect(parseLocality([])).toEqual({});
    expect(parseLocality(['dc2', 'dc'])).toEqual({ datacenter: 'dc2' });
    expect(parseLocality(['x', 'y'])).toBe('invalid');
    // Cluster peers (agent/dns_ce.go parseLocality): `<peer>.peer`, never with `<dc>.dc`.
    expect(parseLocality(['cluster-a', 'peer'])).toEqual({ peer: 'cluster-a' });
    expect(parseLocality(['cluster-a', 'peer', 'dc2', 'dc'])).toBe('invalid');
    expect(parseLocality(['a', 'peer', 'x'])).toBe('invalid');
    expect(p('v1.web.service.cluster-a.peer')).toEqual({ kind: 'service', service: 'web', tag: 'v1', locality: { peer: 'cluster-a' } });
    expect(p('db.node.cluster-a.peer')).toEqual({ kind: 'node', node: 'db', locality: { peer: 'cluster-a' } });
    // `.virtual` (agent/dns.go): a peer from `<peer>.peer` or a lone label; a `<dc>.dc` pair is ignored.
    expect(p('web.virtual')).toEqual({ kind: 'virtual', service: 'web', peer: '' });
    expect(p('web.virtual.east')).toEqual({ kind: 'virtual', service: 'web', peer: 'east' });
    expect(p('web.virtual.east.peer')).toEqual({ kind: 'virtual', service: 'web', peer: 'east' });
    expect(p('web.virtual.dc2.dc')).toEqual({ kind: 'virtual', service: 'web', peer: '' });
    expect(p('web.virtual.a.b.c')).toEqual({ kind: 'invalid' });
    expect(matchDomain('web.service.consul.', ['consul.', 'service.consul.'])).toBe('service.consul.');
    expect(matchDomain('example.org.', ['consul.'])).toBeUndefined();
    expect(matchDomain('notconsul.', ['consul.'])).toBeUndefined();
  });
});
