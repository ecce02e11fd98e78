import { describe, expect, it } from 'vitest';
import { parseConfigEntry } from './index.js';

const route = (extra: Record<string, unknown>) => ({ Kind: 'http-route', Name: 'r', Parents: [{ Name: 'gw' }], ...extra });
const match = (m: Record<string, unknown>) => route({ Rules: [{ Matches: [m] }] });

describe('the http-route config entry (config_entry_routes.go HTTPRouteConfigEntry)', () => {
  it('is stored normalized: parent kind api-gateway, method upper-cased, an empty path a "/" prefix, weight at least 1', () => {
    const e = parseConfigEntry({
      kind: 'http-route', name: 'r', parents: [{ name: 'gw', sectionName: 'web' }], hostnames: ['a.example.com'],
      rules: [{ matches: [{ method: 'get' }], services: [{ name: 'api' }], filters: { timeoutFilter: { requestTimeout: '5s' } } }],
    });
    expect(e).toMatchObject({
      Kind: 'http-route', Name: 'r', Parents: [{ Kind: 'api-gateway', Name: 'gw', SectionName: 'web' }], Hostnames: ['a.example.com'],
      Status: { Conditions: null },
    });
    const rule = (e.Rules as Record<string, unknown>[])[0]!;
    expect(rule.Matches).toEqual([{ Headers: null, Method: 'GET', Path: { Match: 'prefix', Value: '/' }, Query: null }]);
    expect(rule.Services).toEqual([{ Name: 'api', Weight: 1, Filters: { Headers: null, URLRewrite: null, RetryFilter: null, TimeoutFilter: null } }]);
    expect(rule.Filters).toEqual({ Headers: null, URLRewrite: null, RetryFilter: null, TimeoutFilter: { RequestTimeout: 5e9, IdleTimeout: 0 } });
  });

  it.each([
    [route({ Hostnames: ['*.example.com'] }), 'host "*.example.com" must not be a wildcard'],
    [route({ Hostnames: [`${'a'.repeat(64)}.com`] }), `host "${'a'.repeat(64)}.com" must be a valid DNS hostname`],
    [route({ Parents: [{ Kind: 'ingress-gateway', Name: 'gw' }] }), `unsupported parent kind: "ingress-gateway", must be 'api-gateway'`],
    [route({ Parents: [{ Name: 'gw' }, { Kind: 'api-gateway', Name: 'gw' }] }), 'route parents must be unique'],
    [match({ Method: 'FETCH' }), 'Rule[0], Match[0], Method contains an invalid method "FETCH"'],
    [match({ Query: [{ Match: 'exact' }] }), 'Rule[0], Match[0], Query[0], missing required Name field'],
    [match({ Query: [{ Name: 'q', Match: 'prefix' }] }), 'Rule[0], Match[0], Query[0], match type should be one of present, exact, or regex'],
    [match({ Headers: [{ Match: 'exact' }] }), 'Rule[0], Match[0], Headers[0], missing required Name field'],
    [match({ Headers: [{ Name: 'x', Match: 'contains' }] }), 'Rule[0], Match[0], Headers[0], match type should be one of present, exact, prefix, suffix, or regex'],
    [match({ Path: { Match: 'exact', Value: 'api' } }), `Rule[0], Match[0], Path, exact type match doesn't start with '/': "api"`],
    [match({ Path: { Match: 'glob', Value: '/api' } }), 'Rule[0], Match[0], Path, match type should be one of exact, prefix, or regex'],
  ])('refuses %j', (raw, text) => {
    expect(() => parseConfigEntry(raw)).toThrow(text);
  });

  it('refuses a JWT filter: an enterprise feature', () => {
    expect(() => parseConfigEntry(route({ Rules: [{ Filters: { JWT: { Providers: [] } } }] }))).toThrow('api-gateway jwt validation is a consul enterprise feature');
  });
});

describe('the tcp-route config entry (config_entry_routes.go TCPRouteConfigEntry)', () => {
  it('is stored with the parent kind defaulted', () => {
    expect(parseConfigEntry({ Kind: 'tcp-route', Name: 't', Parents: [{ Name: 'gw' }], Services: [{ Name: 'db' }] })).toEqual({
      Kind: 'tcp-route', Name: 't', Parents: [{ Kind: 'api-gateway', Name: 'gw', SectionName: '' }], Services: [{ Name: 'db' }],
      Status: { Conditions: null }, CreateIndex: 0, ModifyIndex: 0,
    });
  });
  it.each([
    [{ Services: [{ Name: 'a' }, { Name: 'b' }] }, 'tcp-route currently only supports one service'],
    [{ Parents: [{ Kind: 'http-route', Name: 'x' }] }, `unsupported parent kind: "http-route", must be 'api-gateway'`],
    [{ Parents: [{ Name: 'gw' }, { Name: 'gw' }] }, 'route parents must be unique'],
  ])('refuses %j', (extra, text) => {
    expect(() => parseConfigEntry({ Kind: 'tcp-route', Name: 't', ...extra })).toThrow(text);
  });
});
