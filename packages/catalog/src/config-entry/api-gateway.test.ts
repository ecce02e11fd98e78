import { describe, expect, it } from 'vitest';
import { parseConfigEntry } from './index.js';

const gw = (listeners: unknown, extra: Record<string, unknown> = {}) => ({ Kind: 'api-gateway', Name: 'gw', Listeners: listeners, ...extra });
const http = (over: Record<string, unknown> = {}) => ({ Name: 'web', Port: 8443, Protocol: 'HTTP', ...over });

describe('the api-gateway config entry (config_entry_gateways.go APIGatewayConfigEntry)', () => {
  it('is stored with the listener protocol lower-cased, a certificate kind defaulted and an empty Status', () => {
    const e = parseConfigEntry(gw([http({ Hostname: '*.example.com', TLS: { Certificates: [{ Name: 'cert' }], MinVersion: 'TLSv1_2' } })]));
    expect(e).toEqual({
      Kind: 'api-gateway', Name: 'gw',
      Listeners: [{
        Name: 'web', Hostname: '*.example.com', Port: 8443, Protocol: 'http',
        TLS: { Certificates: [{ Kind: 'inline-certificate', Name: 'cert', SectionName: '' }], MaxVersion: '', MinVersion: 'TLSv1_2', CipherSuites: null },
      }],
      Status: { Conditions: null }, CreateIndex: 0, ModifyIndex: 0,
    });
  });

  it('decodes lower-case keys and a listener on a shared port with the same hostname and protocol', () => {
    const e = parseConfigEntry({ kind: 'api-gateway', name: 'gw', listeners: [{ name: 'a', port: 80, protocol: 'tcp' }, { name: 'b', port: 80, protocol: 'tcp' }] });
    expect((e.Listeners as unknown[]).length).toBe(2);
  });

  it('refuses a JWT policy: an enterprise feature', () => {
    expect(() => parseConfigEntry(gw([http({ Default: { JWT: { Providers: [{ Name: 'okta' }] } } })]))).toThrow(
      'invalid config key "Listeners[0].Default.JWT.Providers", api-gateway jwt validation is a consul enterprise feature',
    );
  });

  it.each([
    [gw([]), 'api gateway must have at least one listener'],
    [gw(undefined), 'api gateway must have at least one listener'],
    [gw([http({ Name: 'Web' })]), 'listener name "Web" is invalid, must be at least 1 character and contain only letters, numbers, or dashes'],
    [gw([http({ Name: '' })]), 'listener name "" is invalid, must be at least 1 character and contain only letters, numbers, or dashes'],
    [gw([http(), http({ Port: 9000 })]), 'found multiple listeners with the name "web"'],
    [gw([http(), http({ Name: 'raw', Protocol: 'tcp' })]), 'listeners "web" and "raw" cannot be merged'],
    [gw([http({ Name: 'a', Hostname: 'a.com' }), http({ Name: 'b', Hostname: 'b.com' })]), 'listeners "a" and "b" cannot be merged'],
    [gw([http({ Protocol: 'grpc' })]), `unsupported listener protocol "grpc", must be one of 'tcp', or 'http'`],
    [gw([http({ Protocol: 'tcp', Hostname: 'a.com' })]), 'hostname specification is not supported when using TCP'],
    [gw([http({ Port: 0 })]), 'listener port 0 not in the range 1-65535'],
    [gw([http({ Port: 70000 })]), 'listener port 70000 not in the range 1-65535'],
    [gw([http({ Hostname: 'a.*.com' })]), 'host "a.*.com" is not valid, a wildcard specifier is only allowed as the left-most label'],
    [gw([http({ TLS: { Certificates: [{ Kind: 'file-system-certificate', Name: 'c' }] } })]), `unsupported certificate kind: "file-system-certificate", must be 'inline-certificate'`],
    [gw([http({ TLS: { Certificates: [{ Kind: 'inline-certificate' }] } })]), 'certificate reference must have a name'],
    [gw([http({ TLS: { MinVersion: 'TLSv1_3', MaxVersion: 'TLSv1_2' } })]), 'configuring max version TLSv1_2 less than the configured min version TLSv1_3 is invalid'],
    [gw([http({ TLS: { MinVersion: 'TLSv9' } })]), 'no matching TLS version found for TLSv9'],
    [gw([http()], { Meta: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }), 'Meta exceeds maximum element count 64'],
  ])('refuses %j', (raw, text) => {
    expect(() => parseConfigEntry(raw)).toThrow(text);
  });
});
