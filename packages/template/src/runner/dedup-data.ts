// The data a de-duplication leader shares with its followers: one KV value per template holding
// the values of the template's shareable dependencies. consul-template writes gob + LZW, readable
// only by the same consul-template build; this is gzip of JSON `{ "Version", "Data" }`, readable
// only by the same proconsul-template build (the Version check of dedup.go). Neither can read the
// other's, so proconsul-template and consul-template instances never share a template's data.

import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AgentWeights, CatalogSnippet, HealthService, KeyPair, Node, ServiceAddress, ServiceTags } from '../consul/data.js';
import { ExportedService, ImportedService, Partition, ResolvedConsumers } from '../consul/peering-data.js';
import { packageVersion } from '../version.js';

/** The agent's KV value limit (Consul's kv_max_value_size, 512 KiB): a larger write would be refused, so it is skipped. */
export const DEDUP_DATA_MAX_BYTES = 512 * 1024;
/** A follower inflates no more than this: bounds the memory a broken or hostile value can take. */
const INFLATED_MAX_BYTES = 64 * 1024 * 1024;
/** The lock's value until the leader's first write (dedup.go's templateNoDataStr). */
export const NO_DATA = '__NO_DATA__';

/** dedup.go's templateData: which build wrote it, and dependency id -> value. */
export interface TemplateData {
  Version: string;
  Data: Record<string, unknown>;
}

export function dedupVersion(): string {
  return `proconsul-template ${packageVersion()}`;
}

export function encodeTemplateData(td: TemplateData): Buffer {
  return gzipSync(JSON.stringify({ Version: td.Version, Data: td.Data }));
}

/**
 * A hash that does not depend on key order (dedup.go hashes the structure, not the encoding):
 * the leader skips a write whose hash matches its last one.
 */
export function templateDataHash(td: TemplateData): string {
  return createHash('sha256').update(stableJson(td)).digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export type DecodeResult = { ok: true; data: Record<string, unknown> } | { ok: false; reason: string };

/** Reads a leader's value; refuses another build's data (dedup.go: "created with different version"). */
export function decodeTemplateData(raw: Uint8Array, version: string): DecodeResult {
  let td: unknown;
  try {
    td = JSON.parse(gunzipSync(raw, { maxOutputLength: INFLATED_MAX_BYTES }).toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `failed to decode: ${(e as Error).message}` };
  }
  if (typeof td !== 'object' || td === null || typeof (td as TemplateData).Version !== 'string') return { ok: false, reason: 'failed to decode: no Version' };
  const { Version, Data } = td as TemplateData;
  if (Version !== version) return { ok: false, reason: `created with different version (${Version} vs ${version})` };
  if (typeof Data !== 'object' || Data === null || Array.isArray(Data)) return { ok: false, reason: 'failed to decode: no Data' };
  const data: Record<string, unknown> = {};
  try {
    for (const [id, value] of Object.entries(Data)) data[id] = revive(id, value);
  } catch (e) {
    return { ok: false, reason: `failed to decode: ${(e as Error).message}` };
  }
  return { ok: true, data };
}

/** The classes the templates see (data.ts) again, from their JSON; the id names the dependency type. */
function revive(id: string, v: unknown): unknown {
  const type = id.replace(/\(.*$/s, '');
  switch (type) {
    case 'health.service':
    case 'health.connect':
      return list(id, v).map((p) => {
        const h = as(HealthService, p);
        h.Tags = ServiceTags.from_(h.Tags);
        h.Weights = as(AgentWeights, h.Weights);
        h.ServiceTaggedAddresses = Object.fromEntries(Object.entries(h.ServiceTaggedAddresses ?? {}).map(([k, a]) => [k, as(ServiceAddress, a)]));
        return h;
      });
    case 'catalog.services':
      return list(id, v).map((p) => new CatalogSnippet(String(p.Name), ServiceTags.from_(p.Tags as string[])));
    case 'catalog.nodes':
      return list(id, v).map((p) => as(Node, p));
    case 'kv.list':
      return list(id, v).map((p) => as(KeyPair, p));
    case 'list.exportedServices':
      return list(id, v).map((p) => {
        const e = as(ExportedService, p);
        e.Consumers = as(ResolvedConsumers, e.Consumers);
        return e;
      });
    case 'list.importedServices':
      return list(id, v).map((p) => as(ImportedService, p));
    case 'list.partitions':
      return list(id, v).map((p) => as(Partition, p));
    default:
      return v; // kv.get ({ exists, value }) and catalog.datacenters (strings) are plain JSON
  }
}

function list(id: string, v: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null)) throw new Error(`${id}: expected a list of objects`);
  return v as Array<Record<string, unknown>>;
}

/** An instance of `cls` with the fields of `plain` as own properties (defined, so a "__proto__" field stays a field). */
function as<T extends object>(cls: { prototype: T }, plain: unknown): T {
  const o = Object.create(cls.prototype) as T;
  for (const [k, value] of Object.entries(plain ?? {})) Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
  return o;
}
