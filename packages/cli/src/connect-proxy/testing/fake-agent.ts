/**
 * A stand-in for the local agent's HTTP API, the seam the proxy talks through: the
 * Consul-shaped answers of /v1/agent/connect/ca/roots and /leaf/:service (index blocking),
 * /v1/agent/service/:id (hash blocking) and /v1/agent/services, /v1/health/connect/:service,
 * /v1/query/:name/execute and POST /v1/agent/connect/authorize. Tests change its state and
 * blocked queries wake, as the agent's do.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseDuration } from '@proconsul/api';
import type { AgentAuthorize, AgentAuthorizeParams, AgentService, ServiceEntry } from '@proconsul/api';
import type { TestLeaf } from './certs.js';

export interface FakeAgentState {
  trustDomain: string;
  roots: string[];
  leaves: Record<string, TestLeaf>;
  services: Record<string, AgentService>;
  /** /v1/health/connect/:service (already filtered to passing). */
  connect: Record<string, ServiceEntry[]>;
  /** /v1/query/:name/execute?connect=true nodes. */
  queries: Record<string, ServiceEntry[]>;
  authorize: (p: AgentAuthorizeParams) => AgentAuthorize;
}

export class FakeAgent {
  readonly state: FakeAgentState;
  readonly authorizeCalls: AgentAuthorizeParams[] = [];
  /** Bodies of PUT /v1/agent/service/register, and the IDs deregistered. */
  readonly registered: Array<Record<string, unknown>> = [];
  readonly deregistered: string[] = [];
  /** Every request line seen, e.g. `GET /v1/health/connect/socat?passing=1&stale`. */
  readonly requests: string[] = [];
  private index = 10;
  private waiters: Array<() => void> = [];
  private server: Server | undefined;
  private closing = false;

  constructor(state: Partial<FakeAgentState> & { trustDomain: string; roots: string[] }) {
    this.state = {
      leaves: {},
      services: {},
      connect: {},
      queries: {},
      authorize: () => ({ Authorized: true, Reason: 'ACLs disabled, intentions default allow' }),
      ...state,
    };
  }

  /** Applies a change and wakes every blocked query. */
  update(fn: (s: FakeAgentState) => void): void {
    fn(this.state);
    this.index++;
    for (const w of this.waiters.splice(0)) w();
  }

  async listen(host: string): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((r) => server.listen(0, host, r));
    const a = server.address() as { port: number };
    return `http://${host}:${a.port}`;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.waiters.splice(0)) w();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  /** Blocks while `current()` equals what the client last saw, up to `wait`. */
  private async block(url: URL, current: () => string, seen: string | null): Promise<void> {
    if (!seen) return;
    const waitMs = Math.min(parseDuration(url.searchParams.get('wait') || '5m'), 10 * 60_000);
    const deadline = Date.now() + waitMs;
    while (!this.closing && current() === seen && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', 'X-Consul-Index': String(this.index), ...headers });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const path = url.pathname;
    const index = url.searchParams.get('index');
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/v1/agent/connect/ca/roots') {
      await this.block(url, () => String(this.index), index);
      return this.send(res, 200, {
        ActiveRootID: 'root-0',
        TrustDomain: this.state.trustDomain,
        Roots: this.state.roots.map((pem, i) => ({ ID: `root-${i}`, Name: `Test CA ${i}`, RootCert: pem, Active: i === 0, CreateIndex: 1, ModifyIndex: 1 })),
      });
    }
    if (req.method === 'GET' && (m = /^\/v1\/agent\/connect\/ca\/leaf\/(.+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]!);
      await this.block(url, () => String(this.index), index);
      const leaf = this.state.leaves[name];
      if (!leaf) return this.send(res, 500, `no leaf for ${name}`);
      return this.send(res, 200, {
        SerialNumber: leaf.serial,
        CertPEM: leaf.certPem,
        PrivateKeyPEM: leaf.keyPem,
        Service: name,
        ServiceURI: leaf.uri,
        ValidAfter: new Date(Date.now() - 60_000).toISOString(),
        ValidBefore: new Date(Date.now() + 86_400_000).toISOString(),
        CreateIndex: this.index,
        ModifyIndex: this.index,
      });
    }
    if (req.method === 'GET' && path === '/v1/agent/self') return this.send(res, 200, { Config: { NodeName: 'node1', Datacenter: 'dc1' } });
    if (req.method === 'GET' && path === '/v1/agent/services') return this.send(res, 200, this.state.services);
    if (req.method === 'GET' && (m = /^\/v1\/agent\/service\/(.+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]!);
      const hash = (): string => {
        const s = this.state.services[id];
        return s ? createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16) : '';
      };
      await this.block(url, hash, url.searchParams.get('hash'));
      const svc = this.state.services[id];
      if (!svc) return this.send(res, 404, `unknown service ID: ${id}`);
      return this.send(res, 200, { ...svc, ContentHash: hash() }, { 'X-Consul-ContentHash': hash() });
    }
    if (req.method === 'GET' && (m = /^\/v1\/health\/connect\/(.+)$/.exec(path))) {
      return this.send(res, 200, this.state.connect[decodeURIComponent(m[1]!)] ?? []);
    }
    if (req.method === 'GET' && (m = /^\/v1\/query\/(.+)\/execute$/.exec(path))) {
      const nodes = this.state.queries[decodeURIComponent(m[1]!)];
      if (!nodes) return this.send(res, 404, 'Query not found');
      return this.send(res, 200, { Service: decodeURIComponent(m[1]!), Nodes: nodes, DNS: { TTL: '' }, Datacenter: 'dc1', Failovers: 0 });
    }
    if (req.method === 'PUT' && path === '/v1/agent/service/register') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      this.registered.push(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
      return this.send(res, 200, '');
    }
    if (req.method === 'PUT' && (m = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(path))) {
      this.deregistered.push(decodeURIComponent(m[1]!));
      return this.send(res, 200, '');
    }
    if (req.method === 'PUT' && /^\/v1\/agent\/check\/pass\//.test(path)) return this.send(res, 200, '');
    if (req.method === 'GET' && /^\/v1\/catalog\/service\//.test(path)) return this.send(res, 200, []);
    if (req.method === 'POST' && path === '/v1/agent/connect/authorize') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const params = JSON.parse(Buffer.concat(chunks).toString()) as AgentAuthorizeParams;
      this.authorizeCalls.push(params);
      return this.send(res, 200, this.state.authorize(params));
    }
    this.send(res, 404, `no handler for ${req.method} ${path}`);
  }
}

/** A /v1/health/connect entry for a proxy of `service` listening on host:port. */
export function connectEntry(service: string, host: string, port: number, dc = 'dc1'): ServiceEntry {
  return {
    Node: { ID: 'n1', Node: 'node1', Address: host, Datacenter: dc, TaggedAddresses: null, Meta: null, CreateIndex: 1, ModifyIndex: 1 },
    Service: {
      Kind: 'connect-proxy',
      ID: `${service}-sidecar-proxy`,
      Service: `${service}-sidecar-proxy`,
      Tags: [],
      Address: '',
      Port: port,
      Meta: {},
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      Proxy: { DestinationServiceName: service, DestinationServiceID: service },
      CreateIndex: 1,
      ModifyIndex: 1,
    } as unknown as ServiceEntry['Service'],
    Checks: [],
  };
}

/** A sidecar proxy registration as GET /v1/agent/service/:id returns it. */
export function sidecarService(service: string, address: string, port: number, local: { host: string; port: number }, upstreams: Array<{ DestinationName: string; LocalBindAddress?: string; LocalBindPort: number; DestinationType?: string }> = []): AgentService {
  return {
    Kind: 'connect-proxy',
    ID: `${service}-sidecar-proxy`,
    Service: `${service}-sidecar-proxy`,
    Tags: [],
    Meta: {},
    Port: port,
    Address: address,
    Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false,
    Proxy: { DestinationServiceName: service, DestinationServiceID: service, LocalServiceAddress: local.host, LocalServicePort: local.port, Upstreams: upstreams },
    Datacenter: 'dc1',
  };
}
