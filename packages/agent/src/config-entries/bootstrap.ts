/**
 * The leader's bootstrap of `config_entries.bootstrap` (Consul's leader.go bootstrapConfigEntries):
 * in the primary datacenter only, each entry is created when absent (a check-and-set on index 0),
 * never overwritten, so an entry changed through the API keeps its change across restarts.
 */
import type { ApplyResult, Catalog, Command, ConfigEntry } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';

export async function bootstrapConfigEntries(catalog: Catalog, applier: Applier<Command, ApplyResult>, entries: readonly ConfigEntry[]): Promise<void> {
  for (const entry of entries) {
    const name = entry.Kind === 'mesh' ? 'mesh' : (entry.Name ?? '');
    // Avoid a round trip through Raft when the CAS is known to fail.
    if (catalog.configEntryGet(entry.Kind, name).value) continue;
    const r = await applier.apply({ Type: 'ConfigEntry', Op: 'upsert-cas', Entry: { ...entry, ModifyIndex: 0 } });
    if (!r.ok) throw new Error(`Failed to apply configuration entry ${JSON.stringify(entry.Kind)} / ${JSON.stringify(name)}: ${r.error}`);
  }
}
