/** `proconsul operator raft list-peers|remove-peer|transfer-leader`: the Raft peer set and its leader. */
import type { OperatorHealthReply, RaftConfiguration } from '@proconsul/api';
import { columnize } from '../columnize.js';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';

const US = '\x1f';

/** The list-peers table (Consul's listpeers); without autopilot health the commit columns show `_`. */
export function formatPeers(conf: RaftConfiguration, health?: OperatorHealthReply): string {
  const byId = new Map((health?.Servers ?? []).map((s) => [s.ID, s]));
  let leaderIndex = 0;
  for (const s of conf.Servers ?? []) if (s.Leader) leaderIndex = byId.get(s.ID)?.LastIndex ?? leaderIndex;
  const rows = [['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol', 'Commit Index', 'Trails Leader By'].join(US)];
  for (const s of conf.Servers ?? []) {
    const base = [s.Node, s.ID, s.Address, s.Leader ? 'leader' : 'follower', String(s.Voter), s.ProtocolVersion || '<=1'];
    const h = byId.get(s.ID);
    if (h) {
      const trails = leaderIndex - h.LastIndex;
      const text = s.Leader ? '_' : trails <= 1 ? `${trails} Commit` : `${trails} Commits`;
      rows.push([...base, String(h.LastIndex), text].join(US));
    } else {
      rows.push([...base, '_'].join(US));
    }
  }
  return columnize(rows);
}

export const raftListPeers: Command = {
  synopsis: 'Display the current Raft peer configuration',
  help: `Usage: proconsul operator raft list-peers [options]

  Displays the current Raft peer configuration.`,
  flags: () => clientFlags().merge(serverFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    let conf: RaftConfiguration;
    try {
      conf = await client.operator.raftGetConfiguration({ stale: staleFlag(f) });
    } catch (err) {
      ui.error(`Error getting peers: Failed to retrieve raft configuration: ${errText(err)}`);
      return 1;
    }
    // Autopilot health fills the commit columns; an agent without it still gets the table.
    const health = await client.operator.autopilotServerHealth({ stale: staleFlag(f) }).catch(() => undefined);
    ui.output(formatPeers(conf, health));
    return 0;
  },
};

export const raftRemovePeer: Command = {
  synopsis: 'Remove a Consul server from the Raft configuration',
  help: `Usage: proconsul operator raft remove-peer [options]

  Remove the Consul server with given -id from the Raft configuration.`,
  flags: () =>
    new FlagSet([
      { name: 'address', kind: 'string', usage: 'The address to remove from the Raft configuration.' },
      { name: 'id', kind: 'string', usage: 'The ID to remove from the Raft configuration.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const address = f.string('address');
    const id = f.string('id');
    if ((address === '') === (id === '')) {
      ui.error('Error removing peer: Must specify either -id or -address but not both');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      if (address) await client.operator.raftRemovePeerByAddress(address);
      else await client.operator.raftRemovePeerByID(id);
    } catch (err) {
      ui.error(`Error removing peer: ${errText(err)}`);
      return 1;
    }
    ui.output(address ? `Removed peer with address "${address}"` : `Removed peer with id "${id}"`);
    return 0;
  },
};

export const raftTransferLeader: Command = {
  synopsis: 'Transfer raft leadership to another node',
  help: `Usage: proconsul operator raft transfer-leader [options]

  Transfer raft leadership to another node.`,
  flags: () =>
    new FlagSet([{ name: 'id', kind: 'string', usage: 'The ID of the node to transfer leadership to.' }])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    // Consul's texts, its spelling included.
    let reply;
    try {
      reply = await client.operator.raftLeaderTransfer(f.string('id'));
    } catch (err) {
      ui.error(`Error transfering leadership: Failed to transfer leadership ${errText(err)}`);
      return 1;
    }
    if (!reply.Success) {
      ui.error('Error transfering leadership: Failed to transfer leadership');
      return 1;
    }
    ui.output('Success');
    return 0;
  },
};
