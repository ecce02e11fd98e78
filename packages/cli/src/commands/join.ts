/** `proconsul join`: asks the agent to join a cluster through the given addresses. */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

export const join: Command = {
  synopsis: 'Tell Consul agent to join cluster',
  help: `Usage: proconsul join [options] address ...

  Tells a running agent (with "proconsul agent") to join the cluster
  by specifying at least one existing member.`,
  flags: () => new FlagSet([{ name: 'wan', kind: 'bool', usage: 'Joins a server to another server in the WAN pool.' }]).merge(clientFlags()),
  async run(f, ui) {
    if (f.args.length === 0) {
      ui.error('At least one address to join must be specified.');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let joins = 0;
    for (const addr of f.args) {
      try {
        await client.agent.join(addr, f.bool('wan'));
        joins++;
      } catch (err) {
        ui.error(`Error joining address '${addr}': ${errText(err)}`);
      }
    }
    if (joins === 0) {
      ui.error('Failed to join any nodes.');
      return 1;
    }
    ui.output(`Successfully joined cluster by contacting ${joins} nodes.`);
    return 0;
  },
};
