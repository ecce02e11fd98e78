// The member tags every Consul agent gossips (agent/consul/server_serf.go and client_serf.go);
// other agents read them (agent/metadata) to find servers, their RPC port and Raft version.
import { formatGoDuration, parseGoDurationMs } from '@proconsul/catalog';
import type { AgentConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import { CONSUL_VERSION, REVISION } from '../version.js';

/** Consul's ProtocolVersionMin/Max and the default protocol (the `vsn*` tags). */
const VSN = '2';
const VSN_MIN = '2';
const VSN_MAX = '3';

export const RECONNECT_TIMEOUT_TAG = 'rc_tm';

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
    build: `${CONSUL_VERSION}:${REVISION}`,
    acls: '0', // structs.ACLModeDisabled
  };
  if (!isServer(config)) {
    // advertise_reconnect_timeout (libserf.ReconnectTimeoutTag), read by every member's reaper.
    const tags: Record<string, string> = { role: 'node', ...common };
    if (config.advertiseReconnectTimeoutMs > 0) tags[RECONNECT_TIMEOUT_TAG] = formatGoDuration(config.advertiseReconnectTimeoutMs);
    return tags;
  }
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

/**
 * A server's tags in the WAN pool: its LAN server tags without `wan_join_port` (Consul's
 * setupSerf sets that one on the LAN pool only); the member is named `<node>.<dc>`.
 */
export function wanMemberTags(config: AgentConfig, nodeId: string): Record<string, string> {
  const { wan_join_port: _lanOnly, ...tags } = memberTags(config, nodeId);
  return tags;
}

/**
 * The reaper's per-member timeout (Consul's libserf.ReconnectOverride): a member's `rc_tm` tag,
 * when it parses and is not zero, replaces the pool's reconnect timeout. A malformed one is
 * warned about once per member and value (the reaper asks every second).
 */
export function reconnectTimeoutOverride(log: Logger): (name: string, tags: Readonly<Record<string, string>>) => number | undefined {
  const warned = new Set<string>();
  return (name, tags) => {
    const val = tags[RECONNECT_TIMEOUT_TAG];
    if (val === undefined) return undefined;
    const timeoutMs = parseGoDurationMs(val);
    if (timeoutMs === undefined) {
      if (warned.size >= 1024) warned.clear();
      if (!warned.has(`${name}\n${val}`)) log.warn({ member: name, rc_tm: val }, 'Member is advertising a malformed reconnect timeout');
      warned.add(`${name}\n${val}`);
      return undefined;
    }
    return timeoutMs === 0 ? undefined : timeoutMs;
  };
}
