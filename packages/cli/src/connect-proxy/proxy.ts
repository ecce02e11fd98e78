/**
 * The built-in proxy (Consul's connect/proxy/proxy.go): takes configurations from a watcher,
 * sets up the Connect service on the first one, starts the public listener once the leaf
 * and roots are loaded, and keeps the upstream listeners in step with each new configuration
 * (new ones started, removed ones closed, unchanged ones left alone; Consul only ever adds).
 */
import type { Consul } from '@proconsul/api';
import { upstreamKey, type ProxyConfig, type PublicListenerConfig } from './config.js';
import { DEFAULT_MAX_CONNS, PublicListener, UpstreamListener, type Listener } from './listener.js';
import type { ProxyLogger } from './logger.js';
import { ConnectService, type ConnectServiceOptions } from './service.js';

export interface ProxyOptions extends ConnectServiceOptions {
  /** Open connections allowed per listener. */
  maxConnsPerListener?: number;
}

function publicKey(p: PublicListenerConfig): string {
  return `${p.bindAddress}:${p.bindPort}->${p.localServiceAddress}`;
}

export class BuiltinProxy {
  service: ConnectService | undefined;
  publicListener: PublicListener | undefined;
  readonly upstreams = new Map<string, UpstreamListener>();
  private cfg: ProxyConfig | undefined;
  private closed = false;
  private failure: ((err: Error) => void) | undefined;
  /** Serializes configuration changes: each waits for the one before it. */
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: Consul,
    private readonly logger: ProxyLogger,
    private readonly opts: ProxyOptions = {},
  ) {}

  /**
   * Runs until close() (resolves) or until the public listener cannot start (rejects, as
   * Consul's Serve returns that error). `configs` delivers each new configuration.
   */
  serve(configs: AsyncIterable<ProxyConfig>): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.failure = reject;
    });
    void (async () => {
      try {
        for await (const cfg of configs) {
          if (this.closed) break;
          this.applying = this.applying.then(() => this.apply(cfg));
          await this.applying;
        }
      } catch (err) {
        if (!this.closed) this.failure?.(err as Error);
      }
      // A configuration source that ends leaves the proxy running until close().
    })();
    return done;
  }

  private resolveDone: (() => void) | undefined;

  private async apply(next: ProxyConfig): Promise<void> {
    if (this.closed) return;
    this.logger.debug('got new config');
    if (!this.service) {
      // The identity is fixed by the first configuration, as in Consul.
      this.service = new ConnectService(this.client, next.proxiedServiceName, this.logger, this.opts);
      this.service.start();
      void this.startPublicWhenReady(next);
    } else if (this.cfg && publicKey(this.cfg.publicListener) !== publicKey(next.publicListener) && this.publicListener) {
      await this.publicListener.close();
      this.publicListener = undefined;
      await this.startPublic(next.publicListener);
    }
    await this.syncUpstreams(next);
    this.cfg = next;
  }

  private async startPublicWhenReady(first: ProxyConfig): Promise<void> {
    const service = this.service!;
    await service.tls.readyWait();
    if (this.closed) return;
    this.logger.info('Proxy loaded config and ready to serve');
    this.logger.info('Parsed TLS identity', { uri: service.tls.leaf?.uri ?? '' });
    // The latest configuration wins if it changed while the certificates were loading.
    await this.startPublic((this.cfg ?? first).publicListener);
  }

  private async startPublic(p: PublicListenerConfig): Promise<void> {
    // Port 0 disables the public listener (an upstream-only proxy).
    if (p.bindPort === 0 || this.closed) return;
    const l = new PublicListener(this.service!, p, this.logger, this.opts.maxConnsPerListener ?? DEFAULT_MAX_CONNS);
    try {
      await this.startListener(l);
      this.publicListener = l;
    } catch (err) {
      this.logger.error('failed to start public listener', { error: err as Error });
      this.failure?.(err as Error);
    }
  }

  private async syncUpstreams(next: ProxyConfig): Promise<void> {
    const wanted = new Map<string, (typeof next.upstreams)[number]>();
    for (const u of next.upstreams) {
      const key = upstreamKey(u);
      if (u.localBindSocketPath) {
        this.logger.error("local_bind_socket_path is not supported with this proxy implementation. Can't start upstream.", { upstream: key });
        continue;
      }
      if (u.localBindPort < 1) {
        this.logger.error("upstream has no local_bind_port. Can't start upstream.", { upstream: key });
        continue;
      }
      wanted.set(key, u);
    }
    for (const [key, l] of this.upstreams) {
      if (wanted.has(key)) continue;
      this.upstreams.delete(key);
      await l.close();
      this.logger.info('listener stopped', { listener: key });
    }
    for (const [key, u] of wanted) {
      if (this.upstreams.has(key) || this.closed) continue;
      const l = new UpstreamListener(this.service!, this.client, u, key, this.logger, this.opts.maxConnsPerListener ?? DEFAULT_MAX_CONNS);
      try {
        await this.startListener(l);
        this.upstreams.set(key, l);
      } catch (err) {
        this.logger.error('failed to start upstream', { upstream: key, error: err as Error });
      }
    }
  }

  private async startListener(l: Listener): Promise<void> {
    this.logger.info('Starting listener', { listener: l.name, bind_addr: l.bindAddr });
    await l.serve();
  }

  /** Stops the watches and listeners and ends every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.service?.close();
    await this.applying.catch(() => undefined);
    const all: Listener[] = [...this.upstreams.values(), ...(this.publicListener ? [this.publicListener] : [])];
    this.upstreams.clear();
    this.publicListener = undefined;
    await Promise.all(all.map((l) => l.close()));
    this.resolveDone?.();
  }
}
