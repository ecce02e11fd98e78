import { describe, expect, it } from 'vitest';
import { servicesFromDocument, ServiceFileError } from './service-file.js';
import { combineArgs } from './commands/services.js';

describe('service definition files', () => {
  it('turns Consul config keys into agent API fields, leaving user data alone', () => {
    const [svc] = servicesFromDocument(
      {
        service: {
          name: 'web',
          id: 'web-1',
          port: 8080,
          tags: ['v1'],
          enable_tag_override: true,
          meta: { owner_team: 'core' },
          tagged_addresses: { lan: { address: '10.0.0.1', port: 80 } },
          weights: { passing: 3, warning: 1 },
          check: { id: 'web-http', http: 'http://localhost:8080/health', interval: '10s', tls_skip_verify: true, header: { 'x-a': ['b'] } },
          checks: [{ ttl: '30s', deregister_critical_service_after: '90m' }],
        },
      },
      'web.json',
    );
    expect(svc).toEqual({
      Name: 'web',
      ID: 'web-1',
      Port: 8080,
      Tags: ['v1'],
      EnableTagOverride: true,
      Meta: { owner_team: 'core' },
      TaggedAddresses: { lan: { Address: '10.0.0.1', Port: 80 } },
      Weights: { Passing: 3, Warning: 1 },
      Check: { CheckID: 'web-http', HTTP: 'http://localhost:8080/health', Interval: '10s', TLSSkipVerify: true, Header: { 'x-a': ['b'] } },
      Checks: [{ TTL: '30s', DeregisterCriticalServiceAfter: '90m' }],
    });
  });

  it('reads "services" lists and PascalCase input', () => {
    const list = servicesFromDocument({ services: [{ Name: 'a' }, { name: 'b', Port: 1 }] }, 'x.json');
    expect(list).toEqual([{ Name: 'a' }, { Name: 'b', Port: 1 }]);
  });

  it('refuses documents without a service', () => {
    expect(() => servicesFromDocument({ foo: 1 }, 'x.json')).toThrow(ServiceFileError);
    expect(() => servicesFromDocument([1], 'x.json')).toThrow(ServiceFileError);
  });

  it('fills what a file leaves empty from the flags (CombineArgs)', () => {
    const out = combineArgs({ Name: 'web', Tags: ['a'], Meta: { x: '1' } }, { Name: '', ID: 'w2', Port: 81, Tags: ['b'], Meta: { y: '2' } });
    expect(out).toEqual({ Name: 'web', ID: 'w2', Port: 81, Tags: ['a', 'b'], Meta: { x: '1', y: '2' } });
  });
});
