import type { Registry, ServiceRef } from './registry.js';
import type { Service } from './service.js';

/** A key/value store registrator writes services into: etcd's v2 keys API or Consul's KV. */
export interface KeyStore {
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  /** Sets a key; `ttlSeconds` > 0 makes it expire unless set again (stores without TTLs ignore it). */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Deletes a key; one already gone is fine. */
  delete(key: string): Promise<void>;
  /** Every key with a value under `dir`, at any depth, with the store's full key. */
  list(dir: string): Promise<Array<{ key: string; value: string }>>;
}

/** How a backend lays services out: `<prefix>/<service-name>/<service-id> = <value>`. */
export interface KeyValueLayout {
  prefix: string;
  encode(service: Service): string;
  /** The address and port back from a value; undefined when the value is not one of ours. */
  decode(value: string): Pick<Service, 'Address' | 'Port'> | undefined;
}

/**
 * Registrator's key/value backends (etcd, skydns2, consulkv): one key per service at
 * `<prefix>/<name>/<id>`, set with `-ttl` as its TTL where the store has TTLs, and set again
 * on every `-ttl-refresh`.
 */
export class KeyValueRegistry implements Registry {
  constructor(private readonly store: KeyStore, private readonly layout: KeyValueLayout, private readonly ttlSeconds: number) {}

  ping(): Promise<void> {
    return this.store.ping();
  }

  register(service: Service): Promise<void> {
    return this.store.set(this.key(service), this.layout.encode(service), this.ttlSeconds);
  }

  deregister(service: ServiceRef): Promise<void> {
    return this.store.delete(this.key(service));
  }

  /** Registrator lists nothing here; we list `<prefix>/<name>/<id>` so dangling keys are removed as with Consul. */
  async services(): Promise<ServiceRef[]> {
    const refs: ServiceRef[] = [];
    const dir = `${this.layout.prefix}/`;
    for (const { key, value } of await this.store.list(dir)) {
      if (!key.startsWith(dir)) continue;
      const rest = key.slice(dir.length).split('/');
      // [name, id]: exactly two levels below the prefix.
      if (rest.length !== 2) continue;
      const addr = this.layout.decode(value);
      if (addr) refs.push({ Name: rest[0]!, ID: rest[1]!, ...addr });
    }
    return refs;
  }

  refresh(service: Service): Promise<void> {
    return this.register(service);
  }

  private key(service: ServiceRef): string {
    return `${this.layout.prefix}/${service.Name}/${service.ID}`;
  }
}

/** `<prefix>/<name>/<id> = <ip>:<port>`: the layout of registrator's etcd and consulkv backends. */
export function hostPortLayout(prefix: string): KeyValueLayout {
  return {
    prefix,
    // Go's net.JoinHostPort: an IPv6 address in brackets.
    encode: (s) => `${s.Address.includes(':') ? `[${s.Address}]` : s.Address}:${s.Port}`,
    decode: (value) => {
      const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(value);
      return m ? { Address: m[1]!, Port: Number(m[2]) } : undefined;
    },
  };
}
