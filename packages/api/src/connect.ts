/**
 * /v1/connect/ca/* (Consul's api/connect_ca.go): the Connect CA's roots and configuration.
 * Intentions and the rest of Consul's api.Connect() are not here yet.
 */
import type { HttpClient } from './http.js';
import { queryParams, writeParams, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';

/** api.CARoot: a trusted root (the active one signs new leaves). */
export interface CARoot {
  ID: string;
  Name: string;
  SerialNumber: number;
  SigningKeyID: string;
  ExternalTrustDomain: string;
  NotBefore: string;
  NotAfter: string;
  RootCert: string;
  IntermediateCerts: string[] | null;
  Active: boolean;
  PrivateKeyType: string;
  PrivateKeyBits: number;
  CreateIndex: number;
  ModifyIndex: number;
}

/** api.CARootList. */
export interface CARootList {
  ActiveRootID: string;
  TrustDomain: string;
  Roots: CARoot[];
}

/** api.CAConfig. */
export interface CAConfig {
  Provider: string;
  Config: Record<string, unknown>;
  State?: Record<string, string> | null;
  ForceWithoutCrossSigning?: boolean;
  CreateIndex?: number;
  ModifyIndex?: number;
}

/** api.LeafCert (GET /v1/agent/connect/ca/leaf/:service). */
export interface LeafCert {
  SerialNumber: string;
  CertPEM: string;
  PrivateKeyPEM: string;
  Service: string;
  ServiceURI: string;
  ValidAfter: string;
  ValidBefore: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export class Connect {
  constructor(private readonly http: HttpClient) {}

  /** GET /v1/connect/ca/roots (a blocking query with `index`). */
  async caRoots(opts: QueryOptions = {}): Promise<QueryResult<CARootList>> {
    const res = await this.http.json<CARootList>({ method: 'GET', path: '/connect/ca/roots', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data, meta: res.meta };
  }

  /** GET /v1/connect/ca/configuration. */
  async caGetConfig(opts: QueryOptions = {}): Promise<QueryResult<CAConfig>> {
    const res = await this.http.json<CAConfig>({ method: 'GET', path: '/connect/ca/configuration', params: queryParams(opts, this.http.datacenter), token: opts.token, signal: opts.signal });
    return { data: res.data, meta: res.meta };
  }

  /** PUT /v1/connect/ca/configuration: a new key or root rotates the CA. */
  async caSetConfig(conf: CAConfig, opts: WriteOptions = {}): Promise<void> {
    await this.http.json<unknown>({ method: 'PUT', path: '/connect/ca/configuration', params: writeParams(opts, this.http.datacenter), body: conf, token: opts.token, signal: opts.signal });
  }
}
