import { describe, expect, it } from 'vitest';
import { Catalog } from '../catalog.js';
import { parseConfigEntry } from './index.js';

const provider = (extra: Record<string, unknown>) => ({ Kind: 'jwt-provider', Name: 'okta', JSONWebKeySet: { Remote: { URI: 'https://okta.example.com/keys' } }, ...extra });
const remote = (r: Record<string, unknown>) => provider({ JSONWebKeySet: { Remote: { URI: 'https://okta.example.com/keys', ...r } } });

describe('the jwt-provider config entry (config_entry_jwt_provider.go)', () => {
  it('decodes snake_case aliases, defaults ClockSkewSeconds to 30 and leaves empty fields out', () => {
    const e = parseConfigEntry({
      kind: 'jwt-provider', name: 'okta', issuer: 'okta',
      json_web_key_set: { remote: { uri: 'https://okta.example.com/keys', cache_duration: '10m', retry_policy: { num_retries: 2, retry_policy_back_off: { base_interval: '1s' } } } },
      locations: [{ header: { name: 'Authorization', value_prefix: 'Bearer ' } }, { query_param: { name: 'token' } }],
      forwarding: { header_name: 'x-jwt' },
    });
    expect(e).toEqual({
      Kind: 'jwt-provider', Name: 'okta', Issuer: 'okta',
      JSONWebKeySet: { Remote: { URI: 'https://okta.example.com/keys', CacheDuration: 600e9, RetryPolicy: { NumRetries: 2, RetryPolicyBackOff: { BaseInterval: 1e9 } } } },
      Locations: [{ Header: { Name: 'Authorization', ValuePrefix: 'Bearer ' } }, { QueryParam: { Name: 'token' } }],
      Forwarding: { HeaderName: 'x-jwt', PadForwardPayloadHeader: false }, ClockSkewSeconds: 30, CreateIndex: 0, ModifyIndex: 0,
    });
  });

  it('accepts a local base64 key set', () => {
    expect(parseConfigEntry(provider({ JSONWebKeySet: { Local: { JWKS: Buffer.from('{"keys":[]}').toString('base64') } }, ClockSkewSeconds: 5 }))).toMatchObject({ ClockSkewSeconds: 5 });
  });

  it.each([
    [provider({ Name: '' }), 'Name is required'],
    [provider({ JSONWebKeySet: undefined }), 'JSONWebKeySet is required'],
    [provider({ JSONWebKeySet: {} }), 'must specify exactly one of Local or Remote JSON Web key set'],
    [provider({ JSONWebKeySet: { Local: { JWKS: 'e30=', Filename: '/k' } } }), 'must specify exactly one of String or filename for local keyset'],
    [provider({ JSONWebKeySet: { Local: { JWKS: 'not base64!' } } }), 'JWKS must be valid base64 encoded string'],
    [remote({ URI: '' }), 'Remote JWKS URI is required'],
    [remote({ URI: 'okta.example.com/keys' }), 'Remote JWKS URI is invalid: parse "okta.example.com/keys": invalid URI for request, uri: okta.example.com/keys'],
    [remote({ URI: '://keys' }), 'Remote JWKS URI is invalid: parse "://keys": missing protocol scheme, uri: ://keys'],
    [remote({ RetryPolicy: { RetryPolicyBackOff: { BaseInterval: '10s', MaxInterval: '1s' } } }), "retry policy backoff's MaxInterval should be greater or equal to BaseInterval"],
    [remote({ JWKSCluster: { DiscoveryType: 'DNS' } }), 'unsupported jwks cluster discovery type: "DNS"'],
    [remote({ JWKSCluster: { TLSCertificates: {} } }), "must specify exactly one of: CaCertificateProviderInstance or TrustedCA for JKWS' TLSCertificates"],
    [remote({ JWKSCluster: { TLSCertificates: { TrustedCA: { Filename: '/a', InlineString: 'b' } } } }), "must specify exactly one of: Filename, EnvironmentVariable, InlineString or InlineBytes for JWKS' TrustedCA"],
    [provider({ Locations: [{ Header: { Name: 'a' }, Cookie: { Name: 'b' } }] }), 'must set exactly one of: JWT location header, query param or cookie'],
    [provider({ Locations: [{ Header: {} }, { Cookie: {} }] }), '2 errors occurred:\n\t* JWT location header name must be specified\n\t* JWT location cookie name must be specified'],
    [provider({ Locations: [{ QueryParam: {} }] }), 'JWT location query param name must be specified'],
    [provider({ Forwarding: { PadForwardPayloadHeader: true } }), 'Header name required for forwarding config'],
  ])('refuses %j', (raw, text) => {
    expect(() => parseConfigEntry(raw)).toThrow(text);
  });
});

describe('service-intentions naming jwt-providers (validateJWTProvidersExist)', () => {
  const put = (c: Catalog, idx: number, raw: Record<string, unknown>) => c.apply(idx, { Type: 'ConfigEntry', Op: 'upsert', Entry: parseConfigEntry(raw) });
  const intentions = {
    Kind: 'service-intentions', Name: 'api', JWT: { Providers: [{ Name: 'okta' }] },
    Sources: [{ Name: 'web', Permissions: [{ Action: 'allow', HTTP: { PathPrefix: '/' }, JWT: { Providers: [{ Name: 'auth0' }] } }] }],
  };
  it('refuses an intentions entry naming a provider that does not exist, as Consul\'s state store does', () => {
    const c = new Catalog();
    expect(put(c, 2, intentions).error).toBe(
      '2 errors occurred:\n\t* Referenced JWT Provider does not exist. Provider Name: auth0\n\t* Referenced JWT Provider does not exist. Provider Name: okta\n\n',
    );
    expect(put(c, 3, provider({})).ok).toBe(true);
    expect(put(c, 4, intentions).error).toBe('1 error occurred:\n\t* Referenced JWT Provider does not exist. Provider Name: auth0\n\n');
    expect(put(c, 5, provider({ Name: 'auth0' })).ok).toBe(true);
    expect(put(c, 6, intentions).ok).toBe(true);
  });
});
