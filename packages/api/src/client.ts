/** The client: one object holding the transport and every endpoint group. */
import { Agent } from './agent.js';
import { Catalog } from './catalog.js';
import { Connect } from './connect.js';
import { Coordinate } from './coordinate.js';
import { Event } from './event.js';
import { Health } from './health.js';
import { HttpClient, type ConsulOptions } from './http.js';
import { KV } from './kv.js';
import { Operator } from './operator.js';
import { Peerings } from './peering.js';
import { Partitions } from './partition.js';
import { ServiceExports } from './service-exports.js';
import { Session } from './session.js';
import { PreparedQuery } from './prepared-query.js';
import { Snapshot } from './snapshot.js';
import { Status } from './status.js';
import { Txn } from './txn.js';
import type { QueryOptions, QueryResult } from './query.js';
import { watch, watchCallback, type WatchHandle, type WatchOptions } from './watch.js';
import type { QueryMeta } from './query.js';

export class Consul {
  readonly http: HttpClient;
  readonly agent: Agent;
  readonly catalog: Catalog;
  readonly health: Health;
  readonly kv: KV;
  readonly session: Session;
  readonly query: PreparedQuery;
  readonly event: Event;
  readonly txn: Txn;
  readonly status: Status;
  readonly operator: Operator;
  readonly peerings: Peerings;
  /** /v1/exported-services and /v1/imported-services. */
  readonly serviceExports: ServiceExports;
  /** /v1/partitions (Consul Enterprise). */
  readonly partitions: Partitions;
  readonly snapshot: Snapshot;
  readonly coordinate: Coordinate;
  /** The Connect CA (api.Connect()). */
  readonly connect: Connect;

  constructor(options: ConsulOptions = {}) {
    this.http = new HttpClient(options);
    this.agent = new Agent(this.http);
    this.catalog = new Catalog(this.http);
    this.health = new Health(this.http);
    this.kv = new KV(this.http);
    this.session = new Session(this.http);
    this.query = new PreparedQuery(this.http);
    this.event = new Event(this.http);
    this.txn = new Txn(this.http);
    this.status = new Status(this.http);
    this.operator = new Operator(this.http);
    this.peerings = new Peerings(this.http);
    this.serviceExports = new ServiceExports(this.http);
    this.partitions = new Partitions(this.http);
    this.snapshot = new Snapshot(this.http);
    this.coordinate = new Coordinate(this.http);
    this.connect = new Connect(this.http);
  }

  /**
   * Watches any blocking read: `query` gets QueryOptions with `index`, `wait` and `signal`
   * filled in. Example: `consul.watch((q) => consul.health.service('web', { ...q, passing: true }))`.
   */
  watch<T>(query: (q: QueryOptions) => Promise<QueryResult<T>>, opts: WatchOptions = {}): AsyncGenerator<QueryResult<T>, void, undefined> {
    return watch((p) => query({ index: p.indexRaw ?? p.index, wait: p.wait, signal: p.signal }), opts);
  }

  /** Callback form of `watch`. */
  watchCallback<T>(
    query: (q: QueryOptions) => Promise<QueryResult<T>>,
    handler: (data: T, meta: QueryMeta) => void | Promise<void>,
    opts: WatchOptions = {},
  ): WatchHandle {
    return watchCallback((p) => query({ index: p.indexRaw ?? p.index, wait: p.wait, signal: p.signal }), handler, opts);
  }
}
