// Starts the Raft node that every server agent runs its catalog on, as Consul does: `-dev` on a
// throwaway directory, `-bootstrap` / `-bootstrap-expect 1` as a single voter, a data dir of the
// command-log era imported once. Until servers cluster (gossip + RPC), every server is a single
// voter of its own.
import { existsSync, mkdtempSync, openSync, closeSync, fsyncSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog } from '@proconsul/catalog';
import { NotLeaderError, RaftNode } from '@proconsul/raft';
import type { Logger } from '../log.js';
import { CatalogFsm } from './catalog-fsm.js';
import { LEGACY_CATALOG_DIR, readLegacyCatalog } from './legacy-import.js';
import { NoPeersTransport } from './no-peers-transport.js';
import { RaftApplier } from './raft-applier.js';

/** How long a single voter may take to elect itself at start. */
const LEADER_WAIT_MS = 10_000;

export interface CatalogRaftOptions {
  catalog: Catalog;
  /** The Raft server ID: the agent's node ID (Consul's raft protocol 3). */
  serverId: string;
  /** The agent's data dir; '' for -dev (a temp dir removed at close). */
  dataDir: string;
  datacenter: string;
  log: Logger;
  /** Storage failed (a write or fsync error): the node has stopped acknowledging. */
  onFatal: (err: Error) => void;
}

export interface CatalogRaft {
  applier: RaftApplier;
  /** The Raft node serving now (a new one after recovering from a full disk). */
  node(): RaftNode;
  close(): Promise<void>;
}

/** How long to wait before reopening the log after a write failed for lack of space or descriptors. */
const REOPEN_RETRY_MS = 1_000;

export async function startCatalogRaft(o: CatalogRaftOptions): Promise<CatalogRaft> {
  const devDir = o.dataDir === '' ? mkdtempSync(join(tmpdir(), 'proconsul-dev-raft-')) : '';
  const raftDir = devDir || join(o.dataDir, 'raft');
  if (!devDir) await importLegacyDataDir(o);
  const fsm = new CatalogFsm(o.catalog);
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const open = async (): Promise<RaftNode> => {
    const node = await openSingleVoter(o.serverId, raftDir, fsm);
    node.on('error', (err: Error) => onStorageError(err));
    try {
      await waitForLeadership(node);
    } catch (err) {
      await node.stop();
      throw err;
    }
    return node;
  };

  // Running out of space (or of file descriptors) is the one write failure that is not
  // fail-stop: nothing was acknowledged past the last fsync, so the node is reopened from its
  // files (a torn tail is cut) under the live catalog, which already holds every applied entry.
  // Until then writes fail with a 5xx. Any other write or fsync error stops the agent.
  const onStorageError = (err: Error): void => {
    if (closed) return;
    if (!isOutOfResources(err)) return o.onFatal(err);
    applier.unavailable(`Raft log unavailable: ${err.message}`);
    o.log.error({ err }, 'the Raft log could not be written (out of space or file descriptors): writes are refused until it can be reopened');
    retry = setTimeout(() => void reopen(), REOPEN_RETRY_MS);
  };

  const reopen = async (): Promise<void> => {
    await applier.node.stop();
    if (closed) return;
    try {
      applier.serveWith(await open());
      o.log.info({ appliedIndex: fsm.appliedIndex }, 'the Raft log is writable again');
    } catch (err) {
      if (!isOutOfResources(err)) return o.onFatal(err as Error);
      retry = setTimeout(() => void reopen(), REOPEN_RETRY_MS);
    }
  };

  const applier = new RaftApplier(await open(), fsm);
  return {
    applier,
    node: () => applier.node,
    close: async () => {
      closed = true;
      clearTimeout(retry);
      await applier.node.stop();
      if (devDir) rmSync(devDir, { recursive: true, force: true });
    },
  };
}

const OUT_OF_RESOURCES = ['ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE'];

function isOutOfResources(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  return OUT_OF_RESOURCES.some((code) => e?.code === code || e?.cause?.code === code || new RegExp(`\\b${code}\\b`).test(String(e?.message)));
}

function openSingleVoter(id: string, dataDir: string, fsm: CatalogFsm): Promise<RaftNode> {
  return RaftNode.start({ id, dataDir, stateMachine: fsm, transport: new NoPeersTransport(), bootstrap: [id] });
}

async function waitForLeadership(node: RaftNode): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    if (node.failure()) throw node.failure()!;
    if (Date.now() > deadline) throw new Error(`raft: no leadership within ${LEADER_WAIT_MS} ms`);
    // A barrier: a ReadIndex succeeds once the leader's no-op of this term has committed, so
    // everything committed before is applied to the catalog when it returns.
    if (node.isLeader()) {
      try {
        await node.readIndex('safe');
        return;
      } catch (err) {
        if (!(err instanceof NotLeaderError)) throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
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
    const node = await openSingleVoter(o.serverId, importing, fsm);
    try {
      await waitForLeadership(node);
      await new RaftApplier(node, fsm).restore(state);
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
