import type Docker from 'dockerode';
import { lookup } from 'node:dns/promises';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { Bridge } from './bridge.js';
import { connectDocker } from './docker.js';
import { followEvents, isTerminatingKill, type ContainerEvent } from './events.js';
import { consoleLog, type Log } from './log.js';
import type { RegistratorOptions } from './options.js';
import { openRegistry } from './open-registry.js';
import type { Registry } from './registry.js';

export interface RegistratorDeps {
  docker?: Docker;
  registry?: Registry;
  log?: Log;
  /** The host name in service IDs; default: this host's name, as registrator uses. */
  hostname?: string;
  /** The address of ports published on 0.0.0.0; default: this host's name resolved. */
  hostAddress?: string;
}

export interface Registrator {
  readonly bridge: Bridge;
  /** Runs a full reconciliation now (also what `-resync` does). */
  resync(): Promise<void>;
  stop(): Promise<void>;
}

const RECONNECT_MAX_MS = 10_000;

/** Registrator's start-up: reach the agent and the engine (with `-retry-*`), reconcile, follow events. */
export async function startRegistrator(opts: RegistratorOptions, deps: RegistratorDeps = {}): Promise<Registrator> {
  const log = deps.log ?? consoleLog;
  const docker = deps.docker ?? connectDocker();
  const registry = deps.registry ?? (await openRegistry(opts.registryUri, { ttlSeconds: opts.ttlSeconds }));
  // A registry passed in belongs to the caller; one opened here is closed by stop().
  const owned = deps.registry ? undefined : registry;
  const hostname = deps.hostname ?? osHostname();
  const hostAddress = deps.hostAddress ?? (await resolveHostAddress(hostname));
  const stopping = new AbortController();

  try {
    await withRetries('backend', () => registry.ping(), opts, log, stopping.signal);
    await withRetries('docker', () => docker.ping(), opts, log, stopping.signal);
  } catch (err) {
    await owned?.close?.();
    throw err;
  }
  log.info(`using ${opts.registryUri}; host ${hostname} (${opts.ip ?? hostAddress})`);

  const bridge = new Bridge(docker, registry, {
    hostname,
    hostAddress,
    internal: opts.internal,
    explicit: opts.explicit,
    tags: opts.tags,
    ttlSeconds: opts.ttlSeconds,
    ...(opts.ip ? { forceIP: opts.ip } : {}),
    ...(opts.useIpFromLabel ? { useIpFromLabel: opts.useIpFromLabel } : {}),
    ...(opts.network ? { network: opts.network } : {}),
  }, log);

  // Every change to the bridge runs in order: an event never interleaves with a resync.
  let queue = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => {
    const next = queue.then(work).catch((err: Error) => log.error(`error: ${err.message}`));
    queue = next;
    return next;
  };

  const onEvent = (e: ContainerEvent): Promise<void> =>
    serial(async () => {
      if (e.action === 'start') return bridge.add(e.id);
      if (opts.deregister === 'on-success') {
        // Only a clean exit removes the service; a crashed container stays, and its checks say so.
        if (e.action === 'die' && e.exitCode === 0) return bridge.remove(e.id);
        // Not refreshed any more, so a `-ttl` registration expires (registrator's dead containers).
        if (e.action === 'die') bridge.forget(e.id);
        return;
      }
      // `kill` and `stop` come before the container is gone: deregister first, so a load
      // balancer stops sending to it while it still drains.
      if (e.action === 'kill' && !isTerminatingKill(e)) return;
      return bridge.remove(e.id);
    });

  const eventLoop = (async () => {
    let delayMs = Math.min(opts.retryIntervalMs, RECONNECT_MAX_MS);
    while (!stopping.signal.aborted) {
      try {
        // Subscribe first: events that happen during the resync queue behind it, so nothing is
        // missed. The outcome is captured at once, so a stream that fails early is not unhandled.
        const following = followEvents(docker, onEvent, stopping.signal).then(() => null, (err: Error) => err);
        await serial(() => bridge.sync());
        log.info('listening for Docker events ...');
        const failed = await following;
        if (failed) throw failed;
        delayMs = Math.min(opts.retryIntervalMs, RECONNECT_MAX_MS);
        if (!stopping.signal.aborted) log.error('docker event stream closed; reconnecting');
      } catch (err) {
        if (stopping.signal.aborted) break;
        log.error(`docker unreachable: ${(err as Error).message}; retrying in ${delayMs} ms`);
      }
      await sleep(delayMs, stopping.signal);
      delayMs = Math.min(delayMs * 2, RECONNECT_MAX_MS);
    }
  })();

  const timers: NodeJS.Timeout[] = [];
  if (opts.resyncSeconds > 0) timers.push(setInterval(() => void serial(() => bridge.sync()), opts.resyncSeconds * 1000));
  if (opts.ttlRefreshSeconds > 0) timers.push(setInterval(() => void serial(() => bridge.refresh()), opts.ttlRefreshSeconds * 1000));

  return {
    bridge,
    resync: () => serial(() => bridge.sync()),
    async stop() {
      for (const t of timers) clearInterval(t);
      stopping.abort();
      await eventLoop;
      await queue;
      await owned?.close?.();
    },
  };
}

/** `-retry-attempts` / `-retry-interval` as registrator applies them: 0 = one try, -1 = forever. */
async function withRetries(what: string, attempt: () => Promise<unknown>, opts: RegistratorOptions, log: Log, signal: AbortSignal): Promise<void> {
  for (let n = 0; ; n++) {
    try {
      await attempt();
      return;
    } catch (err) {
      const left = opts.retryAttempts < 0 ? 'retrying forever' : `${Math.max(opts.retryAttempts - n, 0)} retries left`;
      log.error(`${what} unreachable: ${(err as Error).message} (${left})`);
      if (opts.retryAttempts >= 0 && n >= opts.retryAttempts) throw new Error(`${what} unreachable after ${n + 1} attempt(s): ${(err as Error).message}`);
      await sleep(opts.retryIntervalMs, signal);
      if (signal.aborted) throw new Error('stopped');
    }
  }
}

async function resolveHostAddress(hostname: string): Promise<string> {
  try {
    const { address } = await lookup(hostname, { family: 4 });
    if (!address.startsWith('127.')) return address;
  } catch {
    // fall through to the interfaces
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const nic of list ?? []) if (nic.family === 'IPv4' && !nic.internal) return nic.address;
  }
  return '127.0.0.1';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
