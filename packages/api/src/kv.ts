/** /v1/kv/*: the key/value store. Values travel as base64 in JSON; helpers decode them. */
import { decodeBase64 } from './base64.js';
import type { HttpClient } from './http.js';
import { encodePath, queryParams, writeParams, type Params, type QueryOptions, type QueryResult, type WriteOptions } from './query.js';
import type { KVPair } from './types.js';

export interface KVPutOptions extends WriteOptions {
  /** `?flags=`: opaque uint64 stored with the value. */
  flags?: number | bigint;
  /** `?cas=`: write only if ModifyIndex equals this (0: only if the key does not exist). */
  cas?: number;
  /** `?acquire=`: take the lock with this session. */
  acquire?: string;
  /** `?release=`: give up the lock held by this session. */
  release?: string;
}

export type KVValue = string | Uint8Array;

/** Where the exact uint64 Flags of a pair is kept when it exceeds 2^53 (JSON.parse rounds it). */
const EXACT_FLAGS = Symbol('proconsul.kv.exactFlags');

/** A pair's Flags as an exact uint64 (Consul's lock keys use 3304740253564472344). */
export function kvFlags(pair: KVPair): bigint {
  const exact = (pair as KVPair & { [EXACT_FLAGS]?: bigint })[EXACT_FLAGS];
  return exact ?? BigInt(pair.Flags);
}

/** Reads each pair's Flags again from the response text, in order, keeping values above 2^53 exact. */
function attachExactFlags(pairs: KVPair[], text: string): void {
  const found = [...text.matchAll(/(?<!\\)"Flags":(\d+)/g)].map((m) => m[1]!);
  if (found.length !== pairs.length) return;
  pairs.forEach((p, i) => {
    if (found[i]!.length > 15) Object.defineProperty(p, EXACT_FLAGS, { value: BigInt(found[i]!), enumerable: false });
  });
}

/** The stored bytes of a pair (empty for a null value). */
export function kvValueBytes(pair: Pick<KVPair, 'Value'>): Uint8Array {
  return pair.Value ? decodeBase64(pair.Value) : new Uint8Array(0);
}

/** The stored value as UTF-8 text. */
export function kvValueText(pair: Pick<KVPair, 'Value'>): string {
  return new TextDecoder().decode(kvValueBytes(pair));
}

export class KV {
  constructor(private readonly http: HttpClient) {}

  /** One key; `data` is null when the key does not exist (404). */
  async get(key: string, opts: QueryOptions = {}): Promise<QueryResult<KVPair | null>> {
    const res = await this.read<KVPair[]>(key, opts, []);
    return { data: res.data?.[0] ?? null, meta: res.meta };
  }

  /** Every pair under a prefix (`?recurse`), in key order; `[]` when none. */
  async list(prefix: string, opts: QueryOptions = {}): Promise<QueryResult<KVPair[]>> {
    const res = await this.read<KVPair[]>(prefix, opts, [['recurse', '']]);
    return { data: res.data ?? [], meta: res.meta };
  }

  /** Key names under a prefix (`?keys`), cut after `separator` when one is given. */
  async keys(prefix: string, separator = '', opts: QueryOptions = {}): Promise<QueryResult<string[]>> {
    const extra: Params = [['keys', '']];
    if (separator) extra.push(['separator', separator]);
    const res = await this.read<string[]>(prefix, opts, extra);
    return { data: res.data ?? [], meta: res.meta };
  }

  /** Writes a value. Returns Consul's answer: always true for a plain put; the CAS/lock result otherwise. */
  async put(key: string, value: KVValue = '', opts: KVPutOptions = {}): Promise<boolean> {
    const params = writeParams(opts, this.http.datacenter);
    if (opts.flags !== undefined && opts.flags !== 0 && opts.flags !== 0n) params.push(['flags', String(opts.flags)]);
    if (opts.cas !== undefined) params.push(['cas', String(opts.cas)]);
    if (opts.acquire) params.push(['acquire', opts.acquire]);
    if (opts.release) params.push(['release', opts.release]);
    const res = await this.http.json<boolean>({
      method: 'PUT',
      path: `/kv/${encodePath(key)}`,
      params,
      body: value,
      token: opts.token,
      signal: opts.signal,
    });
    return res.data === true;
  }

  cas(key: string, value: KVValue, modifyIndex: number, opts: Omit<KVPutOptions, 'cas'> = {}): Promise<boolean> {
    return this.put(key, value, { ...opts, cas: modifyIndex });
  }

  acquire(key: string, value: KVValue, session: string, opts: Omit<KVPutOptions, 'acquire'> = {}): Promise<boolean> {
    return this.put(key, value, { ...opts, acquire: session });
  }

  release(key: string, value: KVValue, session: string, opts: Omit<KVPutOptions, 'release'> = {}): Promise<boolean> {
    return this.put(key, value, { ...opts, release: session });
  }

  async delete(key: string, opts: WriteOptions = {}): Promise<boolean> {
    return this.del(key, opts, []);
  }

  /** Deletes only if ModifyIndex equals `modifyIndex`; false when it did not. */
  async deleteCAS(key: string, modifyIndex: number, opts: WriteOptions = {}): Promise<boolean> {
    return this.del(key, opts, [['cas', String(modifyIndex)]]);
  }

  async deleteTree(prefix: string, opts: WriteOptions = {}): Promise<boolean> {
    return this.del(prefix, opts, [['recurse', '']]);
  }

  private async read<T>(key: string, opts: QueryOptions, extra: Params): Promise<{ data: T | null; meta: QueryResult<T>['meta'] }> {
    const params = [...extra, ...queryParams(opts, this.http.datacenter)];
    const res = await this.http.json<T>({
      method: 'GET',
      path: `/kv/${encodePath(key)}`,
      params,
      token: opts.token,
      signal: opts.signal,
      allowStatus: [404],
    });
    if (res.status === 404) return { data: null, meta: res.meta };
    if (Array.isArray(res.data) && res.data.length > 0 && typeof res.data[0] === 'object') attachExactFlags(res.data as KVPair[], res.text);
    return { data: res.data, meta: res.meta };
  }

  private async del(key: string, opts: WriteOptions, extra: Params): Promise<boolean> {
    const params = [...extra, ...writeParams(opts, this.http.datacenter)];
    const res = await this.http.json<boolean>({ method: 'DELETE', path: `/kv/${encodePath(key)}`, params, token: opts.token, signal: opts.signal });
    return res.data === true;
  }
}
