/**
 * The dialing side's stream for one peering, run by the leader (Consul's leader_peering.go
 * establishStream and peerstream's replication): two loops over the peer's server addresses.
 * The pull loop holds a blocking `PeerStream.Pull` and imports what the peer exports; the push
 * loop sends what this cluster exports to the peer whenever it changes, and at least every
 * heartbeat period. A peer that no longer knows the peering marks it TERMINATED here.
 */
import type { ApplyResult, Catalog, Command, PeeringRecord } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { Logger } from '../log.js';
import { pause } from '../replication-rounds.js';
import { exportsFor } from './exports.js';
import { importIfChanged, PEERING_NOT_FOUND, PULL_WAIT_MS, STREAM_CALL_MARGIN_MS, strip, type PeerCall } from './service.js';
import type { StreamTracker } from './stream-status.js';
import { splitHostPort } from './token.js';

/** Heartbeat: the push loop sends at least this often (Consul's default is 15 s). */
export const HEARTBEAT_MS = 5_000;
/** Retry backoff after a failed call: 1 s doubling to this. */
const BACKOFF_MAX_MS = 16_000;

export interface DialerOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  tracker: StreamTracker;
  datacenter: string;
  call: PeerCall;
  log: Logger;
}

export class DialerStream {
  readonly #run = new AbortController();
  #addr = 0;

  constructor(
    private readonly o: DialerOptions,
    /** The peering as it was when the stream started (a new stream secret starts a new stream). */
    readonly peering: PeeringRecord,
  ) {
    void this.#loop('pull', (signal) => this.#pull(signal));
    void this.#loop('push', (signal) => this.#push(signal));
  }

  stop(): void {
    this.#run.abort();
  }

  /** Calls the peer's servers in turn from the one that answered last. */
  async #call(method: string, body: object, timeoutMs: number): Promise<Record<string, unknown>> {
    const addrs = this.peering.PeerServerAddresses;
    let last: Error = new Error('no server addresses');
    for (let i = 0; i < addrs.length; i++) {
      const addr = addrs[(this.#addr + i) % addrs.length]!;
      const hp = splitHostPort(addr);
      if (!hp) continue;
      try {
        const auth = { PeerID: this.peering.PeerID, StreamSecret: this.peering.StreamSecret, Datacenter: this.o.datacenter };
        const r = (await this.o.call(hp.host, hp.port, method, { ...auth, ...body }, timeoutMs)) as Record<string, unknown>;
        this.#addr = (this.#addr + i) % addrs.length;
        return r ?? {};
      } catch (err) {
        last = err as Error;
        if (last.message === PEERING_NOT_FOUND) throw last;
      }
    }
    throw last;
  }

  async #loop(name: string, round: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const signal = this.#run.signal;
    let backoffMs = 1_000;
    while (!signal.aborted) {
      try {
        await round(signal);
        backoffMs = 1_000;
      } catch (err) {
        if (signal.aborted) return;
        const message = (err as Error).message;
        if (message === PEERING_NOT_FOUND) {
          await this.#terminated().catch((e: Error) => this.o.log.warn({ peer: this.peering.Name, error: e.message }, 'failed to mark the peering terminated'));
          return;
        }
        this.o.tracker.failed(this.peering.ID, message);
        this.o.log.warn({ peer: this.peering.Name, loop: name, error: message }, 'peering stream call failed; retrying');
        await pause(backoffMs, signal);
        backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
      }
    }
  }

  #pullIndex = 0;

  async #pull(signal: AbortSignal): Promise<void> {
    const r = await this.#call('PeerStream.Pull', { Index: this.#pullIndex }, PULL_WAIT_MS + STREAM_CALL_MARGIN_MS);
    if (signal.aborted) return;
    this.o.tracker.received(this.peering.ID);
    const current = this.o.catalog.peering(this.peering.ID, true);
    if (!current || current.StreamSecret !== this.peering.StreamSecret) return;
    await importIfChanged(this.o.catalog, this.o.applier, current, r.Services);
    const dc = typeof r.Datacenter === 'string' ? r.Datacenter : '';
    if (dc !== '' && dc !== current.RemoteDatacenter) await this.o.applier.apply({ Type: 'PeeringWrite', Peering: { ...strip(current), RemoteDatacenter: dc } });
    this.#pullIndex = typeof r.Index === 'number' ? r.Index : 0;
  }

  #pushIndex = 0;

  async #push(signal: AbortSignal): Promise<void> {
    // Wait for this cluster's exports to change, or for the heartbeat to be due.
    const due = AbortSignal.any([signal, AbortSignal.timeout(HEARTBEAT_MS)]);
    const r = await this.o.catalog.blockingQuery(() => exportsFor(this.o.catalog, this.peering.Name, this.o.datacenter), this.#pushIndex, due);
    if (signal.aborted) return;
    await this.#call('PeerStream.Push', { Services: r.value }, STREAM_CALL_MARGIN_MS);
    this.o.tracker.sent(this.peering.ID);
    this.o.tracker.received(this.peering.ID, true);
    this.#pushIndex = r.index;
  }

  /** The peer deleted the peering: TERMINATED here, without its imports (Consul's handling of a Terminated message). */
  async #terminated(): Promise<void> {
    this.stop();
    const current = this.o.catalog.peering(this.peering.ID, true);
    if (!current || current.State === 'DELETING' || current.StreamSecret !== this.peering.StreamSecret) return;
    this.o.log.info({ peer: current.Name }, 'peering terminated by the peer');
    await this.o.applier.apply({ Type: 'PeeringWrite', Peering: { ...strip(current), State: 'TERMINATED', StreamSecret: '' } });
    await importIfChanged(this.o.catalog, this.o.applier, current, {});
    this.o.tracker.forget(current.ID);
  }
}
