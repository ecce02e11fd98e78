/** /v1/peering/* and /v1/peerings: cluster peering (Consul's api/peering.go Peerings). */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';

/** api.PeeringState. */
export type PeeringState = 'UNDEFINED' | 'PENDING' | 'ESTABLISHING' | 'ACTIVE' | 'FAILING' | 'DELETING' | 'TERMINATED';

export interface PeeringStreamStatus {
  ImportedServices: string[] | null;
  ExportedServices: string[] | null;
  LastHeartbeat: string | null;
  LastReceive: string | null;
  LastSend: string | null;
}

/** api.Peering. */
export interface Peering {
  ID: string;
  Name: string;
  Partition?: string;
  DeletedAt?: string;
  Meta?: Record<string, string>;
  State: PeeringState;
  PeerID?: string;
  PeerCAPems?: string[];
  PeerServerName?: string;
  PeerServerAddresses?: string[];
  StreamStatus: PeeringStreamStatus;
  CreateIndex: number;
  ModifyIndex: number;
  Remote: { Partition: string; Datacenter: string };
}

export interface PeeringGenerateTokenRequest {
  PeerName: string;
  Partition?: string;
  Meta?: Record<string, string>;
  ServerExternalAddresses?: string[];
}

export interface PeeringEstablishRequest {
  PeerName: string;
  PeeringToken: string;
  Partition?: string;
  Meta?: Record<string, string>;
}

export class Peerings {
  constructor(private readonly http: HttpClient) {}

  /** GET /v1/peering/:name; null when there is none (404). */
  async read(name: string, opts: QueryOptions = {}): Promise<Peering | null> {
    if (name === '') throw new Error('peering name cannot be empty');
    const res = await this.http.json<Peering>({ method: 'GET', path: `/peering/${encodeURIComponent(name)}`, params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal, allowStatus: [404] });
    return res.status === 404 ? null : res.data;
  }

  async list(opts: QueryOptions = {}): Promise<Peering[]> {
    return (await this.listWithMeta(opts)).data;
  }

  /** GET /v1/peerings with its query meta: a blocking query over the peerings table. */
  async listWithMeta(opts: QueryOptions = {}): Promise<QueryResult<Peering[]>> {
    const res = await this.http.json<Peering[]>({ method: 'GET', path: '/peerings', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data ?? [], meta: res.meta };
  }

  /** POST /v1/peering/token: the token the other cluster establishes with. */
  async generateToken(req: PeeringGenerateTokenRequest, opts: WriteOptions = {}): Promise<string> {
    if (req.PeerName === '') throw new Error('peer name cannot be empty');
    const res = await this.http.json<{ PeeringToken: string }>({ method: 'POST', path: '/peering/token', params: writeParams(opts, this.http.datacenter), body: req, token: opts.token, signal: opts.signal });
    return res.data?.PeeringToken ?? '';
  }

  async establish(req: PeeringEstablishRequest, opts: WriteOptions = {}): Promise<void> {
    await this.http.request({ method: 'POST', path: '/peering/establish', params: writeParams(opts, this.http.datacenter), body: req, token: opts.token, signal: opts.signal });
  }

  async delete(name: string, opts: WriteOptions = {}): Promise<void> {
    if (name === '') throw new Error('peering name cannot be empty');
    await this.http.request({ method: 'DELETE', path: `/peering/${encodeURIComponent(name)}`, params: writeParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
  }
}
