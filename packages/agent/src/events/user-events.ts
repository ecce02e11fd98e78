// User events (PUT /v1/event/fire, GET /v1/event/list). Consul spreads them by gossip (see
// gossip/lan.ts, which also keeps the Lamport clock) and each agent keeps the last 256 it
// received and accepted (shouldProcess) in a ring buffer.
import { randomUUID } from 'node:crypto';

/** Consul's remoteExecName: the internal user event that starts a remote exec (events/remote-exec.ts). */
export const REMOTE_EXEC_EVENT = '_rexec';

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
  #listeners = new Set<() => void>();
  #remoteExec: ((event: UserEvent) => void) | undefined;

  /** A new event as the fire endpoint answers it (LTime 0: the clock is the gossip layer's). */
  static create(input: { name: string; payload: Buffer | null; node: string; service: string; tag: string }): UserEvent {
    return {
      ID: randomUUID(),
      Name: input.name,
      Payload: input.payload && input.payload.length > 0 ? input.payload.toString('base64') : null,
      NodeFilter: input.node,
      ServiceFilter: input.service,
      TagFilter: input.tag,
      Version: 1,
      LTime: 0,
    };
  }

  /** Where `_rexec` events go (events/remote-exec.ts); until set they are dropped. */
  onRemoteExec(handler: (event: UserEvent) => void): void {
    this.#remoteExec = handler;
  }

  /**
   * Keeps an event that reached this agent and passed its filters. A `_rexec` event is Consul's
   * internal one (ingestUserEvent): handed to remote exec and never listed.
   */
  receive(event: UserEvent): void {
    if (event.Name === REMOTE_EXEC_EVENT) {
      this.#remoteExec?.(event);
      return;
    }
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

/**
 * Consul's shouldProcessUserEvent: the node filter matches this node's name, the service filter
 * one of its services' names and, with a tag filter, one of that service's tags. A filter that
 * does not compile rejects the event.
 */
export function shouldProcess(e: Pick<UserEvent, 'NodeFilter' | 'ServiceFilter' | 'TagFilter'>, nodeName: string, services: Array<{ Service: string; Tags: string[] }>): boolean {
  try {
    if (e.NodeFilter && !new RegExp(e.NodeFilter).test(nodeName)) return false;
    if (!e.ServiceFilter) return true;
    const svc = new RegExp(e.ServiceFilter);
    const tag = e.TagFilter ? new RegExp(e.TagFilter) : undefined;
    return services.some((s) => svc.test(s.Service) && (!tag || s.Tags.some((t) => tag.test(t))));
  } catch {
    return false;
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
