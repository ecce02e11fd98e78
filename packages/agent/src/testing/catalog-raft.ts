// A real single-voter Raft under a catalog, for unit tests of what writes through the applier.
import type { Catalog } from '@proconsul/catalog';
import { pino } from 'pino';
import { onTestFinished } from 'vitest';
import { CatalogRaft } from '../raft/catalog-raft.js';
import type { RaftApplier } from '../raft/raft-applier.js';

export async function raftApplierFor(catalog: Catalog): Promise<RaftApplier> {
  const raft = await CatalogRaft.create({
    catalog,
    serverId: 'test-server',
    dataDir: '',
    datacenter: catalog.datacenter,
    log: pino({ level: 'silent' }),
    onFatal: (err) => {
      throw err;
    },
  });
  onTestFinished(() => raft.close());
  await raft.start(['test-server']);
  await raft.waitForLeadership();
  return raft.applier;
}
