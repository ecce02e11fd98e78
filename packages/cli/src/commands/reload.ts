/** `proconsul reload`: asks the agent to reload its configuration. */
import type { Command } from '../command.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

export const reload: Command = {
  synopsis: 'Triggers the agent to reload configuration files',
  help: `Usage: proconsul reload

  Causes the agent to reload configurations. This can be used instead
  of sending the SIGHUP signal to the agent.`,
  flags: () => clientFlags(),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.agent.reload();
    } catch (err) {
      ui.error(`Error reloading: ${errText(err)}`);
      return 1;
    }
    ui.output('Configuration reload triggered');
    return 0;
  },
};
