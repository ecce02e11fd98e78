/**
 * What an intention write does to the destination's service-intentions entry (Consul 1.17's
 * state/config_entry_intention.go intentionMutation*): the legacy create appends a source, the
 * legacy update and delete find one by its legacy ID, the by-name upsert replaces or appends the
 * source with that name, the by-name delete removes it; an entry left without sources is deleted.
 * Pure: the leader reads the previous entry, computes the next one here (IDs and times already
 * chosen) and proposes it as a check-and-set config entry write.
 */
import type { ServiceIntentionsEntry, SourceIntention } from './intention.js';

export type EntryChange = { op: 'upsert'; entry: ServiceIntentionsEntry } | { op: 'delete'; name: string } | { op: 'none' };

const lower = (s: string): string => s.toLowerCase();
/** Source identity inside an entry: a local source by name (peer and sameness-group sources are others). */
const sameSource = (s: SourceIntention, name: string): boolean => !s.Peer && !s.SamenessGroup && lower(s.Name) === lower(name);

function clone(e: ServiceIntentionsEntry): ServiceIntentionsEntry {
  return structuredClone(e);
}

function fresh(destination: string, src: SourceIntention): ServiceIntentionsEntry {
  return { Kind: 'service-intentions', Name: destination, Sources: [src], CreateIndex: 0, ModifyIndex: 0 };
}

/** intentionMutationLegacyCreate: the source appended (a duplicate name is the validator's error). */
export function legacyCreate(prev: ServiceIntentionsEntry | undefined, destination: string, src: SourceIntention): EntryChange {
  if (!prev) return { op: 'upsert', entry: fresh(destination, src) };
  const next = clone(prev);
  next.Sources.push(src);
  return { op: 'upsert', entry: next };
}

/** The entry holding the legacy ID, and the source's position in it. */
export function findLegacy(entries: readonly ServiceIntentionsEntry[], id: string): { entry: ServiceIntentionsEntry; index: number } | undefined {
  for (const entry of entries) {
    const index = entry.Sources.findIndex((s) => s.LegacyID === id);
    if (index >= 0) return { entry, index };
  }
  return undefined;
}

/**
 * intentionMutationLegacyUpdate: the source with the ID replaced; the create time stays the
 * first write's (ServiceIntentionsConfigEntry.UpdateOver).
 */
export function legacyUpdate(prev: ServiceIntentionsEntry, index: number, src: SourceIntention): EntryChange {
  const next = clone(prev);
  const old = next.Sources[index]!;
  next.Sources[index] = { ...src, ...(old.LegacyCreateTime ? { LegacyCreateTime: old.LegacyCreateTime } : {}) };
  return { op: 'upsert', entry: next };
}

/** intentionMutationLegacyDelete. */
export function legacyDelete(prev: ServiceIntentionsEntry, index: number): EntryChange {
  const next = clone(prev);
  next.Sources.splice(index, 1);
  return next.Sources.length === 0 ? { op: 'delete', name: prev.Name } : { op: 'upsert', entry: next };
}

/** intentionMutationUpsert (UpsertSourceByName). */
export function upsertByName(prev: ServiceIntentionsEntry | undefined, destination: string, src: SourceIntention): EntryChange {
  if (!prev) return { op: 'upsert', entry: fresh(destination, src) };
  const next = clone(prev);
  const i = next.Sources.findIndex((s) => sameSource(s, src.Name));
  if (i >= 0) next.Sources[i] = src;
  else next.Sources.push(src);
  return { op: 'upsert', entry: next };
}

/** intentionMutationDelete (DeleteSourceByName): nothing when there is no such source. */
export function deleteByName(prev: ServiceIntentionsEntry | undefined, source: string): EntryChange {
  if (!prev) return { op: 'none' };
  const i = prev.Sources.findIndex((s) => sameSource(s, source));
  if (i < 0) return { op: 'none' };
  const next = clone(prev);
  next.Sources.splice(i, 1);
  return next.Sources.length === 0 ? { op: 'delete', name: prev.Name } : { op: 'upsert', entry: next };
}
