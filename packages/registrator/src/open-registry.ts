import { consulkvRegistry } from './consulkv.js';
import { etcdRegistry } from './etcd.js';
import { ConsulRegistry, type Registry } from './registry.js';
import { skydns2Registry } from './skydns2.js';

export interface BackendOptions {
  /** `-ttl`: seconds an etcd/skydns2 key lives unless refreshed; 0 = forever. */
  ttlSeconds: number;
}

export const REGISTRY_URIS = 'consul://, consul-tls://, consul-unix://, consulkv://, consulkv-unix://, etcd://, skydns2:// or zookeeper://';

/**
 * The backend a registry URI names, as registrator's adapter factories pick it by scheme. The
 * zookeeper client is loaded only when asked for, so the Consul path loads nothing more.
 */
export async function openRegistry(uri: string, opts: BackendOptions): Promise<Registry> {
  const scheme = /^([a-z0-9-]+):\/\//.exec(uri)?.[1];
  switch (scheme) {
    case 'consul':
    case 'consul-tls':
    case 'consul-unix':
      return new ConsulRegistry(uri);
    case 'consulkv':
    case 'consulkv-unix':
      return consulkvRegistry(uri);
    case 'etcd':
      return etcdRegistry(uri, opts.ttlSeconds);
    case 'skydns2':
      return skydns2Registry(uri, opts.ttlSeconds);
    case 'zookeeper': {
      const { ZookeeperRegistry } = await import('./zookeeper.js');
      return ZookeeperRegistry.fromUri(uri);
    }
    default:
      throw new Error(`unsupported registry URI "${uri}": expected ${REGISTRY_URIS}`);
  }
}
