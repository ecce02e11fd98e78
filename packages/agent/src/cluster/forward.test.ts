// Which requests go to another datacenter (remoteDatacenter) and how their URL names it.
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { datacentersByDistance } from './datacenter-order.js';
import { remoteDatacenter, withAgentDefaults } from './forward.js';
import type { ForwardedRequest } from '../rpc/messages.js';
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

describe('datacentersByDistance', () => {
  const at = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 });
  it('is name order without coordinates, the local datacenter first only by distance', () => {
    expect(datacentersByDistance(['dc3', 'dc1', 'dc2'], 'dc2', undefined, [])).toEqual(['dc2', 'dc1', 'dc3']);
  });

  it("sorts by the median round trip to each datacenter's servers (Consul's GetDatacentersByDistance)", () => {
    const servers = [
      { datacenter: 'far', coord: at(0.2) },
      { datacenter: 'far', coord: at(0.21) },
      { datacenter: 'far', coord: undefined }, // +Inf: the median of three is the second
      { datacenter: 'near', coord: at(0.01) },
      { datacenter: 'near', coord: at(0.5) },
      { datacenter: 'near', coord: at(0.02) },
      { datacenter: 'dc1', coord: undefined },
    ];
    expect(datacentersByDistance(['near', 'far', 'dc1', 'unknown'], 'dc1', at(0), servers)).toEqual(['dc1', 'near', 'far', 'unknown']);
  });
});

const fwdReq = (body?: string, method = 'PUT', url = '/v1/session/create'): ForwardedRequest => ({
  method,
  url,
  headers: {},
  ...(body !== undefined ? { body: new Uint8Array(Buffer.from(body)) } : {}),
});
const text = (r: ForwardedRequest): string => Buffer.from(r.body ?? new Uint8Array()).toString();

describe('withAgentDefaults', () => {
  it("binds a session created without Node to the asked agent's node", () => {
    expect(JSON.parse(text(withAgentDefaults(fwdReq(), '/v1/session/create', 'client-1')))).toEqual({ Node: 'client-1' });
    expect(JSON.parse(text(withAgentDefaults(fwdReq('{"Name":"x","TTL":"10s"}'), '/v1/session/create', 'client-1')))).toEqual({ Name: 'x', TTL: '10s', Node: 'client-1' });
  });

  it('keeps a given Node (in any case), a bad body, and other requests as they are', () => {
    for (const body of ['{"node":"other"}', '{"Node":"other"}', '{not json', '[1]']) {
      expect(text(withAgentDefaults(fwdReq(body), '/v1/session/create', 'client-1'))).toBe(body);
    }
    expect(withAgentDefaults(fwdReq(undefined, 'GET', '/v1/session/list'), '/v1/session/list', 'client-1').body).toBeUndefined();
    expect(text(withAgentDefaults(fwdReq('{}', 'PUT', '/v1/kv/a'), '/v1/kv/a', 'client-1'))).toBe('{}');
  });
});
