// TLS on the server port, as Consul's: a connection opens with the RPCTLS byte (3), a TLS
// handshake follows, and the protocol byte (Raft 1, agent RPC 0) comes inside the TLS stream.
// Files are read once at start; a missing file or a cert/key mismatch refuses the start.
import { readFileSync } from 'node:fs';
import { checkServerIdentity, connect as tlsConnect, createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import { ConfigError } from '../config/errors.js';
import type { RpcTlsConfig } from './config.js';
import { loadCas } from './files.js';

/** Consul's pool.RPCTLS. */
export const RPC_TLS_BYTE = 0x03;
/** Consul's RPCHandshakeTimeout default. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 5_000;

export class RpcTls {
  private constructor(
    readonly config: RpcTlsConfig,
    private readonly ca: Buffer[],
    private readonly cert: Buffer | undefined,
    private readonly key: Buffer | undefined,
    private readonly context: SecureContext,
  ) {}

  /** The agent's internal RPC TLS, or null when nothing is configured. */
  static load(c: RpcTlsConfig): RpcTls | null {
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
    if (ca.length === 0 && cert === undefined) return null;
    let context: SecureContext;
    try {
      context = createSecureContext({ ...(ca.length > 0 ? { ca } : {}), ...(cert ? { cert, key } : {}), minVersion: c.minVersion });
    } catch (err) {
      throw new ConfigError(`Failed to load cert/key pair: ${(err as Error).message}`);
    }
    return new RpcTls(c, ca, cert, key, context);
  }

  /** verify_outgoing: this agent dials servers over TLS only. */
  get outgoing(): boolean {
    return this.config.verifyOutgoing;
  }

  /** verify_incoming: plaintext and clients without a certificate from the CA are refused. */
  get verifyIncoming(): boolean {
    return this.config.verifyIncoming;
  }

  /** Whether this agent can answer an RPCTLS connection (it has a certificate). */
  get canServe(): boolean {
    return this.cert !== undefined;
  }

  /** The server side of an RPCTLS connection; `rest` holds bytes already read past the RPCTLS byte. */
  accept(socket: Socket, rest: Buffer): TLSSocket {
    socket.pause();
    if (rest.length > 0) socket.unshift(rest); // fed to the TLS layer as already-received data
    return new TLSSocket(socket, {
      isServer: true,
      secureContext: this.context,
      requestCert: this.config.verifyIncoming,
      rejectUnauthorized: this.config.verifyIncoming,
    });
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
  dial(socket: Socket, timeoutMs: number): Promise<TLSSocket> {
    socket.write(Buffer.of(RPC_TLS_BYTE));
    const expected = this.config.serverName;
    const t = tlsConnect({
      socket,
      ...(this.ca.length > 0 ? { ca: this.ca } : {}),
      ...(this.cert ? { cert: this.cert, key: this.key } : {}),
      minVersion: this.config.minVersion,
      rejectUnauthorized: true,
      ...(this.config.verifyServerHostname ? { servername: expected } : {}),
      checkServerIdentity: (_host, cert) => (this.config.verifyServerHostname ? checkServerIdentity(expected, cert) : undefined),
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
