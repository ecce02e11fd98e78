import { backendAddress } from './backend-uri.js';
import { EtcdV2 } from './etcd-v2.js';
import { hostPortLayout, KeyValueRegistry } from './key-value-registry.js';

/**
 * Registrator's etcd backend (etcd/etcd.go): `<prefix>/<name>/<id> = <ip>:<port>` through the
 * v2 keys API, with `-ttl` as the key's TTL. `etcd://host:port/prefix`, default 127.0.0.1:2379
 * (docs/user/backends.md).
 */
export function etcdRegistry(uri: string, ttlSeconds: number): KeyValueRegistry {
  const { hostPort, path } = backendAddress(uri, '127.0.0.1', 2379);
  return new KeyValueRegistry(new EtcdV2(`http://${hostPort}`), hostPortLayout(path.replace(/\/+$/, '')), ttlSeconds);
}
