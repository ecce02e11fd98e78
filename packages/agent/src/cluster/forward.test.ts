// Which requests go to another datacenter (remoteDatacenter) and how their URL names it.
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { orderDatacenters, setDatacenterOrder, byName } from './datacenter-order.js';
import { remoteDatacenter } from './forward.js';
import { withDatacenter } from './role.js';

const req = (method: string, query: Record<string, string>, body?: unknown) =>
  ({ method, query, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) }) as unknown as FastifyRequest;

describe('remoteDatacenter', () => {
  it('takes ?dc= on the endpoints that forward, never the local name or the agent endpoints', () => {
    for (const path of ['/v1/kv/a', '/v1/catalog/nodes', '/v1/health/service/web', '/v1/session/list', '/v1/txn', '/v1/status/leader', '/v1/event/fire/deploy', '/v1/operator/raft/configuration', '/v1/snapshot', '/v1/query', '/v1/coordinate/nodes']) {
      expect([path, remoteDatacenter(req('GET', { dc: 'dc2' }), path, 'dc1')]).toEqual([path, 'dc2']);
    }
    expect(remoteDatacenter(req('GET', { dc: 'dc1' }), '/v1/kv/a', 'dc1')).toBeUndefined();
    expect(remoteDatacenter(req('GET', {}), '/v1/kv/a', 'dc1')).toBeUndefined();
    for (const path of ['/v1/agent/members', '/v1/event/list', '/v1/catalog/datacenters', '/v1/operator/keyring']) {
      expect([path, remoteDatacenter(req('GET', { dc: 'dc2' }), path, 'dc1')]).toEqual([path, undefined]);
    }
  });

  it("takes a catalog register's or deregister's Datacenter (any case) when ?dc= is absent", () => {
    expect(remoteDatacenter(req('PUT', {}, { Datacenter: 'dc2', Node: 'n' }), '/v1/catalog/register', 'dc1')).toBe('dc2');
    expect(remoteDatacenter(req('PUT', {}, { datacenter: 'dc3', Node: 'n' }), '/v1/catalog/deregister', 'dc1')).toBe('dc3');
    expect(remoteDatacenter(req('PUT', {}, { Datacenter: 'dc1' }), '/v1/catalog/register', 'dc1')).toBeUndefined();
    expect(remoteDatacenter(req('PUT', {}, [1, 2]), '/v1/catalog/register', 'dc1')).toBeUndefined();
    expect(remoteDatacenter(req('PUT', {}, { Datacenter: 'dc2' }), '/v1/kv/a', 'dc1')).toBeUndefined();
  });
});

describe('withDatacenter', () => {
  it('sets ?dc= and keeps the other parameters', () => {
    expect(withDatacenter('/v1/kv/a', 'dc2')).toBe('/v1/kv/a?dc=dc2');
    expect(withDatacenter('/v1/kv/a?index=5&wait=1s&dc=dc1', 'dc2')).toBe('/v1/kv/a?index=5&wait=1s&dc=dc2');
    expect(withDatacenter('/v1/health/service/web?passing&stale&dc', 'dc2')).toBe('/v1/health/service/web?passing&stale&dc=dc2');
    expect(withDatacenter('/v1/kv/a?dcx=1', 'east 1')).toBe('/v1/kv/a?dcx=1&dc=east%201');
  });
});

describe('orderDatacenters', () => {
  it('is name order until another ordering is installed', () => {
    expect(orderDatacenters(['dc3', 'dc1', 'dc2'], 'dc2')).toEqual(['dc1', 'dc2', 'dc3']);
    setDatacenterOrder((names, local) => [local, ...names.filter((n) => n !== local)]);
    try {
      expect(orderDatacenters(['dc1', 'dc2'], 'dc2')).toEqual(['dc2', 'dc1']);
    } finally {
      setDatacenterOrder(byName);
    }
  });
});
