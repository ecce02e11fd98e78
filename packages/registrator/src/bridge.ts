import type Docker from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import { InvalidMetadataError } from './errors.js';
import type { Log } from './log.js';
import { servicePorts } from './ports.js';
import type { Registry } from './registry.js';
import { newService, type NamingOptions, type Service } from './service.js';

export interface BridgeOptions extends NamingOptions {
  /** `-network`: the network whose container address `-internal` registers. */
  network?: string;
}

/** A registrator-made ID: `<host>:<container>:<port>[:udp]` (the pattern registrator's cleanup uses). */
const SERVICE_ID = /^(.+?):([a-zA-Z0-9][a-zA-Z0-9_.-]+):[0-9]+(?::udp)?$/;

/**
 * The bridge between the Docker engine and the registry, as in registrator: it knows which
 * services each container got, registers on start, deregisters on stop, and reconciles.
 */
export class Bridge {
  /** Container ID -> the services registered for it. */
  private readonly services = new Map<string, Service[]>();

  constructor(private readonly docker: Docker, private readonly registry: Registry, private readonly opts: BridgeOptions, private readonly log: Log) {}

  /** The services registered now, for tests and `-ttl-refresh`. */
  registered(): Service[] {
    return [...this.services.values()].flat();
  }

  /** Registers a container's services (again: registering is idempotent, and refreshes a restarted agent). */
  async add(containerId: string): Promise<void> {
    let info: ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(containerId).inspect();
    } catch (err) {
      this.log.error(`unable to inspect container ${containerId.slice(0, 12)}: ${(err as Error).message}`);
      return;
    }
    if (!info.State?.Running) return;
    const ports = servicePorts(info, this.opts.network).filter((p) => {
      if (this.opts.internal && p.exposedIP === '') {
        // Not on the chosen network (or no address at all): its address would be unreachable.
        this.log.info(`ignored: ${info.Id.slice(0, 12)} port ${p.exposedPort} has no address${this.opts.network ? ` on network ${this.opts.network}` : ''}`);
        return false;
      }
      if (this.opts.internal || p.hostPort !== '') return true;
      this.log.info(`ignored: ${info.Id.slice(0, 12)} port ${p.exposedPort} not published on host`);
      return false;
    });
    if (ports.length === 0) {
      this.log.info(`ignored: ${info.Id.slice(0, 12)} no published ports`);
      return;
    }
    let services: Service[];
    try {
      services = ports.map((p) => newService(info, p, ports.length > 1, this.opts)).filter((s): s is Service => s !== null);
    } catch (err) {
      if (!(err instanceof InvalidMetadataError)) throw err;
      this.log.error(`skipped: ${err.message}`);
      return;
    }
    if (services.length === 0) {
      this.log.info(`ignored: ${info.Id.slice(0, 12)} (SERVICE_IGNORE or -explicit)`);
      return;
    }
    const done: Service[] = [];
    for (const service of services) {
      try {
        await this.registry.register(service);
        done.push(service);
        this.log.info(`added: ${info.Id.slice(0, 12)} ${service.ID}`);
      } catch (err) {
        this.log.error(`register failed: ${service.ID}: ${(err as Error).message}`);
      }
    }
    if (done.length > 0) this.services.set(info.Id, done);
  }

  /** Deregisters a container's services; the container may already be gone. */
  async remove(containerId: string): Promise<void> {
    const id = this.resolve(containerId);
    const services = id ? this.services.get(id) : undefined;
    if (!id || !services) return;
    this.services.delete(id);
    for (const service of services) {
      try {
        await this.registry.deregister(service);
        this.log.info(`removed: ${id.slice(0, 12)} ${service.ID}`);
      } catch (err) {
        this.log.error(`deregister failed: ${service.ID}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Full reconciliation: register every running container, forget containers that no longer
   * run, and remove services this host registered whose containers are gone (stale entries
   * left by a crash of the host or of registrator).
   */
  async sync(): Promise<void> {
    const running = await this.docker.listContainers({ filters: { status: ['running'] } });
    const runningIds = new Set(running.map((c) => c.Id));
    for (const id of [...this.services.keys()]) if (!runningIds.has(id)) await this.remove(id);
    for (const c of running) await this.add(c.Id);

    const live = new Set(this.registered().map((s) => s.ID));
    const names = new Set(running.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))));
    for (const ref of await this.registry.services()) {
      const m = SERVICE_ID.exec(ref.ID);
      if (!m || m[1] !== this.opts.hostname || live.has(ref.ID) || names.has(m[2]!)) continue;
      try {
        await this.registry.deregister(ref);
        this.log.info(`dangling: removed ${ref.ID}`);
      } catch (err) {
        this.log.error(`deregister failed: ${ref.ID}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Stops refreshing a container's services without deregistering them (`-deregister
   * on-success` and a crash): their TTL then runs out, as registrator's dead containers do.
   */
  forget(containerId: string): void {
    const id = this.resolve(containerId);
    if (id) this.services.delete(id);
  }

  /** Keeps every registered service alive (`-ttl-refresh`). */
  async refresh(): Promise<void> {
    for (const service of this.registered()) {
      await this.registry.refresh(service).catch((err: Error) => this.log.error(`refresh failed: ${service.ID}: ${err.message}`));
    }
  }

  /** Events carry a full ID; accept a short one too. */
  private resolve(containerId: string): string | undefined {
    if (this.services.has(containerId)) return containerId;
    return [...this.services.keys()].find((id) => id.startsWith(containerId));
  }
}
