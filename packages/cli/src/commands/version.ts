/** `proconsul version`: this build and the Consul API it speaks. */
import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';

/** The package's version (Changesets moves every package to one version). */
export const PROCONSUL_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** The Consul release line whose HTTP API, DNS interface and CLI Proconsul follows. */
export const CONSUL_API_VERSION = '1.17.0';

export function versionLines(): string[] {
  return [
    `Proconsul v${PROCONSUL_VERSION}`,
    `Speaks the Consul HTTP API v1 (as of Consul ${CONSUL_API_VERSION})`,
    'Protocol 2 spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)',
  ];
}

export const version: Command = {
  synopsis: 'Prints the Proconsul version',
  help: 'Usage: proconsul version [options]',
  flags: () => new FlagSet([{ name: 'format', kind: 'string', default: 'pretty', usage: 'Output format {pretty|json}' }]),
  async run(f, ui) {
    const format = f.string('format');
    if (format === 'json') {
      ui.output(
        JSON.stringify(
          { Version: PROCONSUL_VERSION, Revision: '', Prerelease: '', ConsulAPI: CONSUL_API_VERSION, RPC: { Default: 2, Min: 2, Max: 3 } },
          null,
          2,
        ),
      );
      return 0;
    }
    if (format !== 'pretty') {
      ui.error(`Unknown format: ${format}`);
      return 1;
    }
    for (const l of versionLines()) ui.output(l);
    return 0;
  },
};
