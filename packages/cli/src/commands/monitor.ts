/** `proconsul monitor`: streams the agent's log lines (GET /v1/agent/monitor) until interrupted. */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

export const monitor: Command = {
  synopsis: 'Stream logs from a Consul agent',
  help: `Usage: proconsul monitor [options]

  Shows recent log messages of a Consul agent, and attaches to the agent,
  outputting log messages as they occur in real time. The monitor lets you
  listen for log levels that may be filtered out of the Consul agent. For
  example your agent may only be logging at INFO level, but with the monitor
  you can see the DEBUG level logs.`,
  flags: () =>
    new FlagSet([
      { name: 'log-level', kind: 'string', default: 'INFO', usage: 'Log level of the agent.' },
      { name: 'log-json', kind: 'bool', usage: 'Output logs in JSON format.' },
    ]).merge(clientFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      let lines: AsyncGenerator<string>;
      try {
        lines = await client.agent.monitor(f.string('log-level'), { json: f.bool('log-json'), signal: stop.signal });
      } catch (err) {
        if (stop.signal.aborted) return 0;
        ui.error(`Error starting monitor: ${errText(err)}`);
        return 1;
      }
      try {
        for await (const line of lines) ui.info(line);
      } catch {
        // As in Consul, a broken connection ends the stream like the agent ending it.
      }
      if (stop.signal.aborted) return 0;
      ui.info('');
      ui.output('Remote side ended the monitor! This usually means that the\nremote side has exited or crashed.');
      return 1;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};
