import { createClient, type Consul } from '@proconsul/api/node';
import type { Service } from './service.js';

/** Where services go. The seam between the Docker side and the agent; Consul's is the one we ship. */
export interface Registry {
  /** Resolves when the agent answers. */
  ping(): Promise<void>;
  register(service: Service): Promise<void>;
  deregister(serviceId: string): Promise<void>;
  /** The services registered on this agent: ID -> name. */
  services(): Promise<Map<string, string>>;
  /** Marks the TTL check registrator made for a service as passing. */
  refresh(serviceId: string): Promise<void>;
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

  async deregister(serviceId: string): Promise<void> {
    await this.consul.agent.serviceDeregister(serviceId);
  }

  async services(): Promise<Map<string, string>> {
    const all = await this.consul.agent.services();
    return new Map(Object.values(all).map((s) => [s.ID, s.Service]));
  }

  async refresh(serviceId: string): Promise<void> {
    // A service's single check is named `service:<id>` by the agent.
    await this.consul.agent.passTTL(`service:${serviceId}`);
  }
}
