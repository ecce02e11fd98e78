import { describe, expect, it } from 'vitest';
import { Authorizer } from '../acl/authorizer.js';
import { parseRules } from '../acl/rules.js';
import { configEntryReadDenial, configEntryWriteDenial } from './acl.js';

const authz = (rules: string, fallback: 'allow' | 'deny' = 'deny') => new Authorizer(parseRules(rules), fallback);

describe('config entry permissions (each kind\'s CanRead/CanWrite)', () => {
  it('service-defaults: service read/write on the name', () => {
    const a = authz('service "web" { policy = "write" }\nservice_prefix "" { policy = "read" }');
    expect(configEntryWriteDenial(a, 'service-defaults', 'web')).toBeUndefined();
    expect(configEntryWriteDenial(a, 'service-defaults', 'api')).toEqual({ resource: 'service', need: 'write', name: 'api' });
    expect(configEntryReadDenial(a, 'service-defaults', 'api')).toBeUndefined();
  });
  it('proxy-defaults and mesh: read by anyone, written with mesh:write, else operator:write', () => {
    expect(configEntryReadDenial(authz(''), 'proxy-defaults', 'global')).toBeUndefined();
    expect(configEntryWriteDenial(authz('operator = "write"'), 'mesh', 'mesh')).toBeUndefined();
    expect(configEntryWriteDenial(authz('operator = "write"\nmesh = "read"'), 'proxy-defaults', 'global')).toEqual({ resource: 'mesh', need: 'write' });
    expect(configEntryWriteDenial(authz('mesh = "write"'), 'proxy-defaults', 'global')).toBeUndefined();
  });
  it('service-intentions: a service rule\'s intentions, read by default with service read or write', () => {
    const a = authz('service "db" { policy = "read" intentions = "write" }\nservice "web" { policy = "write" }\nservice "x" { policy = "deny" }', 'allow');
    expect(configEntryWriteDenial(a, 'service-intentions', 'db')).toBeUndefined();
    expect(configEntryWriteDenial(a, 'service-intentions', 'web')).toEqual({ resource: 'intention', need: 'write', name: 'web' });
    expect(configEntryReadDenial(a, 'service-intentions', 'web')).toBeUndefined();
    expect(configEntryReadDenial(a, 'service-intentions', 'x')).toEqual({ resource: 'intention', need: 'read', name: 'x' });
    expect(configEntryReadDenial(a, 'service-intentions', 'other')).toBeUndefined(); // no rule: the fallback (allow)
  });
  it('service-splitter: service write on its name and service read on the services it splits to', () => {
    const a = authz('service "web" { policy = "write" }\nservice "api" { policy = "read" }');
    const entry = { Splits: [{ Weight: 50 }, { Weight: 25, Service: 'api' }, { Weight: 25, Service: 'db' }] };
    expect(configEntryWriteDenial(a, 'service-splitter', 'web', entry)).toEqual({ resource: 'service', need: 'read', name: 'db' });
    expect(configEntryWriteDenial(a, 'service-splitter', 'web', { Splits: [{ Weight: 100, Service: 'api' }] })).toBeUndefined();
    expect(configEntryWriteDenial(a, 'service-splitter', 'api', entry)).toEqual({ resource: 'service', need: 'write', name: 'api' });
    expect(configEntryReadDenial(a, 'service-splitter', 'api')).toBeUndefined();
  });
  it('http-route, tcp-route and inline-certificate: mesh:read / mesh:write, else operator', () => {
    for (const kind of ['http-route', 'tcp-route', 'inline-certificate']) {
      expect(configEntryReadDenial(authz('mesh = "read"'), kind, 'r')).toBeUndefined();
      expect(configEntryReadDenial(authz('service_prefix "" { policy = "write" }'), kind, 'r')).toEqual({ resource: 'mesh', need: 'read' });
      expect(configEntryWriteDenial(authz('mesh = "read"'), kind, 'r')).toEqual({ resource: 'mesh', need: 'write' });
      expect(configEntryWriteDenial(authz('operator = "write"'), kind, 'r')).toBeUndefined();
    }
  });
  it('api-gateway: service:read on its name, mesh:write', () => {
    const a = authz('service "gw" { policy = "read" }');
    expect(configEntryReadDenial(a, 'api-gateway', 'gw')).toBeUndefined();
    expect(configEntryReadDenial(a, 'api-gateway', 'other')).toEqual({ resource: 'service', need: 'read', name: 'other' });
    expect(configEntryWriteDenial(authz('service "gw" { policy = "write" }'), 'api-gateway', 'gw')).toEqual({ resource: 'mesh', need: 'write' });
    expect(configEntryWriteDenial(authz('mesh = "write"'), 'api-gateway', 'gw')).toBeUndefined();
  });
  it('jwt-provider: read with service:write on any service (sidecars) or mesh:read; mesh:write', () => {
    expect(configEntryReadDenial(authz('service "web" { policy = "write" }'), 'jwt-provider', 'okta')).toBeUndefined();
    expect(configEntryReadDenial(authz('service "web" { policy = "read" }'), 'jwt-provider', 'okta')).toEqual({ resource: 'mesh', need: 'read' });
    expect(configEntryReadDenial(authz('mesh = "read"'), 'jwt-provider', 'okta')).toBeUndefined();
    expect(configEntryWriteDenial(authz('service "web" { policy = "write" }\nmesh = "read"'), 'jwt-provider', 'okta')).toEqual({ resource: 'mesh', need: 'write' });
    expect(configEntryWriteDenial(authz('mesh = "write"'), 'jwt-provider', 'okta')).toBeUndefined();
  });
});
