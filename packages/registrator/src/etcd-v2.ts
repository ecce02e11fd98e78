// A small client of etcd's v2 keys API, which registrator's etcd and skydns2 backends write
// (github.com/coreos/go-etcd: Set with a TTL, Delete, and a recursive Get to list).
import type { KeyStore } from './key-value-registry.js';

const TIMEOUT_MS = 10_000;
/** Bound on a listing's size: registrator's keys are short, so this is far above any real one. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** etcd's "Key not found" (etcd/error/error.go EcodeKeyNotFound). */
const KEY_NOT_FOUND = 100;

interface EtcdNode {
  key?: string;
  value?: string;
  dir?: boolean;
  nodes?: EtcdNode[];
}

export class EtcdError extends Error {
  constructor(readonly errorCode: number | undefined, message: string) {
    super(message);
  }
}

export class EtcdV2 implements KeyStore {
  /** `baseUrl`: `http://host:port` of an etcd member with the v2 API enabled. */
  constructor(readonly baseUrl: string) {}

  /** etcd's `/version`: what registrator's Ping asks for. */
  async ping(): Promise<void> {
    await this.request('GET', '/version');
  }

  /** Sets a key; `ttlSeconds` > 0 makes it expire unless set again. */
  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const form = new URLSearchParams({ value });
    if (ttlSeconds > 0) form.set('ttl', String(ttlSeconds));
    await this.request('PUT', keysPath(key), form);
  }

  /** Deletes a key; one that is already gone (expired) is fine. */
  async delete(key: string): Promise<void> {
    try {
      await this.request('DELETE', keysPath(key));
    } catch (err) {
      if (!(err instanceof EtcdError && err.errorCode === KEY_NOT_FOUND)) throw err;
    }
  }

  /** Every key with a value under `dir`, at any depth; none when `dir` does not exist. */
  async list(dir: string): Promise<Array<{ key: string; value: string }>> {
    let body: { node?: EtcdNode };
    try {
      body = (await this.request('GET', `${keysPath(dir)}?recursive=true`)) as { node?: EtcdNode };
    } catch (err) {
      if (err instanceof EtcdError && err.errorCode === KEY_NOT_FOUND) return [];
      throw err;
    }
    const leaves: Array<{ key: string; value: string }> = [];
    const walk = (node: EtcdNode | undefined): void => {
      if (!node) return;
      if (!node.dir && node.key !== undefined && node.value !== undefined) leaves.push({ key: node.key, value: node.value });
      for (const child of node.nodes ?? []) walk(child);
    };
    walk(body.node);
    return leaves;
  }

  private async request(method: string, path: string, form?: URLSearchParams): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        ...(form ? { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
      });
    } catch (err) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`etcd ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) {
      await res.body?.cancel();
      throw new Error(`etcd: ${method} ${path}: response of ${length} bytes is too large`);
    }
    const text = await res.text();
    if (text.length > MAX_BODY_BYTES) throw new Error(`etcd: ${method} ${path}: response too large`);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const e = (body ?? {}) as { errorCode?: number; message?: string; cause?: string };
      const why = e.message ? `${e.message}${e.cause ? ` (${e.cause})` : ''}` : `HTTP ${res.status} ${text.trim().slice(0, 200)}`;
      throw new EtcdError(e.errorCode, `etcd: ${method} ${path}: ${why}`);
    }
    return body;
  }
}

/** `/v2/keys` plus the key, each segment escaped (service IDs hold ':' and may hold more). */
function keysPath(key: string): string {
  const segments = key.split('/').filter(Boolean).map(encodeURIComponent);
  return `/v2/keys/${segments.join('/')}`;
}
