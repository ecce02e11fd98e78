/** `proconsul validate`: loads config files as `proconsul agent` would, without starting it. */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';

export const validate: Command = {
  synopsis: 'Validate config files/directories',
  help: `Usage: proconsul validate [options] FILE_OR_DIRECTORY...

  Performs a thorough sanity test on Consul configuration files. For each file
  or directory given, the validate command will attempt to parse the contents
  just as the "proconsul agent" command would, and catch any errors.

  This is useful to do a test of the configuration only, without actually
  starting the agent. This performs all of the validation the agent would, so
  this should be given the complete set of configuration files that are going
  to be loaded by the agent. This command cannot operate on partial
  configuration fragments since those won't pass the full agent validation.

  Returns 0 if the configuration is valid, or 1 if there are problems.`,
  flags: () =>
    new FlagSet([
      { name: 'config-format', kind: 'string', usage: "Config files are in this format irrespective of their extension. Must be 'hcl' or 'json'" },
      { name: 'quiet', kind: 'bool', usage: 'When given, a successful run will produce no output.' },
    ]),
  async run(f, ui) {
    if (f.args.length < 1) {
      ui.error('Must specify at least one config file or directory');
      return 1;
    }
    const format = f.string('config-format');
    if (format !== '' && format !== 'json' && format !== 'hcl') {
      ui.error("-config-format must be either 'hcl' or 'json"); // Consul's text, its missing quote too
      return 1;
    }
    // Loaded lazily, as `proconsul agent` loads it: other commands do without the agent package.
    const { loadConfig } = await import('@proconsul/agent');
    try {
      await loadConfig([...f.args.flatMap((p) => ['-config-file', p]), ...(format ? ['-config-format', format] : [])]);
    } catch (err) {
      ui.error(`Config validation failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    if (!f.bool('quiet')) ui.output('Configuration is valid!');
    return 0;
  },
};
