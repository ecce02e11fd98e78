/** `proconsul force-leave`: moves a failed member to the "left" state. */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags } from '../http-flags.js';

export const forceLeave: Command = {
  synopsis: 'Forces a member of the cluster to enter the "left" state',
  help: `Usage: proconsul force-leave [options] name

  Forces a member of a Consul cluster to enter the "left" state. Note
  that if the member is still actually alive, it will eventually rejoin
  the cluster. This command is most useful for cleaning out "failed" nodes
  that are never coming back.`,
  flags: () =>
    new FlagSet([
      { name: 'prune', kind: 'bool', usage: 'Remove agent completely from list of members' },
      { name: 'wan', kind: 'bool', usage: 'Exclusively leave the agent from the WAN serf pool.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    if (f.args.length !== 1) {
      ui.error('A single node name must be specified to force leave.');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.agent.forceLeave(f.args[0]!, { prune: f.bool('prune'), wan: f.bool('wan') });
    } catch (err) {
      ui.error(`Error force leaving: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};
