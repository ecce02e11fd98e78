import { describe, expect, it } from 'vitest';
import type { ContainerInspectInfo } from 'dockerode';
import { defaultServiceName, newService, type NamingOptions } from './service.js';
import { servicePorts } from './ports.js';
import { InvalidMetadataError } from './errors.js';

function container(over: { image?: string; env?: string[]; labels?: Record<string, string>; ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null>; exposed?: string[]; networks?: Record<string, string> } = {}): ContainerInspectInfo {
  return {
    Id: 'c0ffee0123456789',
    Name: '/shop_web_1',
    State: { Running: true },
    Config: {
      Image: over.image ?? 'example/web:1.2',
      Env: over.env ?? [],
      Labels: over.labels ?? {},
      ExposedPorts: Object.fromEntries((over.exposed ?? Object.keys(over.ports ?? {})).map((p) => [p, {}])),
    },
    NetworkSettings: {
      IPAddress: over.networks ? '' : '172.17.0.5',
      Ports: over.ports ?? {},
      Networks: Object.fromEntries(Object.entries(over.networks ?? { bridge: '172.17.0.5' }).map(([n, ip]) => [n, { IPAddress: ip }])),
    },
    HostConfig: {},
  } as unknown as ContainerInspectInfo;
}

const opts: NamingOptions = { hostname: 'host1', hostAddress: '192.0.2.10', internal: false, explicit: false, tags: [], ttlSeconds: 0 };

function services(info: ContainerInspectInfo, o: NamingOptions = opts) {
  const ports = servicePorts(info).filter((p) => o.internal || p.hostPort !== '');
  return ports.map((p) => newService(info, p, ports.length > 1, o));
}

describe('newService', () => {
  it('names a single published port after the image, with registrator\'s ID', () => {
    const [s] = services(container({ ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }] } }));
    expect(s).toMatchObject({ ID: 'host1:shop_web_1:80', Name: 'web', Address: '192.0.2.10', Port: 32768, Tags: [], Meta: {} });
  });

  it('appends -<port> for several ports, also with SERVICE_NAME, but not with SERVICE_<port>_NAME', () => {
    const info = container({
      env: ['SERVICE_NAME=api', 'SERVICE_443_NAME=api-tls'],
      ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '443/tcp': [{ HostIp: '127.0.0.1', HostPort: '8443' }] },
    });
    expect(services(info).map((s) => s?.Name)).toEqual(['api-80', 'api-tls']);
    expect(services(info).map((s) => s?.Address)).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('uses the container address and exposed port with -internal, and marks UDP', () => {
    const info = container({ ports: { '53/udp': null } });
    const [s] = services(info, { ...opts, internal: true });
    expect(s).toMatchObject({ ID: 'host1:shop_web_1:53:udp', Address: '172.17.0.5', Port: 53, Tags: ['udp'] });
  });

  it('finds the address on a user-defined network where the bridge address is empty', () => {
    const info = container({ networks: { shop_default: '10.5.0.3' }, ports: { '80/tcp': null } });
    expect(services(info, { ...opts, internal: true })[0]?.Address).toBe('10.5.0.3');
  });

  it('honours SERVICE_ID, SERVICE_TAGS, -tags, SERVICE_IGNORE and -explicit', () => {
    const published = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] };
    const [s] = services(container({ env: ['SERVICE_ID=custom', 'SERVICE_TAGS=a,b', 'SERVICE_VERSION=2'], ports: published }), { ...opts, tags: ['b', 'c'] });
    expect(s).toMatchObject({ ID: 'custom', Tags: ['a', 'b', 'c'], Meta: { version: '2' } });
    expect(services(container({ env: ['SERVICE_IGNORE=true'], ports: published }))).toEqual([null]);
    expect(services(container({ ports: published }), { ...opts, explicit: true })).toEqual([null]);
  });

  it('keeps meta keys named like Object.prototype members (SERVICE___PROTO__, SERVICE_CONSTRUCTOR)', () => {
    const published = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] };
    const [s] = services(container({ env: ['SERVICE___PROTO__=p', 'SERVICE_CONSTRUCTOR=c'], labels: { SERVICE_80_TOSTRING: 't' }, ports: published }));
    expect(JSON.stringify(s?.Meta)).toBe('{"__proto__":"p","constructor":"c","tostring":"t"}');
  });

  it('builds the check from SERVICE_CHECK_* and keeps check keys out of Meta', () => {
    const env = ['SERVICE_CHECK_HTTP=/health', 'SERVICE_CHECK_INTERVAL=5s', 'SERVICE_CHECK_TIMEOUT=1s', 'SERVICE_CHECK_INITIAL_STATUS=passing'];
    const [s] = services(container({ env, ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '9000' }] } }));
    expect(s?.Check).toEqual({ HTTP: 'http://127.0.0.1:9000/health', Interval: '5s', Timeout: '1s', Status: 'passing' });
    expect(s?.Meta).toEqual({});
  });

  it('rejects an invalid value, naming the container and the key', () => {
    const published = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] };
    expect(() => services(container({ env: ['SERVICE_CHECK_INTERVAL=often'], ports: published }))).toThrow(/shop_web_1: SERVICE_CHECK_INTERVAL/);
    expect(() => services(container({ env: ['SERVICE_NAME=no spaces'], ports: published }))).toThrow(InvalidMetadataError);
  });
});

describe('defaultServiceName', () => {
  it('prefers the compose service and never yields an invalid DNS name from a digest', () => {
    expect(defaultServiceName(container({ labels: { 'com.docker.compose.service': 'web' }, image: 'x/other' }))).toBe('web');
    expect(defaultServiceName(container({ image: 'registry.local:5000/team/api@sha256:' + 'a'.repeat(64) }))).toBe('api');
    expect(defaultServiceName(container({ image: 'my_app:latest' }))).toBe('my-app');
  });
});
