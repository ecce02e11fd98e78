/**
 * Consul's watch plans (`api/watch`): a watch specification, from the agent config's `watches`
 * or from `consul watch`'s flags, parsed with Consul's rules and error texts into the blocking
 * read it runs. Results have the shapes Consul's Go client gives its handlers. Browser-safe.
 */
import type { Consul } from './client.js';
import { parseDuration } from './duration.js';
import { eventIdToIndex } from './event.js';
import type { KVPair, UserEvent } from './types.js';
import type { BlockingFetcher, BlockingParams } from './watch.js';

/** Consul's http_handler_config. */
export interface HttpHandlerConfig {
  path: string;
  /** Default POST. */
  method: string;
  /** Default 10 s. */
  timeoutMs: number;
  header: Record<string, string[]>;
  tlsSkipVerify: boolean;
}

export interface WatchPlan {
  type: string;
  datacenter: string;
  token: string;
  /** `script`, `http`, or empty when not given. */
  handlerType: string;
  httpHandlerConfig?: HttpHandlerConfig;
  /** Parameters set aside for the caller (the agent's `handler` and `args`). */
  exempt: Record<string, unknown>;
  /** False for `agent_service`, which blocks on a content hash: its handlers get index 0, as Consul's do. */
  indexBased: boolean;
  /** A fresh blocking read of the watched data (for `watch()`); each call starts from scratch. */
  fetcher(client: Consul): BlockingFetcher<unknown>;
}

type Params = Record<string, unknown>;

/** Takes a string parameter out of `params` (Consul's assignValue). */
function takeString(params: Params, name: string): string {
  if (!Object.hasOwn(params, name)) return '';
  const v = params[name];
  if (typeof v !== 'string') throw new Error(`Expecting ${name} to be a string`);
  delete params[name];
  return v;
}

function takeBool(params: Params, name: string): boolean {
  if (!Object.hasOwn(params, name)) return false;
  const v = params[name];
  if (typeof v !== 'boolean') throw new Error(`Expecting ${name} to be a boolean`);
  delete params[name];
  return v;
}

/** A string or a list of strings (Consul's assignValueStringSlice). */
function takeStrings(params: Params, name: string): string[] {
  if (!Object.hasOwn(params, name)) return [];
  const v = params[name];
  let out: string[];
  if (typeof v === 'string') out = [v];
  else if (Array.isArray(v)) {
    out = v.map((x, i) => {
      if (typeof x !== 'string') throw new Error(`Index ${i} of ${name} expected to be string`);
      return x;
    });
  } else throw new Error(`Expecting ${name} to be a string or []string`);
  delete params[name];
  return out;
}

/** Go's api.KVPair field order, as Consul encodes it for a handler. */
function goKVPair(p: KVPair): Record<string, unknown> {
  return { Key: p.Key, CreateIndex: p.CreateIndex, ModifyIndex: p.ModifyIndex, LockIndex: p.LockIndex, Flags: p.Flags, Value: p.Value, Session: p.Session ?? '' };
}

/** Query options of one blocking read. */
function blocking(p: BlockingParams, stale: boolean): { index: number | string; wait: number; signal: AbortSignal; stale: boolean } {
  return { index: p.indexRaw ?? p.index, wait: p.wait, signal: p.signal, stale };
}

type Factory = (params: Params) => WatchPlan['fetcher'];

/** Consul's watchFuncFactory, for the types this agent serves. */
const FACTORIES: Record<string, Factory> = {
  key(params) {
    const stale = takeBool(params, 'stale');
    const key = takeString(params, 'key');
    if (!key) throw new Error('Must specify a single key to watch');
    return (client) => async (p) => {
      const r = await client.kv.get(key, blocking(p, stale));
      return { data: r.data ? goKVPair(r.data) : null, meta: r.meta };
    };
  },
  keyprefix(params) {
    const stale = takeBool(params, 'stale');
    const prefix = takeString(params, 'prefix');
    if (!prefix) throw new Error('Must specify a single prefix to watch');
    return (client) => async (p) => {
      const r = await client.kv.list(prefix, blocking(p, stale));
      return { data: r.data.map(goKVPair), meta: r.meta };
    };
  },
  services(params) {
    const stale = takeBool(params, 'stale');
    return (client) => (p) => client.catalog.services(blocking(p, stale));
  },
  nodes(params) {
    const stale = takeBool(params, 'stale');
    return (client) => (p) => client.catalog.nodes(blocking(p, stale));
  },
  service(params) {
    const stale = takeBool(params, 'stale');
    const service = takeString(params, 'service');
    if (!service) throw new Error('Must specify a single service to watch');
    const tags = takeStrings(params, 'tag');
    const passing = takeBool(params, 'passingonly');
    return (client) => (p) => client.health.service(service, { ...blocking(p, stale), tags, passing });
  },
  checks(params) {
    const stale = takeBool(params, 'stale');
    const service = takeString(params, 'service');
    let state = takeString(params, 'state');
    if (service && state) throw new Error('Cannot specify service and state');
    if (!service && !state) state = 'any';
    return (client) => (p) => (state ? client.health.state(state as 'any', blocking(p, stale)) : client.health.checks(service, blocking(p, stale)));
  },
  event(params) {
    // The stale setting does not apply to events.
    const name = takeString(params, 'name');
    return (client) => {
      // Only the events after the last one delivered (Consul prunes by the previous index).
      let last: string | undefined;
      return async (p) => {
        const r = await client.event.list(name, { index: p.indexRaw ?? p.index, wait: p.wait, signal: p.signal });
        let events: UserEvent[] = r.data;
        const at = last === undefined ? -1 : events.findIndex((e) => eventIdToIndex(e.ID).toString() === last);
        if (at >= 0) events = events.slice(at + 1);
        last = r.meta.lastIndexRaw ?? String(r.meta.lastIndex);
        return { data: events, meta: r.meta };
      };
    };
  },
  connect_roots() {
    // Agent-cached data: no stale mode (Consul's connectRootsWatch).
    return (client) => (p) => client.agent.connectCARoots({ index: p.indexRaw ?? p.index, wait: p.wait, signal: p.signal });
  },
  connect_leaf(params) {
    // Consul's connectLeafWatch: an empty service is passed on as it is, no check here.
    const service = takeString(params, 'service');
    return (client) => (p) => client.agent.connectCALeaf(service, { index: p.indexRaw ?? p.index, wait: p.wait, signal: p.signal });
  },
  agent_service(params) {
    // Agent-local data: no consistency modes; blocks on the service's content hash.
    const serviceId = takeString(params, 'service_id');
    return (client) => {
      let hash = '';
      let version = 0;
      return async (p) => {
        const r = await client.agent.service(serviceId, { hash, wait: p.wait, signal: p.signal });
        if (r.data === null) throw new Error(`Unexpected response code: 404 (unknown service ID: ${serviceId})`);
        const next = r.meta.contentHash ?? '';
        if (next !== hash) version++;
        hash = next;
        // The loop compares indexes: a new hash counts as a new index.
        return { data: r.data, meta: { ...r.meta, lastIndex: version, lastIndexRaw: undefined } };
      };
    };
  },
};

function parseHttpHandlerConfig(raw: unknown): HttpHandlerConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`Failed to parse 'http_handler_config': '' expected a map, got '${Array.isArray(raw) ? 'slice' : typeof raw}'`);
  const c = raw as Record<string, unknown>;
  // Consul decodes weakly when a strict decode fails: numbers and booleans become strings.
  const str = (k: string): string => {
    const v = c[k];
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    if (typeof v === 'boolean') return v ? '1' : '0';
    throw new Error(`Failed to parse 'http_handler_config': '${k}' expected type 'string'`);
  };
  const path = str('path');
  if (!path) throw new Error("Failed to parse 'http_handler_config': Requires 'path' to be set");
  const timeoutRaw = str('timeout');
  let timeoutMs = 10_000;
  if (timeoutRaw) {
    try {
      timeoutMs = parseDuration(timeoutRaw);
    } catch (err) {
      throw new Error(`Failed to parse 'http_handler_config': Failed to parse timeout: ${(err as Error).message}`);
    }
  }
  const header: Record<string, string[]> = {};
  if (c['header'] !== undefined) {
    if (c['header'] === null || typeof c['header'] !== 'object' || Array.isArray(c['header'])) throw new Error("Failed to parse 'http_handler_config': 'header' expected a map");
    for (const [k, v] of Object.entries(c['header'] as Record<string, unknown>)) {
      const values = Array.isArray(v) ? v : [v];
      if (!values.every((x) => typeof x === 'string')) throw new Error(`Failed to parse 'http_handler_config': 'header[${k}]' expected a list of strings`);
      header[k] = values as string[];
    }
  }
  const skip = c['tls_skip_verify'];
  const tlsSkipVerify = skip === true || skip === 1 || (typeof skip === 'string' && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(skip));
  if (skip !== undefined && !tlsSkipVerify && ![false, 0, '0', 'f', 'F', 'false', 'FALSE', 'False', ''].includes(skip as never)) throw new Error("Failed to parse 'http_handler_config': 'tls_skip_verify' expected type 'bool'");
  return { path, method: str('method') || 'POST', timeoutMs, header, tlsSkipVerify };
}

/**
 * Parses a watch specification (Consul's watch.ParseExempt): every parameter must be used,
 * except those named in `exempt`, which are handed back in `exempt`. Throws Consul's texts.
 */
export function parseWatchPlan(spec: Params, exempt: readonly string[] = []): WatchPlan {
  const params: Params = { ...spec };
  const datacenter = takeString(params, 'datacenter');
  const token = takeString(params, 'token');
  const type = takeString(params, 'type');
  if (type === '') throw new Error('Watch type must be specified');
  const handlerType = takeString(params, 'handler_type');
  let httpHandlerConfig: HttpHandlerConfig | undefined;
  if (handlerType === 'http') {
    if (!Object.hasOwn(params, 'http_handler_config')) throw new Error("Handler type 'http' requires 'http_handler_config' to be set");
    httpHandlerConfig = parseHttpHandlerConfig(params['http_handler_config']);
    delete params['http_handler_config'];
  }
  const factory = Object.hasOwn(FACTORIES, type) ? FACTORIES[type]! : undefined;
  if (!factory) throw new Error(`Unsupported watch type: ${type}`);
  const fetcher = factory(params);
  const kept: Record<string, unknown> = {};
  for (const name of exempt) {
    if (Object.hasOwn(params, name)) {
      kept[name] = params[name];
      delete params[name];
    }
  }
  const bad = Object.keys(params);
  if (bad.length > 0) throw new Error(`Invalid parameters: [${bad.sort().join(' ')}]`);
  return { type, datacenter, token, handlerType, ...(httpHandlerConfig ? { httpHandlerConfig } : {}), exempt: kept, indexBased: type !== 'agent_service', fetcher };
}
