/**
 * A client agent's `auto_encrypt { tls = true }` (Consul's agent/auto-config/auto_encrypt.go and
 * tls.go): at start it makes a key and a CSR for its agent SPIFFE ID (the trust domain "unknown":
 * the server puts in the real one) with the DNS SANs localhost + dns_san and the IP SANs
 * 127.0.0.1, ::1 + ip_san, and asks a server for a certificate (`AutoEncrypt.Sign` over
 * RPCTLSInsecure: the server is verified against ca_file, the client has no certificate yet),
 * retrying until one answers. The answer's certificate, the servers' manual CAs and the Connect
 * roots go into the RPC TLS (UpdateAutoTLS). Then it follows the roots (a blocking query) and
 * renews the certificate at a random point between 60% and 90% of its life (drawn anew every
 * 10 minutes, as the leaf manager's fetches draw it), or at a random point of the 30 s after
 * the active root changes (the leaf cache's renewal, ca-change-delay.ts), over the regular TLS
 * connection.
 * Loaded only when auto_encrypt.tls is on: a plain client agent keeps the X.509 code out.
 */
import { connect } from 'node:net';
import type { AgentConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ClusterRole } from '../cluster/role.js';
import type { ServerInfo } from '../cluster/servers.js';
import type { IssuedCert } from '../connect/ca-manager.js';
import type { SignedResponse } from '../connect/auto-encrypt-rpc.js';
import type { CASignCall } from '../connect/sign-rpc.js';
import { caChangeDelayMs } from '../connect/ca-change-delay.js';
import { drawSoftExpiryMs } from '../connect/leaf-soft-expiry.js';
import { agentUri } from '../connect/spiffe.js';
import { encodeRpcFrame, RpcFrameDecoder } from '../rpc/frames.js';
import type { RpcResponse } from '../rpc/messages.js';
import type { RpcTls } from './rpc-tls.js';

/** Consul's unknownTrustDomain: the first CSR is made before the roots are known. */
const UNKNOWN_TRUST_DOMAIN = 'unknown';
const CALL_TIMEOUT_MS = 10_000;
/** Waits between rounds of asking every server (Consul's retry.Waiter, doubling), and its cap. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
const ROOTS_WAIT_MS = 5 * 60_000;
/** The longest blocking fetch of Consul's leaf manager (leafcert.go DefaultQueryTimeout). */
const LEAF_FETCH_MS = 10 * 60_000;

export interface AutoEncryptOptions {
  config: AgentConfig;
  rpcTls: RpcTls;
  /** The servers gossip knows now (Consul's FindLANServer), tried before the join addresses. */
  servers: () => ServerInfo[];
  /** The agent token (Consul sends Tokens.AgentToken()). */
  token: () => string;
  log: Logger;
}

interface RootsView {
  index: number;
  activeRootId: string;
  trustDomain: string;
  pems: string[];
}

export class AutoEncrypt {
  readonly #stop = new AbortController();
  readonly #listeners: Array<() => void> = [];
  #renewTimer: NodeJS.Timeout | undefined;
  /** When #renewTimer renews. */
  #renewAtMs = Infinity;
  #cluster: ClusterRole | undefined;
  #activeRootId = '';
  #trustDomain = UNKNOWN_TRUST_DOMAIN;
  #cert: IssuedCert | undefined;

  constructor(private readonly o: AutoEncryptOptions) {}

  /** The certificate in use (with its key), once the servers gave one. */
  get cert(): IssuedCert | undefined {
    return this.#cert;
  }

  /** Called after each change of the certificate or the CAs (the HTTPS listener reloads them). */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** autoEncryptInitialCerts: resolves once a server signed, or rejects when stopped. */
  async initialCerts(): Promise<void> {
    const { csr, keyPem } = await this.#csr();
    let waitMs = RETRY_FIRST_MS;
    for (;;) {
      const resp = await this.#askServers(csr);
      if (resp) {
        this.#apply(resp, keyPem);
        return;
      }
      if (this.#stop.signal.aborted) throw new Error('interrupted during retrieval of auto-encrypt certificates');
      await sleep(waitMs, this.#stop.signal);
      waitMs = Math.min(RETRY_MAX_MS, waitMs * 2);
    }
  }

  /** auto_config: the certificate came with the configuration (or from the data dir). */
  seed(resp: SignedResponse, keyPem: string): void {
    this.#apply(resp, keyPem);
  }

  /** After the start: follow the roots and renew through the servers over the regular connection. */
  start(cluster: ClusterRole): void {
    this.#cluster = cluster;
    this.#scheduleRenewal();
    void this.#watchRoots();
  }

  stop(): void {
    this.#stop.abort();
    clearTimeout(this.#renewTimer);
  }

  #csr(): Promise<{ csr: string; keyPem: string }> {
    return agentCsr(this.o.config, this.#trustDomain);
  }

  /** Every known server, then every join address on the server port; the first answer wins. */
  async #askServers(csr: string): Promise<SignedResponse | undefined> {
    const c = this.o.config;
    const call: CASignCall = { Datacenter: c.datacenter, CSR: csr, Token: this.o.token() };
    const targets = this.o.servers().map((s) => ({ host: s.addr, port: s.port }));
    if (targets.length === 0) {
      for (const addr of [...c.startJoin, ...c.retryJoin]) {
        if (addr.includes('=')) continue; // a cloud auto-join string: not an address
        targets.push({ host: hostOf(addr), port: c.ports.server });
      }
    }
    if (targets.length === 0) {
      this.o.log.error('no auto-encrypt server addresses available for use');
      return undefined;
    }
    for (const t of targets) {
      if (this.#stop.signal.aborted) return undefined;
      this.o.log.debug({ addr: `${t.host}:${t.port}` }, 'making AutoEncrypt.Sign RPC');
      try {
        return (await insecureRpcCall(this.o.rpcTls, t.host, t.port, 'AutoEncrypt.Sign', call)) as SignedResponse;
      } catch (err) {
        this.o.log.error({ addr: `${t.host}:${t.port}`, error: (err as Error).message }, 'AutoEncrypt.Sign RPC failed');
      }
    }
    this.o.log.error('No servers successfully responded to the auto-encrypt request');
    return undefined;
  }

  /** setInitialTLSCertificates: the certificate, the manual CAs and the Connect roots into the RPC TLS. */
  #apply(resp: SignedResponse, keyPem: string): void {
    const roots = resp.ConnectCARoots;
    this.o.rpcTls.updateAutoTls({
      extraCaPems: resp.ManualCARoots ?? [],
      connectCaPems: (roots.Roots ?? []).map((r) => r.RootCert),
      certPem: resp.IssuedCert.CertPEM,
      keyPem,
      verifyServerHostname: resp.VerifyServerHostname === true,
    });
    this.#activeRootId = roots.ActiveRootID;
    this.#trustDomain = roots.TrustDomain || this.#trustDomain;
    this.#cert = { ...resp.IssuedCert, PrivateKeyPEM: keyPem };
    this.o.log.info({ uri: resp.IssuedCert.AgentURI, validBefore: resp.IssuedCert.ValidBefore }, 'auto-encrypt: got the agent certificate');
    this.#changed();
  }

  #changed(): void {
    for (const l of this.#listeners) {
      try {
        l();
      } catch (err) {
        this.o.log.error({ error: (err as Error).message }, 'auto-encrypt: failed to apply the new certificate');
      }
    }
  }

  /**
   * Renewal at 60-90% of the certificate's life (leaf-soft-expiry.ts). Consul's agent watches
   * this certificate through its leaf manager with blocking fetches of at most 10 minutes
   * (leafcert watch.go, DefaultQueryTimeout), each drawing the point anew: here a point more than
   * one such fetch away is drawn again when that time has passed.
   */
  #scheduleRenewal(delayMs?: number): void {
    clearTimeout(this.#renewTimer);
    if (this.#stop.signal.aborted || !this.#cert) return;
    let wait = delayMs;
    let redraw = false;
    if (wait === undefined) {
      const now = Date.now();
      wait = Math.max(0, drawSoftExpiryMs(now, this.#cert) - now);
      if (wait > LEAF_FETCH_MS) [wait, redraw] = [LEAF_FETCH_MS, true];
    }
    this.#renewAtMs = Date.now() + wait;
    // Every wait is at most one fetch (10 min) or a given retry/rotation delay, well inside the
    // 2^31-1 ms a Node timer holds.
    this.#renewTimer = setTimeout(() => (redraw ? this.#scheduleRenewal() : void this.#renew()), wait);
    this.#renewTimer.unref();
  }

  #renewing: Promise<void> | undefined;
  #renewFailures = 0;

  /** A new key and certificate through ConnectCA.Sign (the leaf cache's fetch), the trust domain now known. */
  #renew(): Promise<void> {
    this.#renewing ??= (async () => {
      try {
        const { csr, keyPem } = await this.#csr();
        const call: CASignCall = { Datacenter: this.o.config.datacenter, CSR: csr, Token: this.o.token() };
        const cert = (await this.#cluster!.serverRpc('ConnectCA.Sign', call, CALL_TIMEOUT_MS, false)) as IssuedCert;
        this.o.rpcTls.updateAutoTlsCert(cert.CertPEM, keyPem);
        this.#cert = { ...cert, PrivateKeyPEM: keyPem };
        this.#renewFailures = 0;
        this.o.log.info({ uri: cert.AgentURI, validBefore: cert.ValidBefore }, 'auto-encrypt: renewed the agent certificate');
        this.#changed();
        this.#scheduleRenewal();
      } catch (err) {
        this.#renewFailures++;
        this.o.log.error({ error: (err as Error).message }, 'auto-encrypt: failed to renew the agent certificate');
        this.#scheduleRenewal(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(this.#renewFailures, 6)));
      } finally {
        this.#renewing = undefined;
      }
    })();
    return this.#renewing;
  }

  /** Follows /v1/connect/ca/roots: new roots are trusted at once; a new active root renews the certificate. */
  async #watchRoots(): Promise<void> {
    let index = 0;
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      let roots: RootsView;
      try {
        roots = await this.#roots(index);
        failures = 0;
      } catch (err) {
        failures++;
        this.o.log.warn({ error: (err as Error).message }, 'auto-encrypt: failed to read the Connect roots');
        await sleep(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(failures, 6)), this.#stop.signal);
        continue;
      }
      if (roots.index === index) continue;
      index = roots.index;
      try {
        this.o.rpcTls.updateAutoTlsCa(roots.pems);
        this.#changed();
      } catch (err) {
        this.o.log.error({ error: (err as Error).message }, 'auto-encrypt: failed to update Connect CA certificates');
      }
      if (roots.trustDomain) this.#trustDomain = roots.trustDomain;
      if (roots.activeRootId !== '' && roots.activeRootId !== this.#activeRootId) {
        this.#activeRootId = roots.activeRootId;
        // Not at once: a random point of the jitter window, as leafcert's attemptLeafRefresh.
        const delayMs = caChangeDelayMs(this.o.config.connect.testCaLeafRootChangeSpreadMs);
        this.o.log.info({ root: roots.activeRootId, delayMs: Math.round(delayMs) }, 'auto-encrypt: the active root changed, renewing the agent certificate');
        if (Date.now() + delayMs < this.#renewAtMs) this.#scheduleRenewal(delayMs);
      }
    }
  }

  async #roots(index: number): Promise<RootsView> {
    const q = index > 0 ? `?index=${index}&wait=${ROOTS_WAIT_MS}ms` : '';
    const token = this.o.token();
    const res = await this.#cluster!.forward({ method: 'GET', url: `/v1/connect/ca/roots${q}`, headers: token ? { 'x-consul-token': token } : {} }, ROOTS_WAIT_MS + CALL_TIMEOUT_MS);
    const text = Buffer.from(res.body).toString('utf8');
    if (res.status !== 200) throw new Error(`${res.status} ${text}`);
    const body = JSON.parse(text) as { ActiveRootID: string; TrustDomain: string; Roots: Array<{ RootCert: string }> | null };
    return { index: Number(res.headers['x-consul-index'] ?? 0), activeRootId: body.ActiveRootID, trustDomain: body.TrustDomain, pems: (body.Roots ?? []).map((r) => r.RootCert) };
  }
}

/** The host of a join address (`host`, `host:port`, `[v6]:port`): its port is gossip's, not the server port. */
function hostOf(addr: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(addr);
  if (v6) return v6[1]!;
  const colons = addr.split(':').length - 1;
  return colons === 1 ? addr.slice(0, addr.lastIndexOf(':')) : addr;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/**
 * A key and a CSR for the agent SPIFFE ID (Consul's generateCSR): the configured CA key type,
 * DNS SANs localhost + auto_config.dns_sans (or auto_encrypt.dns_san), IP SANs 127.0.0.1, ::1 + ip_san(s).
 */
export async function agentCsr(c: AgentConfig, trustDomain = UNKNOWN_TRUST_DOMAIN): Promise<{ csr: string; keyPem: string }> {
  const { newKey, createCsr } = await import('@proconsul/x509');
  // The configured CA key type, as Consul's generateCSR (ec P-256 by default).
  const type = c.connect.caConfig['PrivateKeyType'] === 'rsa' ? 'rsa' : 'ec';
  const bits = Number(c.connect.caConfig['PrivateKeyBits']) || (type === 'rsa' ? 2048 : 256);
  const key = newKey(type, bits);
  const sans = c.autoConfig.enabled ? { dns: c.autoConfig.dnsSans, ip: c.autoConfig.ipSans } : { dns: c.autoEncrypt.dnsSan, ip: c.autoEncrypt.ipSan };
  const dnsNames = unique(['localhost', ...sans.dns]);
  const ipAddresses = unique(['127.0.0.1', '::1', ...sans.ip]);
  const uri = agentUri(trustDomain, c.datacenter, c.nodeName);
  return { csr: createCsr(key.priv, key.spki, { uris: [uri], dnsNames, ipAddresses }), keyPem: key.pem };
}

/** One call over RPCTLSInsecure: TLS verifying the server against the CA, no client certificate, one frame each way. */
export function insecureRpcCall(rpcTls: RpcTls, host: string, port: number, method: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let done = false;
    const finish = (err: Error | undefined, value?: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`rpc: ${method} timed out after ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    s.once('error', (err) => finish(err));
    s.once('connect', () => {
      rpcTls.dial(s, CALL_TIMEOUT_MS, true).then((t) => {
        const decoder = new RpcFrameDecoder();
        t.on('error', (err) => finish(err));
        t.on('close', () => finish(new Error(`rpc: connection to ${host}:${port} closed`)));
        t.on('data', (chunk: Buffer) => {
          let frames: unknown[];
          try {
            frames = decoder.push(chunk);
          } catch (err) {
            return finish(err as Error);
          }
          for (const f of frames) {
            const res = f as RpcResponse;
            if (res.Seq !== 1) continue;
            if (res.Error !== undefined) finish(new Error(res.Error));
            else finish(undefined, res.Body);
            t.destroy();
          }
        });
        t.write(encodeRpcFrame({ Seq: 1, Method: method, Body: body }));
      }, (err: Error) => finish(err));
    });
  });
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
