/**
 * What the intention endpoints need from the config-entry store: the service-intentions entries
 * (read), the kind's Normalize/Validate, and a check-and-set write of one entry through Raft.
 * Intentions have no table of their own (Consul 1.9+): they are these entries' sources.
 */
import type { Indexed } from '@proconsul/catalog';
import type { ServiceIntentionsEntry } from './intention.js';
import type { EntryChange } from './mutation.js';

/** An entry the kind's validation refuses (the text is Consul's). */
export class IntentionInvalidError extends Error {}

export interface IntentionStore {
  /** Every service-intentions entry, with the config-entries table's index and watch keys. */
  list(): Indexed<ServiceIntentionsEntry[]>;
  /** The destination's entry (names compare without regard to case, as the table's key). */
  get(name: string): ServiceIntentionsEntry | undefined;
  /**
   * Normalize then Validate (Consul's ServiceIntentionsConfigEntry); `legacy` keeps the legacy
   * ID, meta and times (LegacyNormalize/LegacyValidate). Throws IntentionInvalidError.
   */
  normalize(entry: ServiceIntentionsEntry, legacy: boolean): ServiceIntentionsEntry;
  /**
   * Writes the change through Raft if the destination's entry still has `expectedModifyIndex`
   * (0: absent); false when it moved meanwhile.
   */
  write(change: EntryChange, expectedModifyIndex: number): Promise<boolean>;
}
