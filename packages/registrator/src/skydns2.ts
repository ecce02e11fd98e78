import { EtcdV2 } from './etcd-v2.js';
import { KeyValueRegistry } from './key-value-registry.js';
import { backendAddress } from './backend-uri.js';
import type { Service } from './service.js';

const DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

/**
 * Registrator's skydns2 backend (skydns2/skydns2.go): SkyDNS 2's records in etcd,
 * `/skydns/<domain reversed>/<name>/<id> = {"host":"<ip>","port":<port>}`, with the same TTL
 * and refresh as the etcd backend. `skydns2://host:port/domain`; the domain is required.
 */
export function skydns2Registry(uri: string, ttlSeconds: number): KeyValueRegistry {
  const { hostPort, path } = backendAddress(uri, '127.0.0.1', 2379);
  const domain = path.slice(1).replace(/\.$/, '');
  if (!domain) throw new Error(`skydns2: dns domain required e.g.: skydns2://<host>/<domain>`);
  if (!DOMAIN.test(domain)) throw new Error(`skydns2: "${domain}" is not a DNS domain`);
  return new KeyValueRegistry(new EtcdV2(`http://${hostPort}`), { prefix: skydnsPath(domain), encode: record, decode: parseRecord }, ttlSeconds);
}

/** `cluster.local` -> `/skydns/local/cluster`. */
export function skydnsPath(domain: string): string {
  return `/skydns/${domain.split('.').reverse().join('/')}`;
}

/** The record exactly as registrator writes it (host first, then port, no TTL field). */
function record(service: Service): string {
  return `{"host":${JSON.stringify(service.Address)},"port":${service.Port}}`;
}

function parseRecord(value: string): Pick<Service, 'Address' | 'Port'> | undefined {
  try {
    const r = JSON.parse(value) as { host?: unknown; port?: unknown };
    return typeof r.host === 'string' && typeof r.port === 'number' ? { Address: r.host, Port: r.port } : undefined;
  } catch {
    return undefined;
  }
}
