/**
 * A Connect service as the proxy represents it (Consul's connect/service.go): its leaf
 * certificate and the CA roots, each kept current by a blocking watch on the local agent
 * (/v1/agent/connect/ca/leaf/:service and /v1/agent/connect/ca/roots), the server-side
 * check of a client (chain verified by the TLS stack, then SPIFFE ID and authorize call:
 * Consul's newServerSideVerifier) and the client-side dial of an upstream instance
 * (chain, then the instance's SPIFFE ID: Consul's Service.Dial).
 */
import { X509Certificate } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { parseWatchPlan, watchCallback, type BlockingFetcher, type CARootList, type Consul, type LeafCert, type WatchHandle } from '@proconsul/api';
import type { UpstreamConfig } from './config.js';
import type { ProxyLogger } from './logger.js';
import { peerIdentity, uriSans } from './peer-cert.js';
import { resolveUpstream, type Pick } from './resolver.js';
import { parseSpiffeService, serverIdentityMismatch, spiffeServiceUri } from './spiffe.js';
import { DynamicTlsConfig } from './tls-config.js';

export interface ConnectServiceOptions {
  /** Milliseconds between retries of a failed watch, growing quadratically up to 20 s (tests shorten it). */
  watchBackoffBaseMs?: number;
  /** How an upstream instance is chosen among several. */
  pick?: Pick;
}

export class ConnectService {
  readonly tls = new DynamicTlsConfig();
  readonly logger: ProxyLogger;
  private readonly watches: WatchHandle[] = [];

  constructor(
    private readonly client: Consul,
    readonly name: string,
    logger: ProxyLogger,
    private readonly opts: ConnectServiceOptions = {},
  ) {
    this.logger = logger.named('connect').with({ service: name });
  }

  /** Starts the roots and leaf watches (Consul's connect_roots and connect_leaf watch plans). */
  start(): void {
    const backoffBaseMs = this.opts.watchBackoffBaseMs ?? 500;
    const onError = (type: string) => (err: unknown, _n: number, delayMs: number) =>
      this.logger.error('Watch errored', { type, error: err instanceof Error ? err : String(err), retry: `${delayMs}ms` });
    const roots = parseWatchPlan({ type: 'connect_roots' });
    this.watches.push(
      watchCallback(roots.fetcher(this.client) as BlockingFetcher<CARootList | null>, (data) => this.onRoots(data), {
        onError: onError('connect_roots'),
        backoffBaseMs,
      }),
    );
    const leaf = parseWatchPlan({ type: 'connect_leaf', service: this.name });
    this.watches.push(
      watchCallback(leaf.fetcher(this.client) as BlockingFetcher<LeafCert | null>, (data) => this.onLeaf(data), {
        onError: onError('connect_leaf'),
        backoffBaseMs,
      }),
    );
    for (const w of this.watches) w.done.catch((err: unknown) => this.logger.error('watch stopped', { error: err instanceof Error ? err : String(err) }));
  }

  close(): void {
    for (const w of this.watches.splice(0)) w.stop();
  }

  private onRoots(list: CARootList | null): void {
    if (!list) return;
    const pems = (list.Roots ?? []).map((r) => r.RootCert).filter((p): p is string => typeof p === 'string' && p !== '');
    this.tls.setRoots(pems, list.TrustDomain ?? '');
  }

  private onLeaf(leaf: LeafCert | null): void {
    if (!leaf) return;
    try {
      const der = new X509Certificate(leaf.CertPEM).raw;
      this.tls.setLeaf({ certPem: leaf.CertPEM, keyPem: leaf.PrivateKeyPEM, uri: uriSans(der)[0] ?? leaf.ServiceURI });
    } catch (err) {
      this.logger.error('failed to parse new leaf cert', { error: err instanceof Error ? err : String(err) });
    }
  }

  /**
   * After the TLS stack has verified the client's chain against the roots: the client's
   * first URI SAN must be a SPIFFE service ID, and the agent must authorize it for this
   * service. Logs and returns false on any refusal.
   */
  async authorizeClient(socket: TLSSocket): Promise<boolean> {
    const cert = socket.getPeerCertificate();
    if (!cert?.raw) {
      this.logger.error('failed TLS verification', { error: 'tls: no certificates from peer' });
      return false;
    }
    const peer = peerIdentity(cert.raw);
    if (peer.uri === undefined) {
      this.logger.error('invalid leaf certificate: no URIs set');
      return false;
    }
    let uri: string;
    try {
      uri = spiffeServiceUri(parseSpiffeService(peer.uri));
    } catch (err) {
      this.logger.error('invalid leaf certificate URI', { error: err as Error });
      return false;
    }
    try {
      const res = await this.client.agent.connectAuthorize({ Target: this.name, ClientCertURI: uri, ClientCertSerial: peer.serial });
      if (!res?.Authorized) {
        this.logger.error('authz call denied', { reason: res?.Reason ?? '' });
        return false;
      }
      return true;
    } catch (err) {
      this.logger.error('authz call failed', { error: err as Error });
      return false;
    }
  }

  /**
   * Resolves an instance of the upstream, dials it with this service's leaf, verifies its
   * chain against the roots and that it presents the identity it should; all within the
   * upstream's connect timeout.
   */
  async dial(client: Consul, u: UpstreamConfig): Promise<TLSSocket> {
    const signal = AbortSignal.timeout(u.connectTimeoutMs);
    const target = await resolveUpstream(client, u, this.tls.trustDomain, signal, this.opts.pick);
    const options = this.tls.secureContextOptions();
    if (!options) throw new Error('no certificates loaded');
    this.logger.debug('resolved service instance', { address: `${target.host}:${target.port}`, identity: spiffeServiceUri(target.identity) });
    return new Promise<TLSSocket>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        socket.destroy();
        tcp.destroy();
        reject(err);
      };
      // The TCP socket is made here so that it allows half-open connections (a client's FIN is passed on).
      const tcp = netConnect({ host: target.host, port: target.port, allowHalfOpen: true });
      const socket = tlsConnect({
        ...options,
        socket: tcp,
        rejectUnauthorized: true,
        // The chain is checked by OpenSSL against the roots; instead of a host name the
        // server must present the SPIFFE ID of the service it fronts.
        checkServerIdentity: (_host, cert) => {
          const mismatch = serverIdentityMismatch(cert.raw ? uriSans(cert.raw)[0] : undefined, target.identity);
          return mismatch ? new Error(mismatch) : undefined;
        },
      });
      const onAbort = (): void => fail(new Error(`dial ${target.host}:${target.port}: i/o timeout`));
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('error', fail);
      tcp.on('error', fail);
      socket.once('secureConnect', () => {
        // `fail` stays attached (a no-op once settled): an error before the caller attaches
        // its own handler must not become an uncaught exception.
        signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        this.logger.debug('successfully connected to service instance', { address: `${target.host}:${target.port}`, identity: spiffeServiceUri(target.identity) });
        resolve(socket);
      });
    });
  }
}
