/**
 * `proconsul watch -type=<t> [child...]`: Consul's watch command. Without a child it prints
 * the current data as indented JSON and exits; with one it runs the child on every change
 * with the JSON on stdin and CONSUL_INDEX in the environment, until interrupted.
 */
import { spawn } from 'node:child_process';
import { parseWatchPlan, watch, type WatchPlan } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet, parseGoBool } from '../flags.js';
import type { Ui } from '../io.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';

function runHandler(args: string[], useShell: boolean, input: string, index: string, ui: Ui): Promise<boolean> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...ui.io.env, CONSUL_INDEX: index };
    const child = useShell
      ? spawn(env['SHELL'] || '/bin/sh', ['-c', args.join(' ')], { stdio: ['pipe', 'inherit', 'inherit'], env })
      : spawn(args[0]!, args.slice(1), { stdio: ['pipe', 'inherit', 'inherit'], env });
    child.once('error', (err) => {
      ui.error(`Error starting handler: ${errText(err)}`);
      resolve(false);
    });
    child.once('exit', (code) => {
      if (code !== 0) {
        ui.error(`Error executing handler: exit status ${code ?? 1}`);
        resolve(false);
      } else resolve(true);
    });
    child.stdin!.on('error', () => undefined); // a handler that ignores stdin may close it early
    child.stdin!.end(input);
  });
}

export const watchCommand: Command = {
  synopsis: 'Watch for changes in Consul',
  help: `Usage: proconsul watch [options] [child...]

  Watches for changes in a given data view. If a child process is specified,
  it will be invoked with the latest results on changes. Otherwise, the latest
  values are dumped to stdout and the watch terminates.

    $ proconsul watch -type=key -key=config/app
    $ proconsul watch -type=service -service=web ./reload.sh`,
  flags: () =>
    new FlagSet([
      { name: 'type', kind: 'string', usage: 'Specifies the watch type. One of key, keyprefix, services, nodes, service, checks, or event.' },
      { name: 'key', kind: 'string', usage: "Specifies the key to watch. Only for 'key' type." },
      { name: 'prefix', kind: 'string', usage: "Specifies the key prefix to watch. Only for 'keyprefix' type." },
      { name: 'service', kind: 'string', usage: "Specifies the service to watch. Required for 'service' type, optional for 'checks' type." },
      { name: 'tag', kind: 'string', usage: "Specifies the service tag to filter on. Optional for 'service' type." },
      { name: 'passingonly', kind: 'string', usage: "Specifies if only hosts passing all checks are displayed. Optional for 'service' type, must be one of `[true|false]`. Defaults false." },
      { name: 'shell', kind: 'bool', default: true, usage: 'Use a shell to run the command (can set a custom shell via the SHELL environment variable).' },
      { name: 'state', kind: 'string', usage: "Specifies the states to watch. Optional for 'checks' type." },
      { name: 'name', kind: 'string', usage: "Specifies an event name to watch. Only for 'event' type." },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const type = f.string('type');
    if (type === '') {
      ui.error('Watch type must be specified');
      return 1;
    }
    let passingOnly = false;
    if (f.string('passingonly') !== '') {
      const b = parseGoBool(f.string('passingonly'));
      if (b === undefined) {
        ui.error(`Failed to parse passingonly flag: strconv.ParseBool: parsing ${JSON.stringify(f.string('passingonly'))}: invalid syntax`);
        return 1;
      }
      passingOnly = b;
    }
    // The watch parameters, as Consul's command builds them from its flags.
    const params: Record<string, unknown> = { type };
    for (const name of ['key', 'prefix', 'service', 'tag', 'state', 'name'] as const) if (f.string(name) !== '') params[name] = f.string(name);
    if (staleFlag(f)) params['stale'] = true;
    if (f.string('passingonly') !== '') params['passingonly'] = passingOnly;
    let plan: WatchPlan;
    try {
      plan = parseWatchPlan(params);
    } catch (err) {
      ui.error(errText(err));
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const query = plan.fetcher(client);
    try {
      await client.agent.nodeName();
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      // As Consul's watch plan: errors are logged and retried with a bounded back-off, until interrupted.
      for await (const { data, meta } of watch(query, {
        signal: stop.signal,
        emitUnchanged: true,
        backoffBaseMs: 1000,
        backoffMaxMs: 20_000,
        onError: (err, _n, delayMs) => ui.error(`[ERROR] watch: Watch errored: type=${type} error="${errText(err)}" retry=${delayMs / 1000}s`),
      })) {
        if (f.args.length === 0) {
          ui.output(JSON.stringify(data, null, 4));
          return 0;
        }
        const ok = await runHandler(f.args, f.bool('shell'), JSON.stringify(data) + '\n', meta.lastIndexRaw ?? String(meta.lastIndex), ui);
        if (!ok) return 1;
      }
      return 0; // interrupted
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};
