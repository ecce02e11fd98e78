// The Raft node every server agent runs its catalog on, as Consul does: `-dev` on a throwaway
// directory, `-bootstrap` / `-bootstrap-expect 1` as a single voter, a cluster of servers that
// bootstrap together (cluster/bootstrap.ts) or join one that exists. A data dir of the
// command-log era is imported once. The node is reopened from its files under the live catalog
// when a write fails for lack of space or descriptors; any other storage error is fail-stop.
import { existsSync, openSync, closeSync, fsyncSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Catalog } from '@proconsul/catalog';
import { MemoryFileSystem, NotLeaderError, RaftNode, StorageFailedError, StorageFullError, type FileSystem, type Transport } from '@proconsul/raft';
import type { Logger } from '../log.js';
import { CatalogFsm } from './catalog-fsm.js';
import { LEGACY_CATALOG_DIR, readLegacyCatalog } from './legacy-import.js';
import { NoPeersTransport } from './no-peers-transport.js';
import { RaftApplier } from './raft-applier.js';

/** How long leader duties wait for their barrier, and an older data dir's import for its node. */
const LEADER_WAIT_MS = 10_000;
/** How often a server still waiting at start for a leader says so. */
const LEADER_WAIT_LOG_MS = 10_000;
/** How long to wait before reopening the log after a write failed for lack of space or descriptors. */
const REOPEN_RETRY_MS = 1_000;

export interface CatalogRaftOptions {
  catalog: Catalog;
  /** The Raft server ID: the agent's node ID (Consul's raft protocol 3). */
  serverId: string;
  /** The agent's data dir; '' for -dev (the log is kept in memory, as Consul's -dev). */
  dataDir: string;
  datacenter: string;
  log: Logger;
  /** Consul's raft_snapshot_threshold and raft_snapshot_interval (defaults 16,384 and 120 s). */
  snapshotThreshold?: number;
  snapshotIntervalMs?: number;
  /** Peers' messages; a single voter without peers needs none. */
  transport?: Transport;
  /** Storage failed (a write or fsync error): the node has stopped acknowledging. */
  onFatal: (err: Error) => void;
  /** Raft leadership moved (leader ID or null, and whether it is this server). */
  onLeader?: (leader: string | null, isLeader: boolean) => void;
}

export class CatalogRaft {
  readonly fsm: CatalogFsm;
  readonly applier: RaftApplier;
  readonly #dir: string;
  /** -dev: the log lives in memory; otherwise undefined (the real disk). */
  readonly #memory: FileSystem | undefined;
  #bootstrap: string[] | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  private constructor(private readonly o: CatalogRaftOptions) {
    this.#memory = o.dataDir === '' ? new MemoryFileSystem() : undefined;
    this.#dir = this.#memory ? '/dev-raft' : join(o.dataDir, 'raft');
    this.fsm = new CatalogFsm(o.catalog);
    this.applier = new RaftApplier(this.fsm);
  }

  /** Prepares the data dir (importing an older one); the node starts with start(). */
  static async create(o: CatalogRaftOptions): Promise<CatalogRaft> {
    if (o.dataDir !== '') await importLegacyDataDir(o);
    return new CatalogRaft(o);
  }

  /** Whether the data dir holds Raft state already (a restart: never bootstrap again). */
  hasState(): boolean {
    return !this.#memory && existsSync(this.#dir) && readdirSync(this.#dir).length > 0;
  }

  node(): RaftNode | null {
    return this.applier.node;
  }

  /**
   * Opens the node: with `bootstrap` (the founding voters) when the data dir is new, otherwise
   * from its files, or as a joiner that waits for a leader to add it.
   */
  async start(bootstrap?: string[]): Promise<void> {
    // A log that was written once never goes back to nothing: its segments were deleted.
    const wal = join(this.#dir, 'wal');
    if (this.hasState() && (!existsSync(wal) || !readdirSync(wal).some((n) => n.endsWith('.wal')))) {
      throw new Error(`${wal} holds no log segment though this server has written one: refusing to start (restore the data dir, or remove it so the server rejoins its cluster and receives the state)`);
    }
    this.#bootstrap = bootstrap;
    this.applier.serveWith(await this.#open());
  }

  /** Resolves once a leader is elected and this server has applied what it committed before. */
  async waitForLeadership(timeoutMs = LEADER_WAIT_MS): Promise<void> {
    await awaitLeadership(() => this.applier.node, timeoutMs);
  }

  /**
   * As waitForLeadership, for as long as it takes: at start a slow disk or a paused process is
   * no reason to give up (only a storage failure is). Says so every LEADER_WAIT_LOG_MS.
   */
  async waitForLeadershipAtStart(): Promise<void> {
    const since = Date.now();
    this.o.log.debug('waiting for a cluster leader');
    const timer = setInterval(() => this.o.log.warn({ waitedMs: Date.now() - since }, 'no cluster leader yet: still waiting'), LEADER_WAIT_LOG_MS);
    try {
      await awaitLeadership(() => this.applier.node, Infinity);
    } finally {
      clearInterval(timer);
    }
  }


  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.applier.node?.stop();
  }

  async #open(): Promise<RaftNode> {
    const node = await RaftNode.start({
      id: this.o.serverId,
      dataDir: this.#dir,
      stateMachine: this.fsm,
      transport: this.o.transport ?? new NoPeersTransport(),
      snapshotThreshold: this.o.snapshotThreshold ?? 16_384,
      snapshotIntervalMs: this.o.snapshotIntervalMs ?? 120_000,
      ...(this.#memory ? { fs: this.#memory } : {}),
      ...(this.#bootstrap ? { bootstrap: this.#bootstrap } : {}),
    });
    node.on('error', (err: Error) => this.#onStorageError(node, err));
    node.on('leader', (leader: string | null) => this.o.onLeader?.(leader, leader === this.o.serverId));
    return node;
  }

  // Running out of space (or of file descriptors for a new segment) is the one write failure
  // that is not fail-stop: the storage undid the write and nothing was acknowledged past the
  // last fsync, so the node is reopened from its files under the live catalog, which already
  // holds every applied entry. Until then writes fail with a 5xx. Any other write or fsync
  // error stops the agent.
  #onStorageError(node: RaftNode, err: Error): void {
    if (this.#closed || node !== this.applier.node) return;
    if (!isRecoverable(err)) return this.o.onFatal(err);
    this.applier.unavailable(`Raft log unavailable: ${err.message}`);
    this.o.onLeader?.(null, false);
    this.o.log.error({ err }, 'the Raft log could not be written (out of space or file descriptors): writes are refused until it can be reopened');
    this.#retry = setTimeout(() => void this.#reopen(node), REOPEN_RETRY_MS);
  }

  async #reopen(old: RaftNode): Promise<void> {
    await old.stop();
    if (this.#closed) return;
    try {
      this.applier.serveWith(await this.#open());
      this.o.log.info({ appliedIndex: this.fsm.appliedIndex }, 'the Raft log is writable again');
    } catch (err) {
      if (!isRecoverable(err)) return this.o.onFatal(err as Error);
      this.#retry = setTimeout(() => void this.#reopen(old), REOPEN_RETRY_MS);
    }
  }
}

/**
 * Resolves once a leader is elected and the node has applied what it committed before: a
 * ReadIndex succeeds only after the leader's no-op of this term has committed (a barrier).
 */
async function awaitLeadership(node: () => RaftNode | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = node();
    if (n?.failure()) throw n.failure()!;
    if (Date.now() > deadline) throw new Error(`raft: no cluster leader within ${timeoutMs} ms`);
    if (n && n.leader() !== null) {
      try {
        await n.readIndex('safe');
        return;
      } catch (err) {
        if (!(err instanceof NotLeaderError)) throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A full disk, or no descriptor to create the next segment with: nothing was written. */
function isRecoverable(err: unknown): boolean {
  if (err instanceof StorageFullError) return true;
  return err instanceof StorageFailedError && err.op === 'create' && (err.code === 'EMFILE' || err.code === 'ENFILE');
}

/**
 * `<data-dir>/catalog/` (the command log) becomes `<data-dir>/raft/`: the state is written
 * into a new Raft log in `raft.importing/`, which is renamed into place once durable; only
 * then is the old directory renamed to `catalog.imported/` (kept, never deleted). A crash at
 * any point leaves either the old directory alone or a complete `raft/`.
 */
async function importLegacyDataDir(o: CatalogRaftOptions): Promise<void> {
  const legacy = join(o.dataDir, LEGACY_CATALOG_DIR);
  const raftDir = join(o.dataDir, 'raft');
  const importing = join(o.dataDir, 'raft.importing');
  rmSync(importing, { recursive: true, force: true });
  if (!existsSync(legacy)) return;
  if (!existsSync(raftDir)) {
    const state = readLegacyCatalog(legacy, o.datacenter);
    const fsm = new CatalogFsm(new Catalog({ datacenter: o.datacenter }));
    const applier = new RaftApplier(fsm);
    const node = await RaftNode.start({ id: o.serverId, dataDir: importing, stateMachine: fsm, transport: new NoPeersTransport(), bootstrap: [o.serverId] });
    applier.serveWith(node);
    try {
      await awaitLeadership(() => node, LEADER_WAIT_MS);
      await applier.restore(state);
    } finally {
      await node.stop();
    }
    renameSync(importing, raftDir);
    fsyncDir(o.dataDir);
    o.log.info({ from: legacy, index: state.Index, keys: state.KVs.length, nodes: state.Nodes.length }, 'imported the catalog of an older data dir into the Raft log');
  }
  renameSync(legacy, join(o.dataDir, `${LEGACY_CATALOG_DIR}.imported`));
  fsyncDir(o.dataDir);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
