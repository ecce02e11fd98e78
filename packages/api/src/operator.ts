/** /v1/operator/raft/*: the Raft peer set; /v1/operator/autopilot/*; /v1/operator/keyring: gossip encryption keys; /v1/operator/usage. */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';
import type { AutopilotConfiguration, AutopilotState, KeyringResponse, OperatorHealthReply, RaftConfiguration, TransferLeaderResponse, Usage } from './types.js';

export class Operator {
  constructor(private readonly http: HttpClient) {}

  async raftGetConfiguration(opts: QueryOptions = {}): Promise<RaftConfiguration> {
    const params = queryParams({ datacenter: opts.datacenter, stale: opts.stale }, this.http.datacenter);
    const res = await this.http.json<RaftConfiguration>({ method: 'GET', path: '/operator/raft/configuration', params, token: opts.token, signal: opts.signal });
    return res.data;
  }

  async autopilotGetConfiguration(opts: QueryOptions = {}): Promise<AutopilotConfiguration> {
    const params = queryParams({ datacenter: opts.datacenter, stale: opts.stale }, this.http.datacenter);
    return (await this.http.json<AutopilotConfiguration>({ method: 'GET', path: '/operator/autopilot/configuration', params, token: opts.token, signal: opts.signal })).data;
  }

  /** Replaces the configuration only if its ModifyIndex is still `conf.ModifyIndex` (`?cas=`); false when it changed meanwhile. */
  async autopilotCASConfiguration(conf: AutopilotConfiguration, opts: WriteOptions = {}): Promise<boolean> {
    const params = [...writeParams(opts, this.http.datacenter), ['cas', String(conf.ModifyIndex)] as [string, string]];
    return (await this.http.json<boolean>({ method: 'PUT', path: '/operator/autopilot/configuration', params, body: conf, token: opts.token, signal: opts.signal })).data === true;
  }

  /** Autopilot's view of server health (GET /v1/operator/autopilot/health). */
  async autopilotServerHealth(opts: QueryOptions = {}): Promise<OperatorHealthReply> {
    const params = queryParams({ datacenter: opts.datacenter, stale: opts.stale }, this.http.datacenter);
    const res = await this.http.json<OperatorHealthReply>({ method: 'GET', path: '/operator/autopilot/health', params, token: opts.token, signal: opts.signal, allowStatus: [429] });
    return res.data ?? (JSON.parse(res.text) as OperatorHealthReply);
  }

  /** Autopilot's whole view of the servers (GET /v1/operator/autopilot/state). */
  async autopilotState(opts: QueryOptions = {}): Promise<AutopilotState> {
    const params = queryParams({ datacenter: opts.datacenter, stale: opts.stale }, this.http.datacenter);
    return (await this.http.json<AutopilotState>({ method: 'GET', path: '/operator/autopilot/state', params, token: opts.token, signal: opts.signal })).data;
  }

  /** Service and node counts by datacenter (GET /v1/operator/usage); `global` asks every datacenter. */
  async usage(opts: QueryOptions = {}): Promise<QueryResult<Usage>> {
    const params = queryParams(opts, this.http.datacenter);
    return this.http.json<Usage>({ method: 'GET', path: '/operator/usage', params, token: opts.token, signal: opts.signal });
  }

  async raftRemovePeerByAddress(address: string, opts: WriteOptions = {}): Promise<void> {
    const params = [...writeParams(opts, this.http.datacenter), ['address', address] as [string, string]];
    await this.http.request({ method: 'DELETE', path: '/operator/raft/peer', params, token: opts.token, signal: opts.signal });
  }

  async raftRemovePeerByID(id: string, opts: WriteOptions = {}): Promise<void> {
    const params = [...writeParams(opts, this.http.datacenter), ['id', id] as [string, string]];
    await this.http.request({ method: 'DELETE', path: '/operator/raft/peer', params, token: opts.token, signal: opts.signal });
  }

  /**
   * Hands Raft leadership to the voter `id`, or to any other voter without one (Go's
   * RaftLeaderTransfer; POST /v1/operator/raft/transfer-leader).
   */
  async raftLeaderTransfer(id = '', opts: WriteOptions = {}): Promise<TransferLeaderResponse> {
    const params = writeParams(opts, this.http.datacenter);
    if (id) params.push(['id', id]);
    const res = await this.http.json<TransferLeaderResponse>({ method: 'POST', path: '/operator/raft/transfer-leader', params, token: opts.token, signal: opts.signal });
    return res.data ?? { Success: false };
  }

  /** Keys installed on every member (GET /v1/operator/keyring); relayFactor 0-5. */
  async keyringList(opts: QueryOptions & { relayFactor?: number } = {}): Promise<KeyringResponse[]> {
    const params = queryParams({ datacenter: opts.datacenter }, this.http.datacenter);
    if (opts.relayFactor) params.push(['relay-factor', String(opts.relayFactor)]);
    const res = await this.http.json<KeyringResponse[]>({ method: 'GET', path: '/operator/keyring', params, token: opts.token, signal: opts.signal });
    return res.data ?? [];
  }

  async keyringInstall(key: string, opts: WriteOptions & { relayFactor?: number } = {}): Promise<void> {
    await this.keyringWrite('POST', key, opts);
  }

  async keyringUse(key: string, opts: WriteOptions & { relayFactor?: number } = {}): Promise<void> {
    await this.keyringWrite('PUT', key, opts);
  }

  async keyringRemove(key: string, opts: WriteOptions & { relayFactor?: number } = {}): Promise<void> {
    await this.keyringWrite('DELETE', key, opts);
  }

  private async keyringWrite(method: 'POST' | 'PUT' | 'DELETE', key: string, opts: WriteOptions & { relayFactor?: number }): Promise<void> {
    const params = writeParams(opts, this.http.datacenter);
    if (opts.relayFactor) params.push(['relay-factor', String(opts.relayFactor)]);
    await this.http.request({ method, path: '/operator/keyring', params, token: opts.token, signal: opts.signal, body: { Key: key } });
  }
}
