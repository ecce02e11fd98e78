/** `proconsul catalog datacenters|nodes|services`, with Consul's output. */
import type { Node } from '@proconsul/api';
import { columnize, tabwrite } from '../columnize.js';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';

const US = '\x1f';

function mapToKV(m: Record<string, string> | null | undefined, joiner: string): string {
  const obj = m ?? {};
  return Object.keys(obj)
    .sort()
    .map((k) => `${k}=${obj[k]}`)
    .join(joiner);
}

export function formatNodes(nodes: Node[], detailed: boolean): string {
  const rows = [detailed ? ['Node', 'ID', 'Address', 'DC', 'TaggedAddresses', 'Meta'].join(US) : ['Node', 'ID', 'Address', 'DC'].join(US)];
  for (const n of nodes) {
    if (detailed) {
      rows.push([n.Node, n.ID, n.Address, n.Datacenter, mapToKV(n.TaggedAddresses, ', '), mapToKV(n.Meta, ', ')].join(US));
    } else {
      // The short ID is the first group of the UUID.
      const idx = n.ID.indexOf('-');
      rows.push([n.Node, idx > 0 ? n.ID.slice(0, idx) : n.ID, n.Address, n.Datacenter].join(US));
    }
  }
  return columnize(rows);
}

export function formatServices(services: Record<string, string[]>, withTags: boolean): string {
  const names = Object.keys(services).sort();
  if (!withTags) return names.join('\n');
  const lines = names.map((s) => `${s}\t${[...(services[s] ?? [])].sort().join(',')}`);
  return tabwrite(lines.join('\n') + '\n').trim();
}

export const catalogDatacenters: Command = {
  synopsis: 'Lists all known datacenters',
  help: `Usage: proconsul catalog datacenters [options]

  Retrieves the list of all known datacenters.`,
  flags: () => clientFlags().merge(serverFlags()),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Too many arguments (expected 0, got ${f.args.length})`);
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      for (const dc of await client.catalog.datacenters()) ui.info(dc);
    } catch (err) {
      ui.error(`Error listing datacenters: ${errText(err)}`);
      return 1;
    }
    return 0;
  },
};

export const catalogNodes: Command = {
  synopsis: 'Lists all nodes in the given datacenter',
  help: `Usage: proconsul catalog nodes [options]

  Retrieves the list nodes registered in a given datacenter.

      $ proconsul catalog nodes
      $ proconsul catalog nodes -detailed
      $ proconsul catalog nodes -service=web
      $ proconsul catalog nodes -node-meta="foo=bar"`,
  flags: () =>
    new FlagSet([
      { name: 'filter', kind: 'string', usage: 'Filter to use with the request' },
      { name: 'detailed', kind: 'bool', usage: 'Output detailed information about the nodes including their addresses and metadata.' },
      { name: 'near', kind: 'string', usage: 'Node name to sort the node list in ascending order based on estimated round-trip time from that node. Passing "_agent" will use this agent\'s node for sorting.' },
      { name: 'node-meta', kind: 'map', usage: 'Metadata to filter nodes with the given `key=value` pairs. This flag may be specified multiple times.' },
      { name: 'service', kind: 'string', usage: 'Service `id or name` to filter nodes. Only nodes which are providing the given service will be returned.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Too many arguments (expected 0, got ${f.args.length})`);
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const q = {
      near: f.string('near') || undefined,
      nodeMeta: Object.keys(f.map('node-meta')).length ? f.map('node-meta') : undefined,
      filter: f.string('filter') || undefined,
      stale: staleFlag(f),
    };
    let nodes: Node[];
    const service = f.string('service');
    if (service) {
      try {
        const { data } = await client.catalog.service(service, q);
        nodes = data.map((s) => ({
          ID: s.ID,
          Node: s.Node,
          Address: s.Address,
          Datacenter: s.Datacenter,
          TaggedAddresses: s.TaggedAddresses,
          Meta: s.NodeMeta,
          CreateIndex: s.CreateIndex,
          ModifyIndex: s.ModifyIndex,
        }));
      } catch (err) {
        ui.error(`Error listing nodes for service: ${errText(err)}`);
        return 1;
      }
    } else {
      try {
        nodes = (await client.catalog.nodes(q)).data;
      } catch (err) {
        ui.error(`Error listing nodes: ${errText(err)}`);
        return 1;
      }
    }
    if (nodes.length === 0) {
      ui.error('No nodes match the given query - try expanding your search.');
      return 0;
    }
    ui.info(formatNodes(nodes, f.bool('detailed')));
    return 0;
  },
};

export const catalogServices: Command = {
  synopsis: 'Lists all registered services in a datacenter',
  help: `Usage: proconsul catalog services [options]

  Retrieves the list services registered in a given datacenter.

      $ proconsul catalog services
      $ proconsul catalog services -tags
      $ proconsul catalog services -node=web
      $ proconsul catalog services -node-meta="foo=bar"`,
  flags: () =>
    new FlagSet([
      { name: 'node', kind: 'string', usage: 'Node `id or name` for which to list services.' },
      { name: 'node-meta', kind: 'map', usage: 'Metadata to filter nodes with the given `key=value` pairs. This flag may be specified multiple times.' },
      { name: 'tags', kind: 'bool', usage: "Display each service's tags as a comma-separated list beside each service entry." },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Too many arguments (expected 0, got ${f.args.length})`);
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const nodeMeta = Object.keys(f.map('node-meta')).length ? f.map('node-meta') : undefined;
    let services: Record<string, string[]> = {};
    const node = f.string('node');
    if (node) {
      try {
        const { data } = await client.catalog.node(node, { nodeMeta, stale: staleFlag(f) });
        for (const s of Object.values(data?.Services ?? {})) {
          services[s.Service] = [...(services[s.Service] ?? []), ...(s.Tags ?? [])];
        }
      } catch (err) {
        ui.error(`Error listing services for node: ${errText(err)}`);
        return 1;
      }
    } else {
      try {
        services = (await client.catalog.services({ nodeMeta, stale: staleFlag(f) })).data;
      } catch (err) {
        ui.error(`Error listing services: ${errText(err)}`);
        return 1;
      }
    }
    if (Object.keys(services).length === 0) {
      ui.error('No services match the given query - try expanding your search.');
      return 0;
    }
    ui.output(formatServices(services, f.bool('tags')));
    return 0;
  },
};
