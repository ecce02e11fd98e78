// service-resolver and service-router: decode, Normalize, Validate and the stored JSON shape, with
// the texts of Consul's config_entry_discoverychain_test.go cases.
import { describe, expect, it } from 'vitest';
import { ConfigEntryDecodeError, ConfigEntryInvalidError, parseConfigEntry } from './index.js';

const resolver = (extra: Record<string, unknown>) => parseConfigEntry({ Kind: 'service-resolver', Name: 'test', ...extra });
const router = (routes: unknown[]) => parseConfigEntry({ Kind: 'service-router', Name: 'test', Routes: routes });
const invalid = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigEntryInvalidError || err instanceof ConfigEntryDecodeError) return err.message;
    throw err;
  }
  throw new Error('accepted');
};
const hooks = { filterError: (x: string) => (x.includes('==') ? undefined : 'no match found') };

describe('service-resolver', () => {
  it('is stored in the JSON shape Consul serves: timeouts first as Go durations, maps by sorted key, omitempty', () => {
    const e = parseConfigEntry(
      {
        kind: 'service-resolver', name: 'web', default_subset: 'v1', connect_timeout: '15s', request_timeout: 1_500_000_000,
        subsets: [{ v2: [{ filter: 'Service.Meta.version == v2', only_passing: true }], v1: { filter: 'Service.Meta.version == v1' } }],
        failover: { '*': { datacenters: ['dc2', 'dc3'] } }, load_balancer: { policy: 'ring_hash', ring_hash_config: { minimum_ring_size: 1024 }, hash_policies: [{ field: 'header', field_value: 'x-user' }] },
        meta: { owner: 'team' },
      },
      hooks,
    );
    expect(JSON.stringify(e)).toBe(JSON.stringify({
      ConnectTimeout: '15s', RequestTimeout: '1.5s', Kind: 'service-resolver', Name: 'web', DefaultSubset: 'v1',
      Subsets: { v1: { Filter: 'Service.Meta.version == v1' }, v2: { Filter: 'Service.Meta.version == v2', OnlyPassing: true } },
      Failover: { '*': { Datacenters: ['dc2', 'dc3'] } },
      LoadBalancer: { Policy: 'ring_hash', RingHashConfig: { MinimumRingSize: 1024 }, HashPolicies: [{ Field: 'header', FieldValue: 'x-user' }] },
      Meta: { owner: 'team' }, CreateIndex: 0, ModifyIndex: 0,
    }));
    expect(JSON.stringify(resolver({}))).toBe('{"Kind":"service-resolver","Name":"test","CreateIndex":0,"ModifyIndex":0}');
  });

  it("refuses what Consul's Validate refuses, with its texts", () => {
    const v1 = { v1: { Filter: 'Service.Meta.version == v1' } };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ Name: '' }, 'Name is required'],
      [{ Subsets: { V1: {} } }, `Subset "V1" is invalid: must be 63 characters or fewer, begin or end with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-' in between`],
      [{ Subsets: { [`a${'b'.repeat(63)}`]: {} } }, `Subset "a${'b'.repeat(63)}" is invalid: must be non-empty and 63 characters or fewer`],
      [{ Subsets: { v1: { Filter: 'random string' } } }, 'Filter for subset "v1" is not a valid expression: no match found'],
      [{ DefaultSubset: 'gone', Subsets: v1 }, 'DefaultSubset "gone" is not a valid subset'],
      [{ Redirect: {} }, 'Redirect is empty'],
      [{ Redirect: { ServiceSubset: 'next' } }, 'Redirect.ServiceSubset defined without Redirect.Service'],
      [{ Redirect: { Service: 'test', ServiceSubset: 'gone' } }, 'Redirect.ServiceSubset "gone" is not a valid subset of "test"'],
      [{ Redirect: { Peer: 'cluster-01', ServiceSubset: 'gone' } }, 'Redirect.Peer cannot be set with Redirect.ServiceSubset'],
      [{ Redirect: { Peer: 'cluster-01', Datacenter: 'dc2' } }, 'Redirect.Peer cannot be set with Redirect.Datacenter'],
      [{ Redirect: { Peer: 'cluster-01' } }, 'Redirect.Peer defined without Redirect.Service'],
      [{ Redirect: { Service: 'x', Namespace: 'ns1' } }, 'Redirect: Setting Namespace requires Consul Enterprise'],
      [{ Redirect: { Service: 'x' }, Failover: { '*': { Datacenters: ['dc2'] } } }, 'Redirect and Failover cannot both be set'],
      [{ Failover: { gone: { Datacenters: ['dc2'] } } }, 'Bad Failover["gone"]: not a valid subset subset'],
      [{ Subsets: v1, Failover: { v1: {} } }, 'Bad Failover["v1"]: one of Service, ServiceSubset, Namespace, Targets, SamenessGroup, or Datacenters is required'],
      [{ Subsets: v1, Failover: { v1: { Service: 'test', ServiceSubset: 'gone' } } }, 'Bad Failover["v1"]: ServiceSubset "gone" is not a valid subset of "test"'],
      [{ Failover: { '*': { Service: 'backup', Datacenters: ['', 'dc2'] } } }, 'Bad Failover["*"].Datacenters: found empty datacenter'],
      [{ Failover: { '*': { Targets: [{ ServiceSubset: 'subset' }] } } }, 'Bad Failover["*"].Targets[0]: ServiceSubset "subset" is not a valid subset of "test"'],
      [{ Failover: { '*': { Targets: [{ Peer: 'cluster-01', Datacenter: 'dc1' }] } } }, 'Bad Failover["*"].Targets[0]: Peer cannot be set with Datacenter'],
      [{ Failover: { '*': { Datacenters: ['a'], Targets: [{ Peer: 'cluster-01' }] } } }, 'Bad Failover["*"]: Targets cannot be set with Datacenters'],
      [{ Failover: { '*': { Service: 'other', Targets: [{ Peer: 'cluster-01' }] } } }, 'Bad Failover["*"]: Targets cannot be set with Service'],
      [{ Failover: { '*': { Datacenters: ['dc2'], Policy: { Mode: 'order-by-locality' } } } }, 'Bad Failover["*"]: Setting failover policies requires Consul Enterprise'],
      [{ Failover: { '*': { SamenessGroup: 'sg' } } }, 'Bad Failover["*"]: Setting SamenessGroup requires Consul Enterprise'],
      [{ PrioritizeByLocality: { Mode: 'failover' } }, 'Prioritize-by-locality requires Consul Enterprise '],
      [{ ConnectTimeout: '-1s' }, "Bad ConnectTimeout '-1s', must be >= 0"],
      [{ LoadBalancer: { Policy: 'fake-policy' } }, 'Bad LoadBalancer policy: "fake-policy" is not supported'],
      [{ LoadBalancer: { Policy: 'ring_hash', LeastRequestConfig: { ChoiceCount: 10 } } }, 'Bad LoadBalancer configuration. LeastRequestConfig specified for incompatible load balancing policy "ring_hash"'],
      [{ LoadBalancer: { Policy: 'random', HashPolicies: [{ SourceIP: true }] } }, 'Bad LoadBalancer configuration: HashPolicies specified for non-hash-based Policy: "random"'],
      [{ LoadBalancer: { Policy: 'maglev', HashPolicies: [{ Field: 'header' }] } }, 'Bad LoadBalancer HashPolicy[0]: Field "header" was specified without a FieldValue'],
      [{ LoadBalancer: { Policy: 'maglev', HashPolicies: [{ Field: 'cookie', FieldValue: 'c', CookieConfig: { Session: true, TTL: '10s' } }] } }, 'Bad LoadBalancer HashPolicy[0]: a session cookie cannot have an associated TTL'],
      [{ Bogus: 1 }, '1 error occurred:\n\t* invalid config key "Bogus"\n\n'],
      [{ ConnectTimeout: 'soon' }, `1 error(s) decoding:\n\n* error decoding 'ConnectTimeout': time: invalid duration "soon"`],
    ];
    for (const [extra, text] of cases) expect(invalid(() => parseConfigEntry({ Kind: 'service-resolver', Name: 'test', ...extra }, hooks)), JSON.stringify(extra)).toBe(text);
    // Accepted: a wildcard failover, a self redirect to a subset, targets mixing a peer and a datacenter.
    expect(resolver({ Failover: { '*': { Datacenters: ['dc2'] } } }).Failover).toEqual({ '*': { Datacenters: ['dc2'] } });
    expect(resolver({ Redirect: { Service: 'test', ServiceSubset: 'v1' }, Subsets: v1 }).Redirect).toEqual({ Service: 'test', ServiceSubset: 'v1' });
    expect(() => resolver({ Failover: { '*': { Targets: [{ Peer: 'cluster-01', Service: 'test-v2' }, { Service: 'test-v2', ServiceSubset: 'test' }, { Datacenter: 'dc2' }] } } })).not.toThrow();
  });
});

describe('service-router', () => {
  it('upper-cases methods and is stored as Consul serves it (destination timeouts first)', () => {
    const e = router([{ match: { http: { path_prefix: '/admin', methods: ['get', 'post'], header: [{ name: 'x-debug', present: true }] } }, destination: { service_subset: 'v2', request_timeout: '10s', num_retries: 3, retry_on: ['5xx'] } }, {}]);
    expect(JSON.stringify(e)).toBe(JSON.stringify({
      Kind: 'service-router', Name: 'test',
      Routes: [
        { Match: { HTTP: { PathPrefix: '/admin', Header: [{ Name: 'x-debug', Present: true }], Methods: ['GET', 'POST'] } }, Destination: { RequestTimeout: '10s', ServiceSubset: 'v2', NumRetries: 3, RetryOn: ['5xx'] } },
        {},
      ],
      CreateIndex: 0, ModifyIndex: 0,
    }));
    expect(parseConfigEntry({ Kind: 'service-router', Name: 'test' }).Routes).toBeNull();
  });

  it("refuses what Consul's Validate refuses, with its texts", () => {
    const http = (h: Record<string, unknown>, dest?: Record<string, unknown>) => [{ Match: { HTTP: h }, ...(dest ? { Destination: dest } : {}) }];
    const cases: Array<[unknown[], string]> = [
      [http({ PathExact: 'foo' }), `Route[0] PathExact doesn't start with '/': "foo"`],
      [http({ PathPrefix: 'foo' }), `Route[0] PathPrefix doesn't start with '/': "foo"`],
      [http({ PathPrefix: '/a', PathRegex: '.*' }), 'Route[0] should only contain at most one of PathExact, PathPrefix, or PathRegex'],
      [http({ Header: [{ Exact: 'x' }] }), 'Route[0] Header[0] missing required Name field'],
      [http({ Header: [{ Name: 'x', Exact: 'a', Prefix: 'b' }] }), 'Route[0] Header[0] should only contain one of Present, Exact, Prefix, Suffix, or Regex'],
      [http({ QueryParam: [{ Name: 'q' }] }), 'Route[0] QueryParam[0] should only contain one of Present, Exact, or Regex'],
      [http({ Methods: ['FETCH'] }), 'Route[0] Methods contains an invalid method "FETCH"'],
      [http({ Methods: ['GET', 'get'] }), 'Route[0] Methods contains "GET" more than once'],
      [http({ PathRegex: '/a.*' }, { PrefixRewrite: '/' }), 'Route[0] cannot make use of PrefixRewrite without configuring either PathExact or PathPrefix'],
      [http({ PathPrefix: '/a' }, { RetryOn: ['sometimes'] }), 'Route[0] contains an invalid retry condition: "sometimes"'],
    ];
    for (const [routes, text] of cases) expect(invalid(() => router(routes)), JSON.stringify(routes)).toBe(text);
    expect(invalid(() => parseConfigEntry({ Kind: 'service-router', Routes: [] }))).toBe('Name is required');
  });
});
