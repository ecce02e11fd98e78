/** `proconsul kv export`: a prefix as Consul's JSON export (key, flags, base64 value), tab-indented. */
import { kvFlags, type KVPair } from '@proconsul/api';
import type { Command } from '../command.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';
import { kvKeyArg } from './kv-key.js';

export interface ExportEntry {
  key: string;
  flags: bigint;
  value: string;
}

export function toEntry(pair: KVPair): ExportEntry {
  return { key: pair.Key, flags: kvFlags(pair), value: pair.Value ?? '' };
}

/** Go's json.MarshalIndent(entries, "", "\t"), with uint64 flags written exactly. */
export function exportJson(entries: ExportEntry[]): string {
  const marker = '\u0000uint64:';
  const text = JSON.stringify(entries, (_k, v: unknown) => (typeof v === 'bigint' ? marker + v.toString() : v), '\t');
  return text.replace(/"\\u0000uint64:(\d+)"/g, '$1');
}

export const kvExport: Command = {
  synopsis: 'Exports a tree from the KV store as JSON',
  help: `Usage: proconsul kv export [KEY_OR_PREFIX]

  Retrieves key-value pairs for the given prefix from the key-value store,
  and writes a JSON representation to stdout. This can be used with the command
  "proconsul kv import" to move entire trees between clusters.

      $ proconsul kv export vault`,
  flags: () => clientFlags().merge(serverFlags()),
  async run(f, ui) {
    const key = kvKeyArg(f, ui);
    if (key === undefined) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    let pairs: KVPair[];
    try {
      pairs = (await client.kv.list(key, { stale: staleFlag(f) })).data;
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    }
    // Go's json.MarshalIndent(..., "", "\t"); an empty slice prints as [].
    ui.info(exportJson(pairs.map(toEntry)));
    return 0;
  },
};
