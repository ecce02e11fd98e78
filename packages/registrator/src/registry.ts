import { createClient, type Consul } from '@proconsul/api/node';
import type { Service } from './service.js';

/** The fields a backend finds a registration by: Consul the ID, etcd name and ID, zookeeper name and address. */
export type ServiceRef = Pick<Service, 'ID' | 'Name' | 'Address' | 'Port'>;

/**
 * Where services go: registrator's RegistryAdapter. The seam between the Docker side and the
 * backends (consul.ts here, etcd.ts, skydns2.ts, zookeeper.ts; chosen by open-registry.ts).
 */
export interface Registry {
  /** Resolves when the backend answers. */
  ping(): Promise<void>;
  /** Registers, or registers again: idempotent. */
  register(service: Service): Promise<void>;
  /** Removes a registration; one that is already gone is not an error. */
  deregister(service: ServiceRef): Promise<void>;
  /** The registrations the backend can list, for the removal of dangling ones. */
  services(): Promise<ServiceRef[]>;
  /** `-ttl-refresh`: keeps a registration alive (passes Consul's TTL check, sets etcd's key again). */
  refresh(service: Service): Promise<void>;
  /** Drops the backend's connections, when it keeps any. */
  close?(): Promise<void>;
}

/**
 * The registry URI registrator takes: `consul://host:port`, `consul-tls://host:port` or
 * `consul-unix:///path/to/consul.sock`.
 */
export function consulAddress(uri: string): string {
  const m = /^(consul|consul-tls|consul-unix):\/\/(.*)$/.exec(uri);
  if (!m) throw new Error(`unsupported registry URI "${uri}": expected consul://, consul-tls:// or consul-unix://`);
  const [, scheme, rest] = m;
  if (scheme === 'consul-unix') {
    if (!rest) throw new Error(`registry URI "${uri}" names no socket path`);
    return `unix://${rest.startsWith('/') ? rest : `/${rest}`}`;
  }
  const hostPort = rest || '127.0.0.1:8500';
  if (!/^[^/]+$/.test(hostPort)) throw new Error(`registry URI "${uri}": expected host:port after ://`);
  const hasPort = hostPort.startsWith('[') ? /\]:\d+$/.test(hostPort) : /:\d+$/.test(hostPort);
  const withPort = hasPort ? hostPort : `${hostPort}:8500`;
  return `${scheme === 'consul-tls' ? 'https' : 'http'}://${withPort}`;
}

export class ConsulRegistry implements Registry {
  private readonly consul: Consul;

  constructor(uri: string, token = process.env.CONSUL_HTTP_TOKEN, env: Record<string, string | undefined> = process.env) {
    // consul-tls:// takes gliderlabs/registrator's CONSUL_TLSCERT / CONSUL_TLSKEY for the client
    // certificate; CONSUL_CACERT and the other CONSUL_* TLS variables are read by the api client.
    const tls = {
      ...(env['CONSUL_TLSCERT'] ? { certFile: env['CONSUL_TLSCERT'] } : {}),
      ...(env['CONSUL_TLSKEY'] ? { keyFile: env['CONSUL_TLSKEY'] } : {}),
    };
    this.consul = createClient({ address: consulAddress(uri), ...(token ? { token } : {}), tls, env });
  }

  async ping(): Promise<void> {
    await this.consul.status.leader();
  }

  async register(s: Service): Promise<void> {
    await this.consul.agent.serviceRegister({
      ID: s.ID,
      Name: s.Name,
      Address: s.Address,
      Port: s.Port,
      Tags: s.Tags,
      Meta: s.Meta,
      ...(s.Check ? { Check: s.Check } : {}),
    });
  }

  async deregister(service: ServiceRef): Promise<void> {
    await this.consul.agent.serviceDeregister(service.ID);
  }

  async services(): Promise<ServiceRef[]> {
    const all = await this.consul.agent.services();
    return Object.values(all).map((s) => ({ ID: s.ID, Name: s.Service, Address: s.Address, Port: s.Port }));
  }

  async refresh(service: Service): Promise<void> {
    // Only a TTL check needs passing; a service's single check is named `service:<id>` by the agent.
    if (!service.Check?.TTL) return;
    await this.consul.agent.passTTL(`service:${service.ID}`);
  }
}
