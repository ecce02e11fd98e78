// The servers of this datacenter as LAN gossip shows them: members tagged role=consul, with the
// Raft server ID (`id`), RPC port (`port`), and the bootstrap tags (`expect`, `bootstrap`).
import type { AgentMember, LanMembership } from '../gossip/index.js';
import { MemberStatus } from '../gossip/index.js';

export interface ServerInfo {
  id: string;
  name: string;
  addr: string;
  port: number;
  datacenter: string;
  /** -bootstrap-expect of that server (0 when not set). */
  expect: number;
  bootstrap: boolean;
  status: number;
}

export function serverOf(m: AgentMember): ServerInfo | null {
  const t = m.Tags;
  if (t.role !== 'consul' || !t.id) return null;
  const port = Number(t.port);
  if (!Number.isInteger(port) || port <= 0) return null;
  return {
    id: t.id,
    name: m.Name,
    addr: m.Addr,
    port,
    datacenter: t.dc ?? '',
    expect: Number(t.expect ?? 0) || 0,
    bootstrap: t.bootstrap === '1',
    status: m.Status,
  };
}

/** Servers of `datacenter` known to gossip (any status). */
export function serversIn(lan: LanMembership, datacenter: string): ServerInfo[] {
  return lan
    .members()
    .map(serverOf)
    .filter((s): s is ServerInfo => s !== null && s.datacenter === datacenter);
}

export const isAlive = (s: ServerInfo): boolean => s.status === MemberStatus.alive;
