// The member tags every Consul agent gossips (agent/consul/server_serf.go and client_serf.go);
// other agents read them (agent/metadata) to find servers, their RPC port and Raft version.
import type { AgentConfig } from '../config/index.js';
import type { AgentMember } from './lan.js';
import { CONSUL_VERSION, PROCONSUL_VERSION } from '../version.js';

/** Consul's ProtocolVersionMin/Max and the default protocol (the `vsn*` tags). */
const VSN = '2';
const VSN_MIN = '2';
const VSN_MAX = '3';

export function isServer(config: AgentConfig): boolean {
  return config.server || config.dev;
}

export function memberTags(config: AgentConfig, nodeId: string): Record<string, string> {
  const common = {
    dc: config.datacenter,
    segment: '',
    id: nodeId,
    vsn: VSN,
    vsn_min: VSN_MIN,
    vsn_max: VSN_MAX,
    build: `${CONSUL_VERSION}:proconsul-${PROCONSUL_VERSION}`,
    acls: '0', // structs.ACLModeDisabled
  };
  if (!isServer(config)) return { role: 'node', ...common };
  return {
    role: 'consul',
    ...common,
    raft_vsn: '3',
    port: String(config.ports.server),
    wan_join_port: String(config.ports.serfWan),
    ft_fs: '1',
    ft_si: '1',
    ...(config.bootstrap || config.dev ? { bootstrap: '1' } : {}),
    ...(config.bootstrapExpect > 0 ? { expect: String(config.bootstrapExpect) } : {}),
  };
}

/** The Consul version of a member: its build tag up to the `:` (`1.17.0:proconsul-0.1.0`). */
export function buildVersion(m: AgentMember): string {
  const build = m.Tags['build'] ?? '';
  return build.includes(':') ? build.slice(0, build.indexOf(':')) : build;
}

/** A server as its tags describe it (agent/metadata.Server). */
export interface ServerParts {
  name: string;
  id: string;
  datacenter: string;
  segment: string;
  addr: string;
  /** Server RPC (and Raft) port. */
  port: number;
  bootstrap: boolean;
  /** bootstrap_expect, 0 when not set. */
  expect: number;
  raftVersion: number;
  /** The Consul version before the `:` of the build tag. */
  version: string;
  status: number;
}

/** metadata.IsConsulServer: the member is a server with a valid RPC port (undefined otherwise). */
export function consulServer(m: AgentMember): ServerParts | undefined {
  const t = m.Tags;
  if (t['role'] !== 'consul') return undefined;
  const port = Number(t['port']);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  const expect = t['expect'] === undefined ? 0 : Number(t['expect']);
  const raftVersion = t['raft_vsn'] === undefined ? 1 : Number(t['raft_vsn']);
  if (!Number.isInteger(expect) || expect < 0 || !Number.isInteger(raftVersion)) return undefined;
  return {
    name: m.Name,
    id: t['id'] ?? '',
    datacenter: t['dc'] ?? '',
    segment: t['segment'] ?? '',
    addr: m.Addr,
    port,
    bootstrap: t['bootstrap'] === '1',
    expect,
    raftVersion,
    version: buildVersion(m),
    status: m.Status,
  };
}
