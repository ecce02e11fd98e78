/** `proconsul info`: the agent's Stats sections, sorted, as `key = value` lines. */
import type { Command } from '../command.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

export function formatStats(stats: Record<string, Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(stats).sort()) {
    out.push(`${key}:`);
    const sub = stats[key] ?? {};
    for (const k of Object.keys(sub).sort()) out.push(`\t${k} = ${String(sub[k])}`);
  }
  return out;
}

export const info: Command = {
  synopsis: 'Provides debugging information for operators.',
  help: `Usage: proconsul info [options]

  Provides debugging information for operators`,
  flags: () => clientFlags(),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    let self;
    try {
      self = await client.agent.self();
    } catch (err) {
      ui.error(`Error querying agent: ${errText(err)}`);
      return 1;
    }
    if (!self || typeof self.Stats !== 'object' || self.Stats === null) {
      ui.error(`Agent response did not contain 'Stats' key: ${JSON.stringify(self)}`);
      return 1;
    }
    for (const line of formatStats(self.Stats)) ui.output(line);
    return 0;
  },
};
