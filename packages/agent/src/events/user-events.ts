// User events (PUT /v1/event/fire, GET /v1/event/list). Consul spreads them by gossip and each
// agent keeps the last 256 it received in a ring buffer; until gossip exists the agent
// "receives" its own events. The Lamport clock ticks once per event.
import { randomUUID } from 'node:crypto';

/** Consul's userEventSize: the ring buffer's length. */
export const USER_EVENTS_MAX = 256;

export interface UserEvent {
  ID: string;
  Name: string;
  /** Base64, or null without a body. */
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  LTime: number;
}

export class UserEvents {
  #ring: UserEvent[] = [];
  #ltime = 0;
  #listeners = new Set<() => void>();

  /**
   * Fires an event; the returned copy has LTime 0, as Consul's fire response does. This agent
   * keeps it only when it passes the event's filters (`accepted`), as a receiving agent does.
   */
  fire(input: { name: string; payload: Buffer | null; node: string; service: string; tag: string }, accepted = true): UserEvent {
    const event: UserEvent = {
      ID: randomUUID(),
      Name: input.name,
      Payload: input.payload && input.payload.length > 0 ? input.payload.toString('base64') : null,
      NodeFilter: input.node,
      ServiceFilter: input.service,
      TagFilter: input.tag,
      Version: 1,
      LTime: 0,
    };
    this.#ltime++;
    if (accepted) this.#receive({ ...event, LTime: this.#ltime });
    return event;
  }

  #receive(event: UserEvent): void {
    this.#ring.push(event);
    if (this.#ring.length > USER_EVENTS_MAX) this.#ring.shift();
    for (const l of [...this.#listeners]) l();
  }

  /** Oldest first; `name` filters by exact name. */
  list(name?: string): UserEvent[] {
    return name ? this.#ring.filter((e) => e.Name === name) : [...this.#ring];
  }

  onEvent(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** X-Consul-Index of event/list: first 16 hex digits XOR last 16 of the newest event's ID; 1 when none. */
export function eventsIndex(events: UserEvent[]): string {
  const last = events[events.length - 1];
  if (!last) return "1";
  const hex = last.ID.replace(/-/g, '');
  const x = BigInt('0x' + hex.slice(0, 16)) ^ BigInt('0x' + hex.slice(16, 32));
  return x === 0n ? "1" : x.toString();
}
