/** `proconsul rtt`: the round trip between two nodes as their network coordinates estimate it. */
import type { Consul, NetworkCoordinate } from '@proconsul/api';
import { distanceSeconds } from '@proconsul/gossip';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';
import type { Ui } from '../io.js';

type Found = { c1?: NetworkCoordinate; c2?: NetworkCoordinate } | 'error';

/** WAN: nodes named `<node>.<dc>`, compared only within one area. */
async function wanCoordinates(client: Consul, nodes: string[], ui: Ui): Promise<Found> {
  const parts = nodes.map((n) => n.split('.'));
  if (parts.some((p) => p.length !== 2)) {
    ui.error('Node names must be specified as <node name>.<datacenter> with -wan');
    return 'error';
  }
  const [[node1, dc1], [node2, dc2]] = parts as [[string, string], [string, string]];
  let dcs;
  try {
    dcs = await client.coordinate.datacenters();
  } catch (err) {
    ui.error(`Error getting coordinates: ${errText(err)}`);
    return 'error';
  }
  let area1: string | undefined;
  let area2: string | undefined;
  let c1: NetworkCoordinate | undefined;
  let c2: NetworkCoordinate | undefined;
  for (const dc of dcs) {
    for (const e of dc.Coordinates) {
      if (dc.Datacenter === dc1 && e.Node.toLowerCase() === node1.toLowerCase()) { area1 = dc.AreaID; c1 = e.Coord; }
      if (dc.Datacenter === dc2 && e.Node.toLowerCase() === node2.toLowerCase()) { area2 = dc.AreaID; c2 = e.Coord; }
      if (area1 === area2 && c1 && c2) return { c1, c2 };
    }
  }
  return {}; // never across areas
}

/** LAN: the nodes' coordinates in the default segment. */
async function lanCoordinates(client: Consul, nodes: string[], ui: Ui): Promise<Found> {
  let entries;
  try {
    entries = (await client.coordinate.nodes()).data;
  } catch (err) {
    ui.error(`Error getting coordinates: ${errText(err)}`);
    return 'error';
  }
  const find = (name: string) => entries.find((e) => e.Segment === '' && e.Node.toLowerCase() === name.toLowerCase())?.Coord;
  return { c1: find(nodes[0]!), c2: find(nodes[1]!) };
}

export const rtt: Command = {
  synopsis: 'Estimates network round trip time between nodes',
  help: `Usage: proconsul rtt [options] node1 [node2]

  Estimates the round trip time between two nodes using Consul's network
  coordinate model of the cluster.

  At least one node name is required. If the second node name isn't given, it
  is set to the agent's node name. Note that these are node names as known to
  Consul as "consul members" would show, not IP addresses.

  By default, the two nodes are assumed to be nodes in the local datacenter
  and the LAN coordinates are used. If the -wan option is given, then the WAN
  coordinates are used, and the node names must be suffixed by a period and
  the datacenter (eg. "myserver.dc1").

  It is not possible to measure between LAN coordinates and WAN coordinates
  because they are maintained by independent Serf gossip areas, so they are
  not compatible.`,
  flags: () => new FlagSet([{ name: 'wan', kind: 'bool', usage: 'Use WAN coordinates instead of LAN coordinates.' }]).merge(clientFlags()),
  async run(f, ui) {
    const nodes = [...f.args];
    if (nodes.length < 1 || nodes.length > 2) {
      ui.error('One or two node names must be specified');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const wan = f.bool('wan');
    if (nodes.length < 2) {
      // The second node defaults to this agent.
      try {
        const self = await client.agent.self();
        nodes.push(wan ? `${self.Config.NodeName}.${self.Config.Datacenter}` : self.Config.NodeName);
      } catch (err) {
        ui.error(`Unable to look up agent info: ${errText(err)}`);
        return 1;
      }
    }
    const found = await (wan ? wanCoordinates(client, nodes, ui) : lanCoordinates(client, nodes, ui));
    if (found === 'error') return 1;
    if (!found.c1) {
      ui.error(`Could not find a coordinate for node "${nodes[0]}"`);
      return 1;
    }
    if (!found.c2) {
      ui.error(`Could not find a coordinate for node "${nodes[1]}"`);
      return 1;
    }
    const ms = distanceSeconds(found.c1, found.c2) * 1000;
    ui.output(`Estimated ${nodes[0]} <-> ${nodes[1]} rtt: ${ms.toFixed(3)} ms (using ${wan ? 'WAN' : 'LAN'} coordinates)`);
    return 0;
  },
};
