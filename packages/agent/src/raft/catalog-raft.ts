// Starts the Raft node that every server agent runs its catalog on, as Consul does: `-dev` on a
// throwaway directory, `-bootstrap` / `-bootstrap-expect 1` as a single voter, a data dir of the
// command-log era imported once. Until servers cluster (gossip + RPC), every server is a single
// voter of its own.
import { existsSync, mkdtempSync, openSync, closeSync, fsyncSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog } from '@proconsul/catalog';
import { RaftNode } from '@proconsul/raft';
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
  node: RaftNode;
  close(): Promise<void>;
}

export async function startCatalogRaft(o: CatalogRaftOptions): Promise<CatalogRaft> {
  const devDir = o.dataDir === '' ? mkdtempSync(join(tmpdir(), 'proconsul-dev-raft-')) : '';
  const raftDir = devDir || join(o.dataDir, 'raft');
  if (!devDir) await importLegacyDataDir(o);
  const fsm = new CatalogFsm(o.catalog);
  const node = await openSingleVoter(o.serverId, raftDir, fsm);
  node.on('error', (err: Error) => o.onFatal(err));
  const applier = new RaftApplier(node, fsm);
  try {
    await waitForLeadership(node);
  } catch (err) {
    await node.stop();
    throw err;
  }
  return {
    applier,
    node,
    close: async () => {
      await node.stop();
      if (devDir) rmSync(devDir, { recursive: true, force: true });
    },
  };
}

function openSingleVoter(id: string, dataDir: string, fsm: CatalogFsm): Promise<RaftNode> {
  return RaftNode.start({ id, dataDir, stateMachine: fsm, transport: new NoPeersTransport(), bootstrap: [id] });
}

async function waitForLeadership(node: RaftNode): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  while (!node.isLeader()) {
    if (node.failure()) throw node.failure()!;
    if (Date.now() > deadline) throw new Error(`raft: no leadership within ${LEADER_WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  // A barrier: the first proposal of this term commits only after the leader's no-op, so
  // everything committed before is applied to the catalog when it returns.
  await node.readIndex('safe');
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
