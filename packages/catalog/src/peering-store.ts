/**
 * The peering tables (Consul's state/peering.go): peerings by name (case-insensitive, as its
 * memdb "name" index) and what each peer exported to this cluster, kept apart from the local
 * catalog so that a local read never shows an imported row and a `?peer=` read shows only them.
 * An import replaces the peer's whole set: it stores the rows with this cluster's index, as
 * Consul's importer writes them through its own Raft log.
 */
import type { ApplyResult } from './commands.js';
import type { ImportedInstance, ImportedServices, PeeringDeleteCommand, PeeringImportCommand, PeeringRecord, PeeringSnapshot, PeeringWriteCommand } from './peering-types.js';
import type { ServiceRecord } from './records.js';
import { isObj } from './shape-check.js';
import { byString, fail, lower, ok } from './util.js';

/** Bounds, so that neither a client nor a peer can grow the state without limit. */
export const PEERINGS_MAX = 1_000;
export const IMPORTED_INSTANCES_MAX = 50_000;
/** Watch key of the peerings table. */
export const PEERINGS_WATCH_KEY = 'peerings';
/** Watch key of what one peer (by local name) exported here. */
export const peerImportsWatchKey = (name: string): string => `peer-imports\u0000${lower(name)}`;

interface Imports {
  index: number;
  services: ImportedServices;
}

export class PeeringStore {
  /** Max index of the peerings table. */
  index = 0;
  private readonly byName = new Map<string, PeeringRecord>();
  /** Peering ID -> its imports. */
  private readonly imports = new Map<string, Imports>();

  clear(): void {
    this.index = 0;
    this.byName.clear();
    this.imports.clear();
  }

  get(name: string): PeeringRecord | undefined {
    return this.byName.get(lower(name));
  }

  byId(id: string): PeeringRecord | undefined {
    for (const p of this.byName.values()) if (p.ID === id) return p;
    return undefined;
  }

  list(): PeeringRecord[] {
    return [...this.byName.entries()].sort((a, b) => byString(a[0], b[0])).map(([, p]) => p);
  }

  /** What the peering named `name` imported (empty when unknown), and the index of the last import. */
  importsOf(name: string): { index: number; services: ImportedServices } {
    const p = this.get(name);
    const i = p ? this.imports.get(p.ID) : undefined;
    return { index: i?.index ?? 0, services: i?.services ?? {} };
  }

  /** Writes or deletes a peering (imports: checkImport/setImports); `touch` records the watch keys it changed. */
  apply(idx: number, c: PeeringWriteCommand | PeeringDeleteCommand, touch: (key: string) => void): ApplyResult {
    switch (c.Type) {
      case 'PeeringWrite': {
        const p = c.Peering;
        if (!isObj(p) || typeof p.Name !== 'string' || p.Name === '' || typeof p.ID !== 'string' || p.ID === '') return fail('Missing Peering Name or ID');
        const existing = this.get(p.Name);
        if (existing && existing.ID !== p.ID) return fail(`A peering already exists with the name ${JSON.stringify(p.Name)} and a different ID ${JSON.stringify(existing.ID)}`);
        if (!existing && this.byName.size >= PEERINGS_MAX) return fail(`Too many peerings (max ${PEERINGS_MAX})`);
        const other = this.byId(p.ID);
        if (!existing && other) return fail(`A peering already exists with the ID ${JSON.stringify(p.ID)}`);
        this.byName.set(lower(p.Name), { ...structuredClone(p), CreateIndex: existing?.CreateIndex ?? idx, ModifyIndex: idx });
        this.index = idx;
        touch(PEERINGS_WATCH_KEY);
        return ok(true);
      }
      case 'PeeringDelete': {
        const existing = typeof c.Name === 'string' ? this.get(c.Name) : undefined;
        if (!existing) return ok(true);
        this.byName.delete(lower(existing.Name));
        this.imports.delete(existing.ID);
        this.index = idx;
        touch(PEERINGS_WATCH_KEY);
        touch(peerImportsWatchKey(existing.Name));
        return ok(true);
      }
      default:
        return fail('Invalid peering command');
    }
  }

  /** The peering a PeeringImport is for, or why it cannot be applied. */
  checkImport(c: PeeringImportCommand): PeeringRecord | string {
    const p = typeof c.ID === 'string' ? this.byId(c.ID) : undefined;
    if (!p) return `peering ${JSON.stringify(c.ID)} does not exist`;
    if (!isObj(c.Services)) return 'Invalid Services: expected an object';
    let count = 0;
    for (const list of Object.values(c.Services)) {
      if (!Array.isArray(list)) return 'Invalid Services: expected lists of instances';
      if (!list.every((i) => isObj(i) && isObj(i.Node) && isObj(i.Service) && Array.isArray(i.Checks))) return 'Invalid Services: an instance needs Node, Service and Checks';
      count += list.length;
    }
    if (count > IMPORTED_INSTANCES_MAX) return `Too many imported instances (max ${IMPORTED_INSTANCES_MAX})`;
    return p;
  }

  /**
   * Replaces what `p` imported (a checked import) with `services`, stamped with this cluster's
   * index; `withService` may complete each instance's service record (its virtual IP).
   */
  setImports(p: PeeringRecord, idx: number, services: ImportedServices, touch: (key: string) => void, withService?: (s: ServiceRecord) => ServiceRecord): void {
    this.imports.set(p.ID, { index: idx, services: restamp(services, idx, withService) });
    touch(peerImportsWatchKey(p.Name));
  }

  snapshot(): PeeringSnapshot {
    return {
      Index: this.index,
      Peerings: structuredClone(this.list()),
      Imports: [...this.imports.entries()].sort((a, b) => byString(a[0], b[0])).map(([ID, i]) => ({ ID, Index: i.index, Services: structuredClone(i.services) })),
    };
  }

  /** Loads a snapshot's tables; absent (taken before peerings existed): empty. */
  restore(snap: PeeringSnapshot | undefined): void {
    this.clear();
    if (!snap) return;
    for (const p of snap.Peerings) this.byName.set(lower(p.Name), p);
    for (const i of snap.Imports) this.imports.set(i.ID, { index: i.Index, services: i.Services });
    this.index = snap.Index;
  }
}

/** The imported rows with this cluster's index (Consul's importer writes them through its own log). */
function restamp(services: ImportedServices, idx: number, withService: (s: ServiceRecord) => ServiceRecord = (s) => s): ImportedServices {
  const stamp = <T extends object>(r: T): T => ({ ...r, CreateIndex: idx, ModifyIndex: idx });
  const out: ImportedServices = {};
  for (const [name, list] of Object.entries(structuredClone(services))) {
    out[name] = list.map((i: ImportedInstance) => ({ Node: stamp(i.Node), Service: withService(stamp(i.Service)), Checks: i.Checks.map(stamp) }));
  }
  return out;
}
