/** /v1/agent/*: state local to the agent the client talks to. */
import type { HttpClient } from './http.js';
import { connectAuthorize, type AgentAuthorize, type AgentAuthorizeParams } from './connect-intention.js';
import type { CARootList, LeafCert } from './connect.js';
import { formatWait } from './duration.js';
import { encodePath, queryParams, type Params, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';
import type {
  AgentCheckRegistration,
  AgentMember,
  AgentSelf,
  AgentService,
  AgentServiceRegistration,
  HealthCheck,
  HealthStatus,
  MetricsInfo,
} from './types.js';

export interface MembersOptions {
  /** List the WAN pool (servers only). */
  wan?: boolean;
  /** Enterprise network segment; `_all` lists every segment. */
  segment?: string;
  filter?: string;
  token?: string;
  signal?: AbortSignal;
}

export interface ServiceRegisterOptions extends WriteOptions {
  /** `?replace-existing-checks`: drop checks the new definition no longer lists. */
  replaceExistingChecks?: boolean;
}

export interface ForceLeaveOptions extends WriteOptions {
  prune?: boolean;
  wan?: boolean;
}

export class Agent {
  constructor(private readonly http: HttpClient) {}

  async self(opts: WriteOptions = {}): Promise<AgentSelf> {
    return (await this.http.json<AgentSelf>({ method: 'GET', path: '/agent/self', token: opts.token, signal: opts.signal })).data;
  }

  /** The agent's node name (from /agent/self). */
  async nodeName(opts: WriteOptions = {}): Promise<string> {
    return (await this.self(opts)).Config.NodeName;
  }

  async members(opts: MembersOptions = {}): Promise<AgentMember[]> {
    const params: Params = [];
    if (opts.wan) params.push(['wan', '1']);
    if (opts.segment) params.push(['segment', opts.segment]);
    if (opts.filter) params.push(['filter', opts.filter]);
    const res = await this.http.json<AgentMember[]>({ method: 'GET', path: '/agent/members', params, token: opts.token, signal: opts.signal });
    return res.data ?? [];
  }

  async services(opts: QueryOptions = {}): Promise<Record<string, AgentService>> {
    const params: Params = opts.filter ? [['filter', opts.filter]] : [];
    const res = await this.http.json<Record<string, AgentService>>({ method: 'GET', path: '/agent/services', params, token: opts.token, signal: opts.signal });
    return res.data ?? {};
  }

  /** One local service; null when the agent does not know the ID (404). Supports hash blocking. */
  async service(serviceId: string, opts: QueryOptions = {}): Promise<QueryResult<AgentService | null>> {
    const params: Params = [];
    if (opts.hash) params.push(['hash', opts.hash]);
    if (opts.wait !== undefined) params.push(['wait', typeof opts.wait === 'number' ? formatWait(opts.wait) : opts.wait]);
    const res = await this.http.json<AgentService>({
      method: 'GET',
      path: `/agent/service/${encodeURIComponent(serviceId)}`,
      params,
      token: opts.token,
      signal: opts.signal,
      allowStatus: [404],
    });
    return { data: res.status === 404 ? null : res.data, meta: res.meta };
  }

  async checks(opts: QueryOptions = {}): Promise<Record<string, HealthCheck>> {
    const params: Params = opts.filter ? [['filter', opts.filter]] : [];
    const res = await this.http.json<Record<string, HealthCheck>>({ method: 'GET', path: '/agent/checks', params, token: opts.token, signal: opts.signal });
    return res.data ?? {};
  }

  async serviceRegister(service: AgentServiceRegistration, opts: ServiceRegisterOptions = {}): Promise<void> {
    const params: Params = opts.replaceExistingChecks ? [['replace-existing-checks', 'true']] : [];
    await this.put('/agent/service/register', opts, params, service);
  }

  async serviceDeregister(serviceId: string, opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/service/deregister/${encodeURIComponent(serviceId)}`, opts);
  }

  async checkRegister(check: AgentCheckRegistration, opts: WriteOptions = {}): Promise<void> {
    await this.put('/agent/check/register', opts, [], check);
  }

  async checkDeregister(checkId: string, opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/check/deregister/${encodeURIComponent(checkId)}`, opts);
  }

  async passTTL(checkId: string, note = '', opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/check/pass/${encodeURIComponent(checkId)}`, opts, note ? [['note', note]] : []);
  }

  async warnTTL(checkId: string, note = '', opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/check/warn/${encodeURIComponent(checkId)}`, opts, note ? [['note', note]] : []);
  }

  async failTTL(checkId: string, note = '', opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/check/fail/${encodeURIComponent(checkId)}`, opts, note ? [['note', note]] : []);
  }

  async updateTTL(checkId: string, output: string, status: HealthStatus, opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/check/update/${encodeURIComponent(checkId)}`, opts, [], { Status: status, Output: output });
  }

  async enableNodeMaintenance(reason = '', opts: WriteOptions = {}): Promise<void> {
    const params: Params = [['enable', 'true']];
    if (reason) params.push(['reason', reason]);
    await this.put('/agent/maintenance', opts, params);
  }

  async disableNodeMaintenance(opts: WriteOptions = {}): Promise<void> {
    await this.put('/agent/maintenance', opts, [['enable', 'false']]);
  }

  async enableServiceMaintenance(serviceId: string, reason = '', opts: WriteOptions = {}): Promise<void> {
    const params: Params = [['enable', 'true']];
    if (reason) params.push(['reason', reason]);
    await this.put(`/agent/service/maintenance/${encodeURIComponent(serviceId)}`, opts, params);
  }

  async disableServiceMaintenance(serviceId: string, opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/service/maintenance/${encodeURIComponent(serviceId)}`, opts, [['enable', 'false']]);
  }

  async join(address: string, wan = false, opts: WriteOptions = {}): Promise<void> {
    await this.put(`/agent/join/${encodePath(address)}`, opts, wan ? [['wan', '1']] : []);
  }

  async leave(opts: WriteOptions = {}): Promise<void> {
    await this.put('/agent/leave', opts);
  }

  async forceLeave(node: string, opts: ForceLeaveOptions = {}): Promise<void> {
    const params: Params = [];
    if (opts.prune) params.push(['prune', '']);
    if (opts.wan) params.push(['wan', '']);
    await this.put(`/agent/force-leave/${encodeURIComponent(node)}`, opts, params);
  }

  async reload(opts: WriteOptions = {}): Promise<void> {
    await this.put('/agent/reload', opts);
  }

  async metrics(opts: WriteOptions = {}): Promise<MetricsInfo> {
    return (await this.http.json<MetricsInfo>({ method: 'GET', path: '/agent/metrics', token: opts.token, signal: opts.signal })).data;
  }

  /**
   * GET /v1/agent/metrics/stream (Go's Agent().MetricsStream): the body's lines as they arrive,
   * a four-space-indented metrics summary each time an interval (10 s) ends.
   */
  async metricsStream(opts: WriteOptions = {}): Promise<AsyncGenerator<string>> {
    return this.http.lines({ method: 'GET', path: '/agent/metrics/stream', token: opts.token, signal: opts.signal });
  }

  /** Prometheus text from /agent/metrics?format=prometheus. */
  async metricsPrometheus(opts: WriteOptions = {}): Promise<string> {
    const res = await this.http.request({ method: 'GET', path: '/agent/metrics', params: [['format', 'prometheus']], token: opts.token, signal: opts.signal });
    return res.text;
  }

  /**
   * GET /v1/agent/monitor: the agent's log lines from `logLevel` up (Consul's default INFO), as
   * they are written, text or (`json`) hclog's JSON lines. Runs until `opts.signal` aborts it
   * or the agent ends it (Consul's Agent().Monitor / MonitorJSON). Rejects when the agent
   * refuses to start it (`Unknown log level: X`, ACLs).
   */
  async monitor(logLevel = 'INFO', opts: WriteOptions & { json?: boolean } = {}): Promise<AsyncGenerator<string>> {
    const params: Params = [['loglevel', logLevel]];
    if (opts.json) params.push(['logjson', '']);
    return this.http.lines({ method: 'GET', path: '/agent/monitor', params, token: opts.token, signal: opts.signal });
  }

  /** GET /v1/agent/connect/ca/roots: the CA roots as the local agent sees them; blocking on the index (Consul's ConnectCARoots). */
  async connectCARoots(opts: QueryOptions = {}): Promise<QueryResult<CARootList>> {
    const res = await this.http.json<CARootList>({ method: 'GET', path: '/agent/connect/ca/roots', params: queryParams(opts), token: opts.token, signal: opts.signal });
    return { data: res.data, meta: res.meta };
  }

  /** GET /v1/agent/connect/ca/leaf/:service: a leaf certificate for the service, kept fresh by the agent; blocking on the index (Consul's ConnectCALeaf). */
  async connectCALeaf(serviceId: string, opts: QueryOptions = {}): Promise<QueryResult<LeafCert>> {
    const res = await this.http.json<LeafCert>({
      method: 'GET',
      path: `/agent/connect/ca/leaf/${encodeURIComponent(serviceId)}`,
      params: queryParams(opts),
      token: opts.token,
      signal: opts.signal,
    });
    return { data: res.data, meta: res.meta };
  }

  /** POST /v1/agent/connect/authorize: may this client certificate connect to Target (Consul's ConnectAuthorize)? */
  connectAuthorize(auth: AgentAuthorizeParams, opts: WriteOptions = {}): Promise<AgentAuthorize> {
    return connectAuthorize(this.http, auth, opts);
  }

  private async put(path: string, opts: WriteOptions, params: Params = [], body?: unknown): Promise<void> {
    await this.http.request({ method: 'PUT', path, params, body, token: opts.token, signal: opts.signal });
  }
}
