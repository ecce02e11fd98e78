import { describe, expect, it } from 'vitest';
import { parseWatchPlan } from './watch-plan.js';

describe('parseWatchPlan (Consul watch.ParseExempt)', () => {
  it('reads the generic parameters and hands the exempt ones back', () => {
    const p = parseWatchPlan({ type: 'service', service: 'web', tag: ['a', 'b'], passingonly: true, datacenter: 'dc2', token: 't', args: ['x'] }, ['handler', 'args']);
    expect(p).toMatchObject({ type: 'service', datacenter: 'dc2', token: 't', handlerType: '', exempt: { args: ['x'] }, indexBased: true });
    expect(parseWatchPlan({ type: 'agent_service', service_id: 'web-1' }).indexBased).toBe(false);
  });

  it('knows the Connect certificate watches: connect_roots, and connect_leaf with its service', () => {
    expect(parseWatchPlan({ type: 'connect_roots' })).toMatchObject({ type: 'connect_roots', indexBased: true });
    expect(parseWatchPlan({ type: 'connect_leaf', service: 'web' })).toMatchObject({ type: 'connect_leaf', indexBased: true });
    expect(() => parseWatchPlan({ type: 'connect_roots', service: 'web' })).toThrow('Invalid parameters: [service]');
  });

  it('gives an http handler its defaults: POST, 10 s, no headers', () => {
    const p = parseWatchPlan({ type: 'nodes', handler_type: 'http', http_handler_config: { path: 'http://h/x' } });
    expect(p.httpHandlerConfig).toEqual({ path: 'http://h/x', method: 'POST', timeoutMs: 10_000, header: {}, tlsSkipVerify: false });
    const q = parseWatchPlan({ type: 'nodes', handler_type: 'http', http_handler_config: { path: 'http://h/x', method: 'PUT', timeout: '2s', header: { a: 'b' }, tls_skip_verify: true } });
    expect(q.httpHandlerConfig).toEqual({ path: 'http://h/x', method: 'PUT', timeoutMs: 2_000, header: { a: ['b'] }, tlsSkipVerify: true });
  });

  it.each<[Record<string, unknown>, string]>([
    [{}, 'Watch type must be specified'],
    [{ type: 7 }, 'Expecting type to be a string'],
    [{ type: 'key' }, 'Must specify a single key to watch'],
    [{ type: 'keyprefix' }, 'Must specify a single prefix to watch'],
    [{ type: 'service' }, 'Must specify a single service to watch'],
    [{ type: 'service', service: 'web', tag: [1] }, 'Index 0 of tag expected to be string'],
    [{ type: 'service', service: 'web', tag: 1 }, 'Expecting tag to be a string or []string'],
    [{ type: 'key', key: 'k', stale: 'yes' }, 'Expecting stale to be a boolean'],
    [{ type: 'checks', service: 'web', state: 'passing' }, 'Cannot specify service and state'],
    [{ type: 'services', zone: 'a', region: 'b' }, 'Invalid parameters: [region zone]'],
    [{ type: 'bogus' }, 'Unsupported watch type: bogus'],
    [{ type: 'nodes', handler_type: 'http' }, "Handler type 'http' requires 'http_handler_config' to be set"],
    [{ type: 'nodes', handler_type: 'http', http_handler_config: {} }, "Failed to parse 'http_handler_config': Requires 'path' to be set"],
    [{ type: 'nodes', handler_type: 'http', http_handler_config: { path: 'p', timeout: 'soon' } }, "Failed to parse 'http_handler_config': Failed to parse timeout: "],
    [{ type: 'key', key: 'k', args: ['x'] }, 'Invalid parameters: [args]'],
  ])('%j: %s', (spec, message) => {
    expect(() => parseWatchPlan(spec)).toThrow(message);
  });

  it('does not change the specification it is given', () => {
    const spec = { type: 'key', key: 'k', args: ['x'] };
    parseWatchPlan(spec, ['args']);
    expect(spec).toEqual({ type: 'key', key: 'k', args: ['x'] });
  });
});
