/**
 * The agent's leaf certificates (Consul's agent/leafcert manager): for a service it makes an
 * EC P-256 key and a CSR with the service's SPIFFE ID, has a server sign it (`ConnectCA.Sign`)
 * and keeps the result, handing the same certificate out until it is due for renewal (a random
 * point between 60% and 90% of its lifetime, as Consul spreads renewals) or the active root
 * changes. A blocking query (`?index=N`) waits for a certificate with a higher ModifyIndex:
 * it watches the roots and the renewal time, up to `?wait`. The roots come from the agent
 * cache's connect-ca-root entry (Consul's leafcert cached_roots.go), so a rotation reaches the
 * leaves through the one blocking query that keeps the roots fresh. This is the agent's only
 * cache of leaves: an answer is a hit (with its Age, as Consul's leafcert Manager.Get) when the
 * kept certificate served it at once.
 * After a rotation, leafcert's attemptLeafRefresh does not re-sign at once for a blocking query:
 * it force-expires the certificate at a random point of the next 30 s (ca-change-delay.ts), so
 * the servers see a cluster's leaves spread over that window; each new blocking query draws
 * that point anew from its own start. A query without `?index`
 * (MustRevalidate) re-signs at once, unless a blocking query of the same service is waiting
 * (Consul's "refreshing": that one will bring the new certificate).
 * A signing refused by the servers' rate limit (csr-limit.ts) is Consul's leafcert
 * generateNewLeaf: on a first certificate it is the caller's error (429); with a certificate
 * kept, that one is served on and the signing retried at a random point of a growing window
 * (caChangeJitterWindow, 30 s, times the consecutive refusals).
 */
import type { FastifyInstance } from 'fastify';
import { NO_CACHE_CONTROL } from '../cache/cache-control.js';
import type { AgentContext } from '../context.js';
import { HttpError } from '../http/http-error.js';
import { RpcRemoteError } from '../rpc/client.js';
import type { IssuedCert } from './ca-manager.js';
import { caChangeDelayMs } from './ca-change-delay.js';
import { CONNECT_NOT_ENABLED } from './config.js';
import { ERR_RATE_LIMITED } from './csr-limit.js';
import { serviceUri } from './spiffe.js';
import type { CASignCall } from './sign-rpc.js';

interface RootsView {
  index: number;
  activeRootId: string;
  trustDomain: string;
}

interface Entry {
  cert: IssuedCert;
  rootId: string;
  renewAtMs: number;
  fetchedAt: number;
  /** leafcert's forceExpireAfter: after a rotation or a rate-limited renewal, renewed then (0: not set). */
  forceExpireAtMs: number;
  /** activeRootRotationStart: when a blocking query saw the rotation (or the first refusal). */
  rotationStartMs: number;
  rateLimitErrors: number;
}

/** A leaf answer with the cache meta Consul's handler sets from it. */
export interface LeafResult {
  cert: IssuedCert;
  hit: boolean;
  ageMs: number;
}

/** The servers' roots read behind the connect-ca-root cache entry. */
export const CA_ROOTS_PATH = '/v1/connect/ca/roots';

/** Bound on the services whose certificates an agent keeps. */
const LEAF_CACHE_MAX = 1024;
const SIGN_TIMEOUT_MS = 30_000;
/** A floor under the random retry delay, so a run of refusals cannot spin. */
const RETRY_DELAY_MIN_MS = 100;

/** A server's answer to the agent as Consul's HTTP layer maps RPC errors: ACL denials are 403. */
function httpErrorOf(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof RpcRemoteError) {
    const m = err.message;
    return new HttpError(m.startsWith('Permission denied') || m === 'ACL not found' ? 403 : 500, m);
  }
  return err;
}

/** Consul's agents know ErrRateLimited by its text (net/rpc carries no type); its HTTP status is 429. */
function isRateLimited(err: unknown): boolean {
  return err instanceof Error && err.message === ERR_RATE_LIMITED;
}

export class LeafCerts {
  readonly #certs = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<Entry>>();
  /** Blocking queries waiting per service (bounded by the HTTP server's connections). */
  readonly #blocking = new Map<string, number>();

  /** `app` is the agent's HTTP app, through which the roots' cache entry fetches. */
  constructor(
    private readonly ctx: AgentContext,
    private readonly app: FastifyInstance,
  ) {}

  /** The cluster's roots from the agent cache (a blocking read when `index` > 0, up to `waitMs`). */
  async roots(token: string, index = 0, waitMs = 0): Promise<RootsView> {
    const { cachedGet } = await import('../cache/http-cache.js');
    const { result } = await cachedGet(this.app, this.ctx, { typeName: 'connect-ca-root', path: CA_ROOTS_PATH, query: '', token }, {
      minIndex: index,
      timeoutMs: index > 0 ? Math.max(1, Math.ceil(waitMs)) : 0,
      cc: NO_CACHE_CONTROL,
    });
    if (result.error instanceof Error) throw result.error;
    const res = result.error ?? result.value;
    if (!res) throw new HttpError(500, 'internal error: response type not correct');
    const text = Buffer.from(res.body).toString('utf8');
    if (res.status !== 200) throw new HttpError(res.status, text);
    const body = JSON.parse(text) as { ActiveRootID: string; TrustDomain: string };
    return { index: result.index, activeRootId: body.ActiveRootID, trustDomain: body.TrustDomain };
  }

  /**
   * The certificate for `service`: the kept one when still good under the active root, else a
   * new one. With `minIndex` > 0, waits (up to `waitMs`) for one whose ModifyIndex is higher.
   */
  async get(service: string, token: string, minIndex: number, waitMs: number): Promise<LeafResult> {
    if (minIndex <= 0) return this.#revalidate(service, token);
    this.#blocking.set(service, (this.#blocking.get(service) ?? 0) + 1);
    try {
      return await this.#wait(service, token, minIndex, Date.now() + waitMs);
    } finally {
      const n = this.#blocking.get(service)! - 1;
      if (n > 0) this.#blocking.set(service, n);
      else this.#blocking.delete(service);
    }
  }

  /** A query without an index (MustRevalidate): the kept certificate unless it is due or under an old root. */
  async #revalidate(service: string, token: string): Promise<LeafResult> {
    const roots = await this.roots(token);
    const e = this.#certs.get(service);
    // A blocking query of this service is waiting: it renews when due (certNeedsUpdate's "refreshing").
    const refreshing = this.#blocking.has(service);
    if (e && (refreshing || (Date.now() < dueAt(e) && e.rootId === roots.activeRootId))) return { cert: e.cert, hit: true, ageMs: Date.now() - e.fetchedAt };
    // A rate-limited renewal hands back `e`: served as it is.
    const issued = await this.#issue(service, token, roots);
    return { cert: issued.cert, hit: false, ageMs: 0 };
  }

  /**
   * attemptLeafRefresh for a blocking query: wait for the expiry fixed at the query's start, a
   * rotation (plus its jitter) or the deadline. Each new query, and each roots change, that finds
   * the certificate under an old root restarts the rotation with a fresh delay (generate.go's
   * rootUpdateCh case): the kept expiry is only brought forward within this query, but the next
   * query starts from the new one.
   */
  async #wait(service: string, token: string, minIndex: number, deadline: number): Promise<LeafResult> {
    let roots = await this.roots(token);
    let expiresAtMs = NaN;
    /** The roots index whose rotation this query already jittered (-1: none yet). */
    let jitteredIndex = -1;
    for (let first = true; ; first = false) {
      const e = this.#certs.get(service);
      if (!e) return { cert: (await this.#issue(service, token, roots)).cert, hit: false, ageMs: 0 };
      // Kept and served at once: a hit, aged since it was signed for this agent.
      if (e.cert.ModifyIndex > minIndex) return { cert: e.cert, hit: first, ageMs: Date.now() - e.fetchedAt };
      const now = Date.now();
      if (Number.isNaN(expiresAtMs)) expiresAtMs = dueAt(e);
      if (now >= expiresAtMs) {
        // A rate-limited renewal keeps `e` (with a later forceExpireAtMs): waited on as a new attempt.
        await this.#issue(service, token, roots);
        expiresAtMs = NaN;
        jitteredIndex = -1;
        continue;
      }
      if (e.rootId !== roots.activeRootId && roots.index !== jitteredIndex) {
        // A rotation: renew at a random point of the window from now, not at once.
        jitteredIndex = roots.index;
        e.rotationStartMs = now;
        e.forceExpireAtMs = now + caChangeDelayMs(this.ctx.config.connect.testCaLeafRootChangeSpreadMs);
        expiresAtMs = Math.min(expiresAtMs, e.forceExpireAtMs);
      }
      const left = deadline - now;
      if (left <= 0) return { cert: e.cert, hit: false, ageMs: 0 };
      // Wake on a root change or at the expiry, whichever comes first.
      roots = await this.roots(token, roots.index, Math.min(left, Math.max(1, expiresAtMs - now)));
    }
  }

  #issue(service: string, token: string, roots: RootsView): Promise<Entry> {
    let p = this.#pending.get(service);
    if (!p) {
      p = this.#sign(service, token, roots).finally(() => this.#pending.delete(service));
      this.#pending.set(service, p);
    }
    return p;
  }

  async #sign(service: string, token: string, roots: RootsView): Promise<Entry> {
    if (roots.trustDomain === '' || roots.activeRootId === '') throw new HttpError(500, 'CA is uninitialized and unable to sign certificates yet: no root certificate');
    // Loaded on the first leaf: an agent that never serves one keeps the X.509 code out of memory.
    const { newKey, createCsr } = await import('@proconsul/x509');
    const key = newKey('ec', 256);
    const uri = serviceUri(roots.trustDomain, this.ctx.config.datacenter, service);
    const call: CASignCall = { Datacenter: this.ctx.config.datacenter, CSR: createCsr(key.priv, key.spki, { uris: [uri] }), Token: token };
    let cert: IssuedCert;
    try {
      cert = (await this.ctx.cluster.serverRpc('ConnectCA.Sign', call, SIGN_TIMEOUT_MS, false)) as IssuedCert;
    } catch (err) {
      const kept = this.#certs.get(service);
      if (!isRateLimited(err)) throw httpErrorOf(err);
      if (!kept) throw new HttpError(429, ERR_RATE_LIMITED);
      this.#backOff(kept);
      return kept;
    }
    cert = { ...cert, PrivateKeyPEM: key.pem };
    const after = Date.parse(cert.ValidAfter);
    const life = Date.parse(cert.ValidBefore) - after;
    const entry: Entry = {
      cert: ordered(cert), rootId: roots.activeRootId, renewAtMs: after + life * (0.6 + Math.random() * 0.3), fetchedAt: Date.now(),
      forceExpireAtMs: 0, rotationStartMs: 0, rateLimitErrors: 0,
    };
    if (this.#certs.size >= LEAF_CACHE_MAX && !this.#certs.has(service)) this.#certs.delete(this.#certs.keys().next().value!);
    this.#certs.set(service, entry);
    return entry;
  }

  /** generateNewLeaf on ErrRateLimited with a kept certificate: retry at a random point of window n+1. */
  #backOff(e: Entry): void {
    const now = Date.now();
    // Refused without a rotation seen: retried as if one started now.
    if (e.rotationStartMs === 0) e.rotationStartMs = now;
    e.rateLimitErrors++;
    const delay = Math.max(RETRY_DELAY_MIN_MS, caChangeDelayMs(this.ctx.config.connect.testCaLeafRootChangeSpreadMs));
    // Never in the past (a long-ago rotation): each refusal waits at least one delay.
    e.forceExpireAtMs = Math.max(now + delay, e.rotationStartMs + e.rateLimitErrors * delay + delay);
  }
}

/** When a kept certificate is renewed: its soft expiry, or earlier when force-expired. */
function dueAt(e: Entry): number {
  return e.forceExpireAtMs > 0 ? Math.min(e.renewAtMs, e.forceExpireAtMs) : e.renewAtMs;
}

/** structs.IssuedCert's field order. */
function ordered(c: IssuedCert): IssuedCert {
  return {
    SerialNumber: c.SerialNumber, CertPEM: c.CertPEM, PrivateKeyPEM: c.PrivateKeyPEM!, Service: c.Service, ServiceURI: c.ServiceURI,
    ValidAfter: c.ValidAfter, ValidBefore: c.ValidBefore, CreateIndex: c.CreateIndex, ModifyIndex: c.ModifyIndex,
  };
}

export { CONNECT_NOT_ENABLED };
