/**
 * `proconsul connect ca get-config|set-config` (Consul's command/connect/ca/get and
 * command/connect/ca/set): print the Connect CA configuration as Go's json.MarshalIndent with
 * tabs, or replace it from a JSON file (a new key or root rotates the CA).
 */
import { readFile } from 'node:fs/promises';
import type { CAConfig } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';

/** Bound on a configuration file (a PEM key and root fit many times over). */
const CONFIG_FILE_BYTES_MAX = 1024 * 1024;

/** api.CAConfig's fields in its order, as json.MarshalIndent(config, "", "\t") writes them. */
function showConfig(c: CAConfig): string {
  const sorted = Object.fromEntries(Object.keys(c.Config ?? {}).sort().map((k) => [k, c.Config[k]]));
  const ordered = { Provider: c.Provider, Config: c.Config === null ? null : sorted, State: c.State ?? null, ForceWithoutCrossSigning: c.ForceWithoutCrossSigning ?? false, CreateIndex: c.CreateIndex ?? 0, ModifyIndex: c.ModifyIndex ?? 0 };
  return JSON.stringify(ordered, null, '\t');
}

export const connectCaGetConfig: Command = {
  synopsis: 'Display the current Connect Certificate Authority (CA) configuration',
  help: `Usage: proconsul connect ca get-config [options]

  Displays the current Connect Certificate Authority (CA) configuration.`,
  flags: () => clientFlags().merge(serverFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      const { data } = await client.connect.caGetConfig({ stale: staleFlag(f) });
      ui.output(showConfig(data));
      return 0;
    } catch (err) {
      ui.error(`Error querying CA configuration: ${errText(err)}`);
      return 1;
    }
  },
};

export const connectCaSetConfig: Command = {
  synopsis: 'Modify the current Connect CA configuration',
  help: `Usage: proconsul connect ca set-config [options]

  Modifies the current Connect Certificate Authority (CA) configuration.`,
  flags: () =>
    new FlagSet([
      { name: 'config-file', kind: 'string', usage: 'The path to the config file to use.' },
      {
        name: 'force-without-cross-signing',
        kind: 'bool',
        usage: "Indicates that the CA reconfiguration should go ahead even if the current CA is unable to cross sign certificates. This risks temporary connection failures during the rollout as new leafs will be rejected by proxies that have not yet observed the new root cert but is the only option if a CA that doesn't support cross signing needs to be reconfigured or mirated away from.",
      },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    const file = f.string('config-file');
    if (file === '') {
      ui.error('The -config-file flag is required');
      return 1;
    }
    let text: string;
    try {
      const buf = await readFile(file);
      if (buf.length > CONFIG_FILE_BYTES_MAX) throw new Error(`read ${file}: file too large (more than ${CONFIG_FILE_BYTES_MAX} bytes)`);
      text = buf.toString('utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      ui.error(`Error reading config file: ${e.code === 'ENOENT' ? `open ${file}: no such file or directory` : errText(err)}`);
      return 1;
    }
    let config: CAConfig;
    try {
      const v = JSON.parse(text) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('json: cannot unmarshal non-object into Go value of type api.CAConfig');
      config = v as CAConfig;
    } catch (err) {
      ui.error(`Error parsing config file: ${errText(err)}`);
      return 1;
    }
    config.ForceWithoutCrossSigning = f.bool('force-without-cross-signing');
    try {
      await client.connect.caSetConfig(config);
    } catch (err) {
      ui.error(`Error setting CA configuration: ${errText(err)}`);
      return 1;
    }
    ui.output('Configuration updated!');
    return 0;
  },
};
