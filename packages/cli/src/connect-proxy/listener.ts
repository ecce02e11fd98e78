/**
 * The proxy's listeners (Consul's connect/proxy/listener.go): the public listener accepts
 * mTLS from other services and hands authorized connections to the local application; an
 * upstream listener accepts plain TCP from the application and carries it over mTLS to an
 * instance of the upstream. Each tracks its connections, holds at most `maxConns` of them,
 * and closes them all when it is closed.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Consul } from '@proconsul/api';
import { joinHostPort, splitHostPort, type PublicListenerConfig, type UpstreamConfig } from './config.js';
import { joinConns, type ProxiedConn } from './conn.js';
import type { ProxyLogger } from './logger.js';
import type { ConnectService } from './service.js';

/** A bound on open connections per listener; Consul has none (a goroutine each). */
export const DEFAULT_MAX_CONNS = 1024;

export abstract class Listener {
  protected server: Server | undefined;
  private readonly conns = new Set<ProxiedConn>();
  /** Every accepted TCP connection, also those still in a TLS handshake or being dialled onward. */
  private readonly sockets = new Set<Socket>();
  protected closed = false;

  constructor(
    readonly name: string,
    readonly bindAddr: string,
    protected readonly logger: ProxyLogger,
    protected readonly maxConns: number,
  ) {}

  /** Binds and starts accepting; rejects with the bind error (address in use, ...). */
  async serve(): Promise<void> {
    if (this.closed) throw new Error('serve called on a closed listener');
    const server = this.createServer();
    server.maxConnections = this.maxConns;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server = server;
    const { host, port } = splitHostPort(this.bindAddr);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: host || '0.0.0.0', port: Number(port), exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error('listener stopped with error', { listener: this.name, error: err }));
  }

  /** Stops accepting, closes every connection and waits for the server to be released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    for (const c of this.conns) c.close();
    const server = this.server;
    if (server?.listening) await new Promise<void>((r) => server.close(() => r()));
  }

  protected abstract createServer(): Server;

  /** Joins the accepted socket to the one dialled for it, unless either is gone or the listener closed meanwhile. */
  protected pipe(src: Socket, dst: Socket): void {
    if (this.closed || src.destroyed || dst.destroyed) {
      src.destroy();
      dst.destroy();
      return;
    }
    const conn = joinConns(src, dst);
    this.conns.add(conn);
    void conn.done.then((err) => {
      this.conns.delete(conn);
      if (err) this.logger.error('connection failed', { error: err });
    });
  }
}

/** Dials the local application, bounded by `timeoutMs` (Consul's net.DialTimeout). */
function dialLocal(addr: string, timeoutMs: number): Promise<Socket> {
  const { host, port } = splitHostPort(addr);
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: host || '127.0.0.1', port: Number(port), allowHalfOpen: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`dial tcp ${addr}: i/o timeout`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * The public mTLS listener: the service's leaf certificate, a client certificate required and
 * verified against the roots, the client's SPIFFE ID authorized with the agent
 * (/v1/agent/connect/authorize) before a byte reaches the application.
 */
export class PublicListener extends Listener {
  private offChange: (() => void) | undefined;

  constructor(
    private readonly service: ConnectService,
    private readonly cfg: PublicListenerConfig,
    logger: ProxyLogger,
    maxConns = DEFAULT_MAX_CONNS,
  ) {
    super('public listener', joinHostPort(cfg.bindAddress, cfg.bindPort), logger.named('inbound'), maxConns);
  }

  protected createServer(): Server {
    const options = this.service.tls.secureContextOptions();
    if (!options) throw new Error('no certificates loaded');
    const server = createTlsServer({
      ...options,
      // The client's chain is verified against the roots by the TLS stack; the verdict is read
      // in accept() so that a refusal is logged (Node would otherwise close the socket silently).
      requestCert: true,
      rejectUnauthorized: false,
      handshakeTimeout: this.cfg.handshakeTimeoutMs,
      allowHalfOpen: true,
      ALPNProtocols: [],
    });
    // New connections get the new leaf or roots; established ones keep theirs (as Go's GetConfigForClient).
    this.offChange = this.service.tls.onChange(() => {
      const next = this.service.tls.secureContextOptions();
      if (next) server.setSecureContext(next);
    });
    server.on('tlsClientError', (err: NodeJS.ErrnoException) => {
      // A TLS failure (protocol, cipher) is worth an error; a connection that closes or stays
      // silent before its handshake (a TCP health check, a port scan) is not.
      if ((err.code ?? '').startsWith('ERR_SSL')) this.service.logger.error('failed TLS verification', { error: err });
      else this.service.logger.debug('TLS handshake did not complete', { error: err });
    });
    server.on('secureConnection', (socket: TLSSocket) => void this.accept(socket));
    return server;
  }

  override async close(): Promise<void> {
    this.offChange?.();
    await super.close();
  }

  private async accept(socket: TLSSocket): Promise<void> {
    // Nothing is read from the client until the agent allows the connection.
    socket.pause();
    socket.on('error', () => socket.destroy());
    if (!socket.authorized) {
      this.service.logger.error('failed TLS verification', { error: String(socket.authorizationError ?? 'tls: client certificate not verified') });
      socket.destroy();
      return;
    }
    const allowed = await this.service.authorizeClient(socket);
    if (!allowed || socket.destroyed || this.closed) {
      socket.destroy();
      return;
    }
    let local: Socket;
    try {
      local = await dialLocal(this.cfg.localServiceAddress, this.cfg.localConnectTimeoutMs);
    } catch (err) {
      this.logger.error('failed to dial', { error: err });
      socket.destroy();
      return;
    }
    this.pipe(socket, local);
  }
}

/** An upstream listener: plain TCP on LocalBindAddress:LocalBindPort, each connection carried over mTLS. */
export class UpstreamListener extends Listener {
  constructor(
    private readonly service: ConnectService,
    private readonly client: Consul,
    readonly upstream: UpstreamConfig,
    name: string,
    logger: ProxyLogger,
    maxConns = DEFAULT_MAX_CONNS,
  ) {
    super(name, joinHostPort(upstream.localBindAddress, upstream.localBindPort), logger.named('upstream'), maxConns);
  }

  protected createServer(): Server {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.on('connection', (socket: Socket) => void this.accept(socket));
    return server;
  }

  private async accept(socket: Socket): Promise<void> {
    socket.on('error', () => socket.destroy());
    let remote: TLSSocket;
    try {
      remote = await this.service.dial(this.client, this.upstream);
    } catch (err) {
      this.logger.error('failed to dial', { error: err });
      socket.destroy();
      return;
    }
    this.pipe(socket, remote);
  }
}
