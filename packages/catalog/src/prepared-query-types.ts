/**
 * Prepared queries as Consul stores and serves them (agent/structs/prepared_query.go), field
 * order as its JSON: nil slices and maps are `null`, the Enterprise metadata of CE is empty.
 */

export interface QueryFailoverTarget {
  Peer: string;
  Datacenter: string;
}

export interface QueryFailoverOptions {
  /** How many other datacenters to try, nearest first (network coordinates). */
  NearestN: number;
  /** Fixed list tried after the NearestN ones, in order, each once. */
  Datacenters: string[] | null;
  /** Datacenters (or peers) tried in order; not together with NearestN or Datacenters. */
  Targets: QueryFailoverTarget[] | null;
}

export interface ServiceQuery {
  Service: string;
  SamenessGroup: string;
  Failover: QueryFailoverOptions;
  /** Drop instances with a warning check too (critical ones are always dropped). */
  OnlyPassing: boolean;
  IgnoreCheckIDs: string[] | null;
  /** Node to sort near: a node name, `_agent` or `_ip`. */
  Near: string;
  /** Required tags; `!tag` excludes. Case-insensitive. */
  Tags: string[] | null;
  NodeMeta: Record<string, string> | null;
  ServiceMeta: Record<string, string> | null;
  Connect: boolean;
  Peer: string;
}

export interface QueryTemplateOptions {
  /** `name_prefix_match`, or "" for a static query. */
  Type: string;
  Regexp: string;
  RemoveEmptyTags: boolean;
}

export interface QueryDNSOptions {
  /** A Go duration, or "" for the agent's service TTL. */
  TTL: string;
}

export interface PreparedQuery {
  ID: string;
  Name: string;
  /** A session whose invalidation deletes the query; "" for none. */
  Session: string;
  /** Token the query executes with ("" = the caller's). */
  Token: string;
  Template: QueryTemplateOptions;
  Service: ServiceQuery;
  DNS: QueryDNSOptions;
  CreateIndex: number;
  ModifyIndex: number;
}

/** `PreparedQuery` command ops (Consul's PreparedQueryOp). */
export type PreparedQueryOp = 'create' | 'update' | 'delete';

/**
 * POST /v1/query (`create`, ID chosen by the leader), PUT /v1/query/:id (`update`), DELETE
 * /v1/query/:id (`delete`, only `Query.ID` is read). The indexes in `Query` are ignored.
 */
export interface PreparedQueryCommand {
  Type: 'PreparedQuery';
  Op: PreparedQueryOp;
  Query: PreparedQuery;
}

/** A query with every field at Consul's zero value. */
export function emptyPreparedQuery(): PreparedQuery {
  return {
    ID: '',
    Name: '',
    Session: '',
    Token: '',
    Template: { Type: '', Regexp: '', RemoveEmptyTags: false },
    Service: {
      Service: '',
      SamenessGroup: '',
      Failover: { NearestN: 0, Datacenters: null, Targets: null },
      OnlyPassing: false,
      IgnoreCheckIDs: null,
      Near: '',
      Tags: null,
      NodeMeta: null,
      ServiceMeta: null,
      Connect: false,
      Peer: '',
    },
    DNS: { TTL: '' },
    CreateIndex: 0,
    ModifyIndex: 0,
  };
}
