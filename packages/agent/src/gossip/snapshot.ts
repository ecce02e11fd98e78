// The member snapshot (serf's snapshot.go, `<data-dir>/serf/local.snapshot`): the alive members
// this agent knew, so a restarted agent rejoins the cluster by itself, with no -join or
// -retry-join; after a graceful leave it does not, unless rejoin_after_leave. Written on the
// next turn after a member change and then at most once a second (atomically): a join is on
// disk at once, so a server stopped right after it (or killed) still finds the cluster again;
// losing the newest write only means one fewer address to try.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../durable-file.js';
import type { Logger } from '../log.js';
import type { MembershipEvent } from './lan.js';

export const SNAPSHOT_FILE = join('serf', 'local.snapshot');
/** The WAN pool's snapshot (servers), as Consul's `serf/remote.snapshot`. */
export const WAN_SNAPSHOT_FILE = join('serf', 'remote.snapshot');
const WRITE_EVERY_MS = 1000;
/** Bound on remembered members: enough addresses to find a cluster again. */
const MEMBERS_MAX = 4096;

interface SnapshotData {
  /** name -> "addr:port" of members last seen alive. */
  alive: Record<string, string>;
  /** This agent left gracefully. */
  left: boolean;
}

export class MemberSnapshot {
  readonly #file: string;
  /** name -> "addr:port"; a Map, so any node name (`__proto__` too) is an ordinary key. */
  readonly #alive = new Map<string, string>();
  #left = false;
  #timer: NodeJS.Timeout | undefined;
  #lastWriteMs = -Infinity;

  /** Reads the previous snapshot (a damaged one is logged and ignored: it is only a hint). */
  constructor(dataDir: string, private readonly selfName: string, private readonly log: Logger, file = SNAPSHOT_FILE) {
    this.#file = join(dataDir, file);
    if (!existsSync(this.#file)) return;
    try {
      const d = JSON.parse(readFileSync(this.#file, 'utf8')) as SnapshotData;
      if (typeof d !== 'object' || d === null || typeof d.alive !== 'object' || typeof d.left !== 'boolean') throw new Error('unexpected shape');
      for (const [k, v] of Object.entries(d.alive)) if (typeof v === 'string') this.#alive.set(k, v);
      this.#left = d.left;
    } catch (err) {
      log.warn({ file: this.#file, error: (err as Error).message }, 'ignoring a damaged member snapshot');
    }
  }

  /** Addresses to rejoin through at start: none after a leave unless `rejoinAfterLeave`. */
  previousMembers(rejoinAfterLeave: boolean): string[] {
    const prev = [...this.#alive].filter(([name]) => name !== this.selfName).map(([, addr]) => addr);
    if (this.#left && !rejoinAfterLeave) {
      if (prev.length > 0) this.log.info('ignoring previously known members: this agent left the cluster (see rejoin_after_leave)');
      return [];
    }
    return prev;
  }

  /** Starts a new run: the leave of the previous run no longer holds. */
  start(): void {
    if (!this.#left) return;
    this.#left = false;
    this.flush();
  }

  onMember(e: MembershipEvent): void {
    const { Name, Addr, Port } = e.member;
    if (e.type === 'member-join' || e.type === 'member-update') {
      if (this.#alive.size >= MEMBERS_MAX && !this.#alive.has(Name)) return;
      this.#alive.set(Name, Addr.includes(':') ? `[${Addr}]:${Port}` : `${Addr}:${Port}`);
    } else {
      this.#alive.delete(Name);
    }
    this.#schedule();
  }

  /** A graceful leave: written at once, so a restart does not rejoin. */
  leave(): void {
    this.#left = true;
    this.flush();
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#lastWriteMs = Date.now();
    try {
      const data: SnapshotData = { alive: Object.fromEntries(this.#alive), left: this.#left };
      writeFileDurably(this.#file, JSON.stringify(data));
    } catch (err) {
      this.log.error({ file: this.#file, error: (err as Error).message }, 'could not write the member snapshot');
    }
  }

  close(): void {
    if (this.#timer) this.flush();
  }

  #schedule(): void {
    if (this.#timer) return;
    const waitMs = Math.max(0, this.#lastWriteMs + WRITE_EVERY_MS - Date.now());
    this.#timer = setTimeout(() => this.flush(), waitMs);
    this.#timer.unref();
  }
}
