/**
 * The agent's leaf certificates (Consul's agent/leafcert manager: leafcert.go, generate.go,
 * cert.go): for a service it makes an EC P-256 key and a CSR with the service's SPIFFE ID, has a
 * server sign it (`ConnectCA.Sign`) and keeps the result. One entry per service (leafcert's
 * ConnectCALeafRequest.Key: the service name; not the token, and the datacenter is always the
 * agent's), and at most one fetch per entry at a time (leafcert's certGroup singleflight): every
 * read that needs a newer certificate waits on that fetch, so concurrent blocking reads get the
 * same certificate and the same index at the same moment. A fetch that ends without one (its own
 * wait, started by the read that began it, is over) lets the reads still waiting start the next.
 * A blocking fetch (`?index=N`) serves the kept certificate until it is due: its soft expiry,
 * drawn anew by every fetch (leaf-soft-expiry.ts), or a forced expiry after a root rotation.
 * After a rotation it does not re-sign at once: it force-expires the certificate at a random point
 * of the next 30 s (ca-change-delay.ts), so the servers see a cluster's leaves spread over that
 * window; each new fetch draws that point anew from its own start (the earlier point still holds
 * for that fetch). The roots come from the agent cache's connect-ca-root entry (Consul's leafcert
 * cached_roots.go), so a rotation reaches the leaves through the one blocking query that keeps the
 * roots fresh. A read without `?index` (MustRevalidate) re-signs at once under an old root or
 * past the hard expiry, unless a fetch of the service is running (Consul's "refreshing": that one
 * will bring the new certificate); an answer is a hit (with its Age, as leafcert's Manager.Get)
 * when the kept certificate served it.
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
import { drawSoftExpiryMs } from './leaf-soft-expiry.js';
import { serviceUri } from './spiffe.js';
import type { CASignCall } from './sign-rpc.js';

interface RootsView {
  index: number;
  activeRootId: string;
  trustDomain: string;
}

/** leafcert's fetchState: what the renewals of one service's certificate remember between fetches. */
interface FetchState {
  /** The active root that signed the kept certificate (leafcert compares its authority key ID). */
  rootId: string;
  /** forceExpireAfter: after a rotation or a rate-limited renewal, renewed then (0: not set). */
  forceExpireAtMs: number;
  /** activeRootRotationStart: when a fetch saw the rotation (or the first refusal). */
  rotationStartMs: number;
  rateLimitErrors: number;
}

/** leafcert's certData: one per service, shared by every reader of it. */
interface CertData {
  cert: IssuedCert | undefined;
  /** The index readers block on: the kept certificate's ModifyIndex (at least 1). */
  index: number;
  fetchedAt: number;
  state: FetchState;
  /** The last fetch's error, cleared by the next fetch (certData.lastFetchErr). */
  lastFetchErr: unknown;
  /**
   * The one fetch running for this service (leafcert's certGroup singleflight): every reader that
   * needs a newer certificate waits on it, so they all get the same certificate and index.
   * Set: Consul's "refreshing".
   */
  flight: Promise<void> | undefined;
}

/** What the fetch that starts a flight asked for (the readers that join it share its outcome). */
interface FetchRequest {
  service: string;
  token: string;
  /** The flight's own wait: its starter's ?wait, in full (Consul passes MaxQueryTime on). */
  waitMs: number;
  mustRevalidate: boolean;
}

/** A fetch's outcome (attemptLeafRefresh's return): a new certificate, or none, with the state to keep. */
interface Fetched {
  cert?: IssuedCert;
  rootId?: string;
  state: FetchState;
  err?: unknown;
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
  readonly #certs = new Map<string, CertData>();

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
   * The certificate for `service` (Manager.Get / internalGet). With `minIndex` > 0, waits (up to
   * `waitMs`) for one whose index is higher, through the service's one fetch; without, a
   * revalidating read (MustRevalidate).
   */
  async get(service: string, token: string, minIndex: number, waitMs: number): Promise<LeafResult> {
    let mustRevalidate = minIndex <= 0;
    const deadline = mustRevalidate ? Infinity : Date.now() + waitMs;
    for (let first = true; ; first = false) {
      const cd = this.#certData(service);
      if (cd.cert && !needsUpdate(cd, minIndex, mustRevalidate)) return { cert: cd.cert, hit: first, ageMs: Date.now() - cd.fetchedAt };
      // One fetch's error is the answer, not a reason to fetch again until the wait ends (consul#4480).
      if (!first && cd.lastFetchErr !== undefined) throw cd.lastFetchErr;
      if (cd.cert && Date.now() >= deadline) return { cert: cd.cert, hit: false, ageMs: 0 };
      const index = cd.index;
      const flight = cd.flight ?? this.#startFlight(cd, { service, token, waitMs, mustRevalidate });
      if (!(await settlesWithin(flight, deadline - Date.now()))) {
        // This read's wait is over: the kept certificate. A first one is waited for (its signing has a timeout).
        if (cd.cert) return { cert: cd.cert, hit: false, ageMs: 0 };
        await flight;
      }
      // A revalidation that kept the certificate answers as a hit here (Consul: a MISS, as it fetched).
      if (mustRevalidate && cd.cert && cd.index === index && cd.lastFetchErr === undefined) return { cert: cd.cert, hit: true, ageMs: Date.now() - cd.fetchedAt };
      mustRevalidate = false;
    }
  }

  #certData(service: string): CertData {
    let cd = this.#certs.get(service);
    if (cd) return cd;
    if (this.#certs.size >= LEAF_CACHE_MAX) {
      // The oldest service nobody is fetching for.
      for (const [k, v] of this.#certs) {
        if (v.flight) continue;
        this.#certs.delete(k);
        break;
      }
    }
    cd = { cert: undefined, index: 0, fetchedAt: 0, state: { rootId: '', forceExpireAtMs: 0, rotationStartMs: 0, rateLimitErrors: 0 }, lastFetchErr: undefined, flight: undefined };
    this.#certs.set(service, cd);
    return cd;
  }

  /** triggerCertRefreshInGroup: the one fetch of this service, which later readers join; its outcome goes into `cd`. */
  #startFlight(cd: CertData, req: FetchRequest): Promise<void> {
    const flight = this.#attemptRefresh(cd, req)
      .catch((err: unknown): Fetched => ({ state: cd.state, err: httpErrorOf(err) }))
      .then((got) => {
        // certData.Update: the error always replaced, the certificate only by a new one.
        cd.lastFetchErr = got.err;
        cd.state = got.state;
        if (got.cert) {
          cd.cert = got.cert;
          cd.index = got.cert.ModifyIndex;
          cd.fetchedAt = Date.now();
        }
        if (cd.index < 1) cd.index = 1;
        cd.flight = undefined;
      });
    cd.flight = flight;
    return flight;
  }

  /**
   * attemptLeafRefresh: renew now when the kept certificate is due (its soft expiry, drawn anew
   * for this fetch, or a forced expiry after a rotation); a revalidation renews only under an old
   * root; else wait for the expiry, a rotation (which forces one a random delay from now) or the
   * end of the fetch's wait.
   */
  async #attemptRefresh(cd: CertData, req: FetchRequest): Promise<Fetched> {
    const existing = cd.cert;
    const state = { ...cd.state };
    if (!existing) return this.#generate(req, false, state);
    const start = Date.now();
    let expiresAtMs = drawSoftExpiryMs(start, existing);
    if (state.forceExpireAtMs > 0 && state.forceExpireAtMs < expiresAtMs) expiresAtMs = state.forceExpireAtMs;
    if (expiresAtMs <= start) return this.#generate(req, true, state);
    let roots = await this.roots(req.token);
    if (req.mustRevalidate) return roots.activeRootId === state.rootId ? { state } : this.#generate(req, true, state);
    const deadline = start + req.waitMs;
    // The roots as they are now count as an update: the rotation may have come between two fetches.
    for (let rootsUpdated = true; ; ) {
      if (rootsUpdated && roots.activeRootId !== state.rootId) {
        // A rotation: renew at a random point of the window from now, not at once (generate.go rootUpdateCh).
        state.rotationStartMs = Date.now();
        state.forceExpireAtMs = state.rotationStartMs + caChangeDelayMs(this.ctx.config.connect.testCaLeafRootChangeSpreadMs);
        expiresAtMs = Math.min(expiresAtMs, state.forceExpireAtMs);
      }
      const now = Date.now();
      if (now >= expiresAtMs) return this.#generate(req, true, state);
      if (now >= deadline) return { state };
      const seen = roots.index;
      // Wake on a root change, at the expiry or at the end of the wait, whichever comes first.
      roots = await this.roots(req.token, seen, Math.min(deadline, expiresAtMs) - now);
      rootsUpdated = roots.index !== seen;
    }
  }

  /** generateNewLeaf: a new key, a CSR for the service's SPIFFE ID, signed by a server. */
  async #generate(req: FetchRequest, hasExisting: boolean, state: FetchState): Promise<Fetched> {
    const roots = await this.roots(req.token);
    if (roots.trustDomain === '' || roots.activeRootId === '') return { state, err: new HttpError(500, 'CA is uninitialized and unable to sign certificates yet: no root certificate') };
    // Loaded on the first leaf: an agent that never serves one keeps the X.509 code out of memory.
    const { newKey, createCsr } = await import('@proconsul/x509');
    const key = newKey('ec', 256);
    const uri = serviceUri(roots.trustDomain, this.ctx.config.datacenter, req.service);
    const call: CASignCall = { Datacenter: this.ctx.config.datacenter, CSR: createCsr(key.priv, key.spki, { uris: [uri] }), Token: req.token };
    let cert: IssuedCert;
    try {
      cert = (await this.ctx.cluster.serverRpc('ConnectCA.Sign', call, SIGN_TIMEOUT_MS, false)) as IssuedCert;
    } catch (err) {
      if (!isRateLimited(err)) return { state, err: httpErrorOf(err) };
      // A first certificate refused is the caller's error; a renewal keeps the kept one and retries later.
      if (!hasExisting) return { state, err: new HttpError(429, ERR_RATE_LIMITED) };
      return { state: this.#backOff(state) };
    }
    return { cert: ordered({ ...cert, PrivateKeyPEM: key.pem }), state: { rootId: roots.activeRootId, forceExpireAtMs: 0, rotationStartMs: 0, rateLimitErrors: 0 } };
  }

  /** generateNewLeaf on ErrRateLimited with a kept certificate: retry at a random point of window n+1. */
  #backOff(state: FetchState): FetchState {
    const now = Date.now();
    // Refused without a rotation seen: retried as if one started now.
    if (state.rotationStartMs === 0) state.rotationStartMs = now;
    state.rateLimitErrors++;
    const delay = Math.max(RETRY_DELAY_MIN_MS, caChangeDelayMs(this.ctx.config.connect.testCaLeafRootChangeSpreadMs));
    // Never in the past (a long-ago rotation): each refusal waits at least one delay.
    state.forceExpireAtMs = Math.max(now + delay, state.rotationStartMs + state.rateLimitErrors * delay + delay);
    return state;
  }
}

/** certNeedsUpdate: no certificate, one not newer than the reader's index, or a revalidation while no fetch runs. */
function needsUpdate(cd: CertData, minIndex: number, mustRevalidate: boolean): boolean {
  if (!cd.cert) return true;
  if (minIndex > 0 && minIndex >= cd.index) return true;
  // A fetch running for this service ("refreshing") will bring any new certificate: the kept one is current.
  return mustRevalidate && cd.flight === undefined;
}

/** Whether `p` settles within `ms` (Infinity: waits for it). */
function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  if (ms === Infinity) return p.then(() => true);
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** structs.IssuedCert's field order. */
function ordered(c: IssuedCert): IssuedCert {
  return {
    SerialNumber: c.SerialNumber, CertPEM: c.CertPEM, PrivateKeyPEM: c.PrivateKeyPEM!, Service: c.Service, ServiceURI: c.ServiceURI,
    ValidAfter: c.ValidAfter, ValidBefore: c.ValidBefore, CreateIndex: c.CreateIndex, ModifyIndex: c.ModifyIndex,
  };
}

export { CONNECT_NOT_ENABLED };
