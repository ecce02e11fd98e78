/** `proconsul members`: the gossip pool as seen by the agent, in Consul's table. */
import { memberStatusString, type AgentMember } from '@proconsul/api';
import { columnize } from '../columnize.js';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

const US = '\x1f';

/** Go's net.TCPAddr.String(): IPv6 in brackets. */
function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function partition(m: AgentMember): string {
  return m.Tags['ap'] || 'default';
}

function segment(m: AgentMember): string {
  // CE: servers of the default partition show <all>, others <default> (Consul's members.go).
  if (m.Tags['role'] === 'consul') return '<all>';
  return m.Tags['segment'] || '<default>';
}

/** Servers first, then by segment, partition and name (Consul's ByMemberNamePartitionAndSegment). */
export function sortMembers(members: AgentMember[]): AgentMember[] {
  return [...members].sort((a, b) => {
    const as = a.Tags['role'] === 'consul';
    const bs = b.Tags['role'] === 'consul';
    if (as !== bs) return as ? -1 : 1;
    const sa = segment(a), sb = segment(b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    const pa = partition(a), pb = partition(b);
    if (pa !== pb) return pa < pb ? -1 : 1;
    return a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0;
  });
}

export function standardOutput(members: AgentMember[]): string {
  const rows = [['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'].join(US)];
  for (const m of members) {
    const addr = hostPort(m.Addr, m.Port);
    const status = memberStatusString(m.Status);
    let build = m.Tags['build'] ?? '';
    if (build === '') build = '< 0.3';
    else if (build.includes(':')) build = build.slice(0, build.indexOf(':'));
    const protocol = m.Tags['vsn'] ?? '';
    const role = m.Tags['role'];
    if (role === 'node' || role === 'consul') {
      const type = role === 'node' ? 'client' : 'server';
      rows.push([m.Name, addr, status, type, build, protocol, m.Tags['dc'] ?? '', partition(m), segment(m)].join(US));
    } else {
      rows.push([m.Name, addr, status, 'unknown', '', '', '', '', ''].join(US));
    }
  }
  return columnize(rows);
}

export function detailedOutput(members: AgentMember[]): string {
  const rows = [['Node', 'Address', 'Status', 'Tags'].join(US)];
  for (const m of members) {
    const tags = Object.keys(m.Tags)
      .sort()
      .map((k) => `${k}=${m.Tags[k]}`)
      .join(',');
    rows.push([m.Name, hostPort(m.Addr, m.Port), memberStatusString(m.Status), tags].join(US));
  }
  return columnize(rows);
}

export const members: Command = {
  synopsis: 'Lists the members of a Consul cluster',
  help: `Usage: proconsul members [options]

  Outputs the members of a running Consul agent.`,
  flags: () =>
    new FlagSet([
      { name: 'detailed', kind: 'bool', usage: 'Provides detailed information about nodes.' },
      { name: 'wan', kind: 'bool', usage: 'If the agent is in server mode, this can be used to return the other peers in the WAN pool.' },
      { name: 'status', kind: 'string', default: '.*', usage: 'If provided, output is filtered to only nodes matching the regular expression for status.' },
      { name: 'segment', kind: 'string', usage: '(Enterprise-only) If provided, output is filtered to only nodes in the given segment.' },
      { name: 'filter', kind: 'string', usage: 'Filter to use with the request' },
    ]).merge(clientFlags()),
  async run(f, ui) {
    let statusRe: RegExp;
    try {
      statusRe = new RegExp(f.string('status'));
    } catch (err) {
      ui.error(`Failed to compile status regexp: ${errText(err)}`);
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let list: AgentMember[];
    try {
      list = await client.agent.members({ wan: f.bool('wan'), segment: f.string('segment') || undefined, filter: f.string('filter') || undefined });
    } catch (err) {
      ui.error(`Error retrieving members: ${errText(err)}`);
      return 1;
    }
    for (const m of list) m.Tags ??= {};
    const matching = sortMembers(list.filter((m) => statusRe.test(memberStatusString(m.Status))));
    if (matching.length === 0) return 2; // as Consul: no matching members
    ui.output(f.bool('detailed') ? detailedOutput(matching) : standardOutput(matching));
    return 0;
  },
};
