import { createClient, kvValueText, type Consul } from '@proconsul/api/node';
import { parseRegistryUri } from './backend-uri.js';
import { hostPortLayout, KeyValueRegistry, type KeyStore } from './key-value-registry.js';

/** Consul's KV store as a KeyStore: no TTLs, as in registrator's consulkv backend. */
class ConsulKV implements KeyStore {
  constructor(private readonly consul: Consul) {}

  async ping(): Promise<void> {
    await this.consul.status.leader();
  }

  async set(key: string, value: string): Promise<void> {
    await this.consul.kv.put(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.consul.kv.delete(key);
  }

  async list(dir: string): Promise<Array<{ key: string; value: string }>> {
    const { data } = await this.consul.kv.list(dir);
    return data.map((pair) => ({ key: pair.Key, value: kvValueText(pair) }));
  }
}

/**
 * Registrator's consulkv backend (consulkv/consulkv.go): `<prefix>/<name>/<id> = <ip>:<port>`
 * in Consul's KV store, with no TTL (`-ttl-refresh` just writes the key again).
 * `consulkv://host:port/prefix` (default CONSUL_HTTP_ADDR, else 127.0.0.1:8500) or
 * `consulkv-unix:///path/to/consul.sock:/prefix`; the token is CONSUL_HTTP_TOKEN.
 */
export function consulkvRegistry(uri: string, env: Record<string, string | undefined> = process.env): KeyValueRegistry {
  const url = parseRegistryUri(uri);
  let address = url.host;
  let path = decodeURIComponent(url.pathname);
  if (url.protocol === 'consulkv-unix:') {
    // The socket path and the prefix share the URI's path, split at the first ':'.
    const colon = path.indexOf(':');
    if (colon < 0) throw new Error(`consulkv-unix: expected consulkv-unix:///path/to/socket:/prefix, not "${uri}"`);
    address = `unix://${path.slice(0, colon)}`;
    path = path.slice(colon + 1);
  }
  const prefix = path.replace(/^\/+|\/+$/g, '');
  if (!prefix) throw new Error(`consulkv: a key prefix is required, e.g. consulkv://127.0.0.1:8500/services`);
  const consul = createClient({ ...(address ? { address } : {}), env });
  return new KeyValueRegistry(new ConsulKV(consul), hostPortLayout(prefix), 0);
}
