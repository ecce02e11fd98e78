import { describe, expect, it } from 'vitest';
import { backendAddress } from './backend-uri.js';
import { KeyValueRegistry } from './key-value-registry.js';
import { openRegistry } from './open-registry.js';
import { ConsulRegistry } from './registry.js';
import { skydnsPath } from './skydns2.js';

describe('openRegistry', () => {
  it('picks the backend by the URI scheme', async () => {
    expect(await openRegistry('consul://127.0.0.1:8500', { ttlSeconds: 0 })).toBeInstanceOf(ConsulRegistry);
    expect(await openRegistry('etcd://127.0.0.1:2379/services', { ttlSeconds: 0 })).toBeInstanceOf(KeyValueRegistry);
    expect(await openRegistry('skydns2://127.0.0.1:2379/cluster.local', { ttlSeconds: 0 })).toBeInstanceOf(KeyValueRegistry);
    expect(await openRegistry('consulkv://127.0.0.1:8500/services', { ttlSeconds: 0 })).toBeInstanceOf(KeyValueRegistry);
    expect(await openRegistry('consulkv-unix:///run/consul.sock:/services', { ttlSeconds: 0 })).toBeInstanceOf(KeyValueRegistry);
    expect((await openRegistry('zookeeper://127.0.0.1:2181/base', { ttlSeconds: 0 })).constructor.name).toBe('ZookeeperRegistry');
  });

  it('rejects an unknown scheme, a skydns2 URI without a domain, and a URI with a query', async () => {
    await expect(openRegistry('consulkv2://127.0.0.1:8500/x', { ttlSeconds: 0 })).rejects.toThrow(/unsupported registry URI "consulkv2:\/\/127.0.0.1:8500\/x"/);
    await expect(openRegistry('consulkv://127.0.0.1:8500', { ttlSeconds: 0 })).rejects.toThrow('consulkv: a key prefix is required');
    await expect(openRegistry('consulkv-unix:///run/consul.sock', { ttlSeconds: 0 })).rejects.toThrow(/socket:\/prefix/);
    await expect(openRegistry('skydns2://127.0.0.1:2379', { ttlSeconds: 0 })).rejects.toThrow('skydns2: dns domain required e.g.: skydns2://<host>/<domain>');
    await expect(openRegistry('skydns2://127.0.0.1:2379/not_a domain', { ttlSeconds: 0 })).rejects.toThrow(/is not a DNS domain/);
    await expect(openRegistry('etcd://127.0.0.1:2379/x?y=1', { ttlSeconds: 0 })).rejects.toThrow(/host:port\/path only/);
  });
});

describe('backend URIs', () => {
  it('default the host and port and keep the path', () => {
    expect(backendAddress('etcd:///services', '127.0.0.1', 2379)).toEqual({ hostPort: '127.0.0.1:2379', path: '/services' });
    expect(backendAddress('etcd://etcd.internal', '127.0.0.1', 2379)).toEqual({ hostPort: 'etcd.internal:2379', path: '' });
    expect(backendAddress('zookeeper://[::1]:9999/base', '127.0.0.1', 2181)).toEqual({ hostPort: '[::1]:9999', path: '/base' });
  });

  it('turn a SkyDNS domain into its etcd path', () => {
    expect(skydnsPath('cluster.local')).toBe('/skydns/local/cluster');
    expect(skydnsPath('skydns.local')).toBe('/skydns/local/skydns');
  });
});
