/** `proconsul event`: fires a user event with optional node/service/tag filters. */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

function compiles(re: string): string | undefined {
  try {
    new RegExp(re);
    return undefined;
  } catch (err) {
    return errText(err);
  }
}

/** Consul's checks of an event's filters (also `exec`'s): each compiles, and -tag needs -service. */
export function filtersError(node: string, service: string, tag: string): string | undefined {
  for (const [what, re] of [['node', node], ['service', service], ['tag', tag]] as const) {
    const bad = re ? compiles(re) : undefined;
    if (bad) return `Failed to compile ${what} filter regexp: ${bad}`;
  }
  if (tag !== '' && service === '') return 'Cannot provide tag filter without service filter.';
  return undefined;
}

export const event: Command = {
  synopsis: 'Fire a new event',
  help: `Usage: proconsul event [options] [payload]

  Dispatches a custom user event across a datacenter. An event must provide
  a name, but a payload is optional. Events support filtering using
  regular expressions on node name, service, and tag definitions.`,
  flags: () =>
    new FlagSet([
      { name: 'name', kind: 'string', usage: 'Name of the event.' },
      { name: 'node', kind: 'string', usage: 'Regular expression to filter on node names.' },
      { name: 'service', kind: 'string', usage: 'Regular expression to filter on service instances.' },
      { name: 'tag', kind: 'string', usage: 'Regular expression to filter on service tags. Must be used with -service.' },
    ]).merge(clientFlags()),
  async run(f, ui) {
    const name = f.string('name');
    const node = f.string('node');
    const service = f.string('service');
    const tag = f.string('tag');
    if (name === '') {
      ui.error('Event name must be specified');
      return 1;
    }
    const invalid = filtersError(node, service, tag);
    if (invalid) {
      ui.error(invalid);
      return 1;
    }
    if (f.args.length > 1) {
      ui.error('Too many command line arguments.');
      return 1;
    }
    const payload = f.args[0];
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.agent.nodeName();
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    }
    try {
      const ev = await client.event.fire(name, payload, { node: node || undefined, service: service || undefined, tag: tag || undefined });
      ui.output(`Event ID: ${ev.ID}`);
    } catch (err) {
      ui.error(`Error firing event: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};
