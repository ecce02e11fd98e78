// TLS on the server port, as Consul's: a connection opens with the RPCTLS byte (3), a TLS
// handshake follows, and the protocol byte (Raft 1, agent RPC 0) comes inside the TLS stream.
// Files are read once at start; a missing file or a cert/key mismatch refuses the start.
// auto_encrypt (tlsutil's UpdateAutoTLS*) adds at runtime a certificate from the servers, the CA
// certificates they name and the Connect roots; RPCTLSInsecure (7) is the handshake without a
// client certificate that a client uses to ask for its first one.
import { readFileSync } from 'node:fs';
import { checkServerIdentity, connect as tlsConnect, createSecureContext, createServer, type SecureContextOptions, type Server, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { ConfigError } from '../config/errors.js';
import type { RpcTlsConfig } from './config.js';
import { loadCas } from './files.js';

/** Consul's pool.RPCTLS. */
export const RPC_TLS_BYTE = 0x03;
/** Consul's pool.RPCTLSInsecure: TLS without verify_incoming, agent RPC right inside (AutoEncrypt.Sign only). */
export const RPC_TLS_INSECURE_BYTE = 0x07;
/** Consul's RPCHandshakeTimeout default. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 5_000;

/** The outcome of one server-side handshake. */
export interface Handshake {
  secure(t: TLSSocket): void;
  fail(reason: string): void;
}

/** What auto_encrypt brings (structs.SignedResponse as the client keeps it). */
export interface AutoTls {
  /** The servers' manually configured CA certificates (ManualCARoots). */
  extraCaPems: string[];
  /** Every Connect CA root (ConnectCARoots). */
  connectCaPems: string[];
  certPem: string;
  keyPem: string;
  verifyServerHostname: boolean;
}

export class RpcTls {
  #ca: Buffer[];
  #autoCert: { cert: Buffer; key: Buffer } | undefined;
  #autoVerifyServerHostname = false;
  #extraCas: string[] = [];
  #options: SecureContextOptions;
  /**
   * The server side runs through tls.Server objects that never listen (one verifying client
   * certificates, one not): only a tls.Server enforces rejectUnauthorized on a certificate that
   * does not chain to the CA (a bare server TLSSocket merely records it). Connections are fed
   * with emit('connection') and matched back by their remote address.
   */
  readonly #listeners = new Map<boolean, Server>();
  readonly #handshakes = new Map<string, Handshake>();

  private constructor(
    readonly config: RpcTlsConfig,
    private readonly manualCa: Buffer[],
    private readonly cert: Buffer | undefined,
    private readonly key: Buffer | undefined,
    options: SecureContextOptions,
    /** auto_encrypt.tls (tlsutil's base.AutoTLS): dial servers over TLS even without verify_outgoing. */
    readonly autoTls: boolean,
  ) {
    this.#ca = manualCa;
    this.#options = options;
  }

  /** The agent's internal RPC TLS, or null when nothing is configured (and no auto_encrypt.tls). */
  static load(c: RpcTlsConfig, autoTls = false): RpcTls | null {
    const ca = loadCas(c.caFile, c.caPath);
    let cert: Buffer | undefined;
    let key: Buffer | undefined;
    if (c.certFile !== '' && c.keyFile !== '') {
      try {
        cert = readFileSync(c.certFile);
        key = readFileSync(c.keyFile);
      } catch (err) {
        throw new ConfigError(`Failed to load cert/key pair: ${(err as Error).message}`);
      }
    }
    if (ca.length === 0 && cert === undefined && !autoTls) return null;
    const options: SecureContextOptions = { ...(ca.length > 0 ? { ca } : {}), ...(cert ? { cert, key } : {}), minVersion: c.minVersion };
    try {
      createSecureContext(options);
    } catch (err) {
      throw new ConfigError(`Failed to load cert/key pair: ${(err as Error).message}`);
    }
    return new RpcTls(c, ca, cert, key, options, autoTls);
  }

  /** UpdateAutoTLS: a client's certificate from AutoEncrypt.Sign with the CAs it names. Throws on a bad pair. */
  updateAutoTls(a: AutoTls): void {
    const cert = Buffer.from(a.certPem);
    const key = Buffer.from(a.keyPem);
    this.#swap(this.#pool(a.extraCaPems, a.connectCaPems), { cert, key });
    this.#extraCas = a.extraCaPems;
    this.#autoCert = { cert, key };
    this.#autoVerifyServerHostname = a.verifyServerHostname;
  }

  /** UpdateAutoTLSCA: the Connect roots changed (a client following a rotation, a server with allow_tls). */
  updateAutoTlsCa(connectCaPems: string[]): void {
    this.#swap(this.#pool(this.#extraCas, connectCaPems), this.#autoCert);
  }

  /** UpdateAutoTLSCert: a renewed certificate. */
  updateAutoTlsCert(certPem: string, keyPem: string): void {
    const auto = { cert: Buffer.from(certPem), key: Buffer.from(keyPem) };
    this.#swap(this.#ca, auto);
    this.#autoCert = auto;
  }

  #pool(extra: string[], connect: string[]): Buffer[] {
    return [...this.manualCa, ...[...extra, ...connect].filter((p) => p !== '').map((p) => Buffer.from(p))];
  }

  /** A new context for later handshakes; the old one stays when the new material does not load. */
  #swap(ca: Buffer[], auto: { cert: Buffer; key: Buffer } | undefined): void {
    const serving = this.cert ? { cert: this.cert, key: this.key } : auto;
    const options: SecureContextOptions = { ...(ca.length > 0 ? { ca } : {}), ...(serving ?? {}), minVersion: this.config.minVersion };
    try {
      createSecureContext(options);
    } catch (err) {
      throw new Error(`Failed to load cert/key pair: ${(err as Error).message}`);
    }
    for (const l of this.#listeners.values()) l.setSecureContext(options);
    this.#options = options;
    this.#ca = ca;
  }

  #listener(verify: boolean): Server {
    let l = this.#listeners.get(verify);
    if (!l) {
      l = createServer({ ...this.#options, requestCert: verify, rejectUnauthorized: verify });
      const take = (t: TLSSocket): Handshake | undefined => {
        const key = `${t.remoteAddress}:${t.remotePort}`;
        const h = this.#handshakes.get(key);
        this.#handshakes.delete(key);
        return h;
      };
      l.on('secureConnection', (t: TLSSocket) => {
        const h = take(t);
        if (h) h.secure(t);
        else t.destroy();
      });
      l.on('tlsClientError', (err: Error, t: TLSSocket) => take(t)?.fail(err.message));
      this.#listeners.set(verify, l);
    }
    return l;
  }

  /** The CA certificates from ca_file/ca_path (tlsutil's ManualCAPems), as AutoEncrypt.Sign answers them. */
  get manualCaPems(): string[] {
    return this.manualCa.map((b) => b.toString('utf8'));
  }

  /** The certificate auto_encrypt gave this agent (PEM), if any. */
  get autoCertPem(): string | undefined {
    return this.#autoCert?.cert.toString('utf8');
  }

  /** The CA certificates trusted now: manual, the servers' manual ones and the Connect roots. */
  get caPems(): Buffer[] {
    return this.#ca;
  }

  /** Consul's outgoingRPCTLSEnabled: verify_outgoing, or auto_encrypt. */
  get outgoing(): boolean {
    return this.config.verifyOutgoing || this.autoTls;
  }

  /** tls.internal_rpc.verify_server_hostname, or what the servers answered to auto_encrypt. */
  get verifyServerHostname(): boolean {
    return this.config.verifyServerHostname || this.#autoVerifyServerHostname;
  }

  /** verify_incoming: plaintext and clients without a certificate from the CA are refused. */
  get verifyIncoming(): boolean {
    return this.config.verifyIncoming;
  }

  /** Whether this agent can answer an RPCTLS connection (it has a certificate). */
  get canServe(): boolean {
    return this.cert !== undefined || this.#autoCert !== undefined;
  }

  /**
   * The server side of an RPCTLS connection; `rest` holds bytes already read past the RPCTLS byte.
   * `insecure` (RPCTLSInsecure): no client certificate is asked for, even under verify_incoming.
   * `fail` is called with the handshake's error; a certificate refused under verify_incoming
   * just closes `socket`.
   */
  accept(socket: Socket, rest: Buffer, insecure: boolean, h: Handshake): void {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.#handshakes.set(key, h);
    socket.once('close', () => {
      if (this.#handshakes.get(key) === h) this.#handshakes.delete(key);
    });
    socket.pause();
    if (rest.length > 0) socket.unshift(rest); // fed to the TLS layer as already-received data
    this.#listener(this.config.verifyIncoming && !insecure).emit('connection', socket);
  }

  /**
   * Consul's AuthorizeServerConn: with verify_incoming and verify_server_hostname, a Raft
   * connection must come from a certificate valid for `server.<dc>.<domain>`. Returns why not.
   */
  refuseServer(socket: TLSSocket): string | undefined {
    if (!this.config.verifyIncoming || !this.config.verifyServerHostname) return undefined;
    const err = checkServerIdentity(this.config.serverName, socket.getPeerCertificate());
    return err ? `AuthorizeServerConn failed certificate validation for certificate with a SAN.DNSName of ${this.config.serverName}: ${err.message}` : undefined;
  }

  /**
   * The client side over a connected socket: sends RPCTLS, then handshakes. The server's chain
   * is always checked against the CA; with verify_server_hostname also its name.
   */
  dial(socket: Socket, timeoutMs: number, insecure = false): Promise<TLSSocket> {
    socket.write(Buffer.of(insecure ? RPC_TLS_INSECURE_BYTE : RPC_TLS_BYTE));
    const expected = this.config.serverName;
    const verifyName = this.verifyServerHostname;
    // A client agent presents its auto_encrypt certificate first (tlsutil's GetClientCertificate).
    const own = insecure ? undefined : (this.#autoCert ?? (this.cert ? { cert: this.cert, key: this.key } : undefined));
    const t = tlsConnect({
      socket,
      ...(this.#ca.length > 0 ? { ca: this.#ca } : {}),
      ...(own ?? {}),
      minVersion: this.config.minVersion,
      rejectUnauthorized: true,
      ...(verifyName ? { servername: expected } : {}),
      checkServerIdentity: (_host, cert) => (verifyName ? checkServerIdentity(expected, cert) : undefined),
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        t.destroy();
        reject(new Error(`TLS handshake timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      t.once('secureConnect', () => {
        clearTimeout(timer);
        t.off('error', onError);
        resolve(t);
      });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        t.destroy();
        reject(err);
      };
      t.once('error', onError);
    });
  }
}
