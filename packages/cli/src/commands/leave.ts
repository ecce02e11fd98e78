/** `proconsul leave`: graceful leave and shutdown of the agent. */
import type { Command } from '../command.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

export const leave: Command = {
  synopsis: 'Gracefully leaves the Consul cluster and shuts down',
  help: `Usage: proconsul leave [options]

  Causes the agent to gracefully leave the Consul cluster and shutdown.`,
  flags: () => clientFlags(),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Error found unexpected args: [${f.args.join(' ')}]`);
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.agent.leave();
    } catch (err) {
      ui.error(`Error leaving: ${errText(err)}`);
      return 1;
    }
    ui.output('Graceful leave complete');
    return 0;
  },
};
