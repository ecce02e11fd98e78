/**
 * `-register`: the proxy registers itself with the local agent as a connect-proxy for the
 * service, with a TTL check it heartbeats, and deregisters on shutdown (Consul's
 * command/connect/proxy/register.go RegisterMonitor: ID `<service>-proxy[-<register-id>]`,
 * check `<id>-ttl` "proxy heartbeat" 30s, passed every 10 s, re-registered every 30 s if the
 * catalog does not show it at the listener's address).
 */
import type { Consul } from '@proconsul/api';
import type { ProxyLogger } from './logger.js';

export const REGISTER_RECONCILE_MS = 30_000;
export const REGISTER_TTL_MS = 30_000;

export interface RegisterTarget {
  service: string;
  idSuffix: string;
  localAddress: string;
  localPort: number;
}

export function registerServiceId(t: Pick<RegisterTarget, 'service' | 'idSuffix'>): string {
  return `${t.service}-proxy${t.idSuffix ? `-${t.idSuffix}` : ''}`;
}

export class RegisterMonitor {
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly client: Consul,
    private readonly target: RegisterTarget,
    private readonly logger: ProxyLogger,
  ) {}

  get serviceId(): string {
    return registerServiceId(this.target);
  }

  get checkId(): string {
    return `${this.serviceId}-ttl`;
  }

  /** Registers at once (failures are retried at the next reconcile), then keeps it alive. */
  run(): void {
    void this.register();
    this.timers.push(setInterval(() => void this.register(), REGISTER_RECONCILE_MS));
    this.timers.push(setInterval(() => void this.heartbeat(), REGISTER_TTL_MS / 3));
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    const name = `${this.target.service}-proxy`;
    try {
      const current = (await this.client.catalog.service(name, { stale: true })).data.find((s) => s.ServiceID === this.serviceId);
      if (current && current.ServiceAddress === this.target.localAddress && current.ServicePort === this.target.localPort) {
        this.logger.debug('service already registered, not re-registering');
        return;
      }
    } catch {
      // As Consul: a failed lookup just means registering again.
    }
    try {
      await this.client.agent.serviceRegister({
        Kind: 'connect-proxy',
        ID: this.serviceId,
        Name: name,
        Address: this.target.localAddress,
        Port: this.target.localPort,
        Proxy: { DestinationServiceName: this.target.service },
        Check: { CheckID: this.checkId, Name: 'proxy heartbeat', TTL: '30s', Notes: 'Built-in proxy will heartbeat this check.', Status: 'passing' },
      });
      this.logger.info('registered Consul service', { service: this.serviceId });
    } catch (err) {
      this.logger.warn('Failed to register Consul service', { error: err as Error });
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.client.agent.passTTL(this.checkId);
    } catch (err) {
      if (!String((err as Error).message).includes('does not have associated')) this.logger.warn('heartbeat failed', { error: err as Error });
    }
  }

  /** Stops the timers and deregisters, trying three times half a second apart. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.logger.info('stop request received, deregistering');
    for (let i = 0; i < 3; i++) {
      try {
        await this.client.agent.serviceDeregister(this.serviceId);
        return;
      } catch (err) {
        this.logger.warn('service deregister failed', { error: err as Error });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
