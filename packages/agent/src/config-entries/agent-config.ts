/**
 * The agent config's `config_entries { bootstrap = [...] }` (Consul's agent/config/builder.go):
 * each entry decoded, normalized and validated when the config is built, so a bad one stops the
 * agent with `config_entries.bootstrap[<i>]: <Consul's error>`.
 */
import { ConfigEntryDecodeError, ConfigEntryInvalidError, ConfigEntryKindUnsupportedError, parseConfigEntry, type ConfigEntry } from '@proconsul/catalog';
import type { ObjectSpec } from '../checks/decode.js';
import { ConfigError } from '../config/errors.js';
import { CONFIG_ENTRY_HOOKS } from './hooks.js';

/** The `config_entries` block: bootstrap entries are kept as written (their keys are the entry's). */
export const CONFIG_ENTRIES_SPEC: ObjectSpec = {
  struct: 'ConfigEntries',
  fields: [{ name: 'bootstrap', type: { opaqueArray: '[]map[string]interface {}' } }],
};

/** The bootstrap entries of a built config, in the stored shape. */
export function bootstrapConfigEntries(block: { bootstrap?: unknown } | undefined): ConfigEntry[] {
  const raw = Array.isArray(block?.bootstrap) ? block.bootstrap : [];
  return raw.map((r, i) => {
    try {
      return parseConfigEntry(r, CONFIG_ENTRY_HOOKS);
    } catch (err) {
      if (err instanceof ConfigEntryDecodeError || err instanceof ConfigEntryInvalidError || err instanceof ConfigEntryKindUnsupportedError) {
        throw new ConfigError(`config_entries.bootstrap[${i}]: ${err.message}`);
      }
      throw err;
    }
  });
}
