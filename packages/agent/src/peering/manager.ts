/**
 * The leader's peering duties (Consul's leader_peering.go): keep one DialerStream per dialing
 * peering that has a stream secret (restarted when the secret changes, stopped with
 * leadership), and finish deletions: a peering marked DELETING is told to the peer (a dialer
 * calls PeerStream.Terminate, best effort), then removed with everything imported from it.
 */
import { PEERINGS_WATCH_KEY, type ApplyResult, type Catalog, type Command, type PeeringRecord } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { Logger } from '../log.js';
import { pause } from '../replication-rounds.js';
import { DialerStream, type DialerOptions } from './dialer.js';
import { shouldDial, STREAM_CALL_MARGIN_MS, type PeeringService } from './service.js';
import { splitHostPort } from './token.js';

export interface PeeringManagerOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  service: PeeringService;
  datacenter: string;
  call: DialerOptions['call'];
  log: Logger;
}

export class PeeringManager {
  #run: AbortController | undefined;
  readonly #streams = new Map<string, DialerStream>();

  constructor(private readonly o: PeeringManagerOptions) {}

  start(): void {
    if (this.#run) return;
    const run = (this.#run = new AbortController());
    void this.#routine(run.signal);
  }

  stop(): void {
    this.#run?.abort();
    this.#run = undefined;
    for (const s of this.#streams.values()) s.stop();
    this.#streams.clear();
  }

  async #routine(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#reconcile(signal);
      } catch (err) {
        this.o.log.warn({ error: (err as Error).message }, 'peering reconcile failed; retrying');
        await pause(2_000, signal);
        continue;
      }
      await this.o.catalog.watch([PEERINGS_WATCH_KEY], signal);
    }
  }

  async #reconcile(signal: AbortSignal): Promise<void> {
    const peerings = this.o.catalog.peerings().value;
    const wanted = new Map<string, PeeringRecord>();
    for (const p of peerings) {
      if (p.State === 'DELETING') {
        await this.#finishDeletion(p);
        if (signal.aborted) return;
      } else if (shouldDial(p) && p.StreamSecret !== '' && p.State !== 'TERMINATED') {
        wanted.set(`${p.ID}\u0000${p.StreamSecret}`, p);
      }
    }
    if (signal.aborted) return;
    for (const [key, s] of this.#streams) {
      if (wanted.has(key)) continue;
      s.stop();
      this.#streams.delete(key);
    }
    for (const [key, p] of wanted) {
      if (this.#streams.has(key)) continue;
      this.o.log.info({ peer: p.Name }, 'starting the peering stream');
      this.#streams.set(key, new DialerStream({ catalog: this.o.catalog, applier: this.o.applier, tracker: this.o.service.tracker, datacenter: this.o.datacenter, call: this.o.call, log: this.o.log }, p));
    }
  }

  async #finishDeletion(p: PeeringRecord): Promise<void> {
    for (const [key, s] of this.#streams) {
      if (s.peering.ID !== p.ID) continue;
      s.stop();
      this.#streams.delete(key);
    }
    if (shouldDial(p) && p.StreamSecret !== '') {
      for (const addr of p.PeerServerAddresses) {
        const hp = splitHostPort(addr);
        if (!hp) continue;
        try {
          await this.o.call(hp.host, hp.port, 'PeerStream.Terminate', { PeerID: p.PeerID, StreamSecret: p.StreamSecret }, STREAM_CALL_MARGIN_MS);
          break;
        } catch (err) {
          this.o.log.warn({ peer: p.Name, addr, error: (err as Error).message }, 'could not tell the peer the peering is deleted');
        }
      }
    }
    const r = await this.o.applier.apply({ Type: 'PeeringDelete', Name: p.Name });
    if (!r.ok) throw new Error(r.error ?? 'peering delete failed');
    this.o.service.tracker.forget(p.ID);
    this.o.log.info({ peer: p.Name }, 'peering deleted');
  }
}
