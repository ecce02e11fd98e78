/** `proconsul operator autopilot get-config|set-config|state`: autopilot's settings and its view of the servers. */
import { parseDuration, type AutopilotConfiguration, type AutopilotServer, type AutopilotState } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet, type ParsedFlags } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';

export const autopilotGetConfig: Command = {
  synopsis: 'Display the current Autopilot configuration',
  help: `Usage: proconsul operator autopilot get-config [options]

  Displays the current Autopilot configuration.`,
  flags: () => clientFlags().merge(serverFlags()),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    let c: AutopilotConfiguration;
    try {
      c = await client.operator.autopilotGetConfiguration({ stale: staleFlag(f) });
    } catch (err) {
      ui.error(`Error querying Autopilot configuration: ${errText(err)}`);
      return 1;
    }
    // The durations come as Go's Duration.String() already; strings are quoted as Go's %q.
    ui.output(
      [
        `CleanupDeadServers = ${c.CleanupDeadServers}`,
        `LastContactThreshold = ${c.LastContactThreshold}`,
        `MaxTrailingLogs = ${c.MaxTrailingLogs}`,
        `MinQuorum = ${c.MinQuorum}`,
        `ServerStabilizationTime = ${c.ServerStabilizationTime}`,
        `RedundancyZoneTag = ${JSON.stringify(c.RedundancyZoneTag)}`,
        `DisableUpgradeMigration = ${c.DisableUpgradeMigration}`,
        `UpgradeVersionTag = ${JSON.stringify(c.UpgradeVersionTag)}`,
      ].join('\n'),
    );
    return 0;
  },
};

/** Go's flag error for a duration flag given a value that is no Go duration. */
function badDuration(f: ParsedFlags, name: string): string | undefined {
  if (!f.set.has(name)) return undefined;
  try {
    parseDuration(f.string(name));
    return undefined;
  } catch (err) {
    return `invalid value "${f.string(name)}" for flag -${name}: time: ${errText(err)}`;
  }
}

export const autopilotSetConfig: Command = {
  synopsis: 'Modify the current Autopilot configuration',
  help: `Usage: proconsul operator autopilot set-config [options]

  Modifies the current Autopilot configuration.`,
  flags: () =>
    new FlagSet([
      { name: 'cleanup-dead-servers', kind: 'bool', usage: 'Controls whether Consul will automatically remove dead servers when new ones are successfully added. Must be one of `true|false`.' },
      { name: 'max-trailing-logs', kind: 'uint', usage: 'Controls the maximum number of log entries that a server can trail the leader by before being considered unhealthy.' },
      { name: 'min-quorum', kind: 'uint', usage: 'Sets the minimum number of servers required in a cluster before autopilot is allowed to prune dead servers.' },
      { name: 'last-contact-threshold', kind: 'string', usage: 'Controls the maximum amount of time a server can go without contact from the leader before being considered unhealthy. Must be a duration value such as `200ms`.' },
      { name: 'server-stabilization-time', kind: 'string', usage: "Controls the minimum amount of time a server must be stable in the 'healthy' state before being added to the cluster. Only takes effect if all servers are running Raft protocol version 3 or higher. Must be a duration value such as `10s`." },
      { name: 'redundancy-zone-tag', kind: 'string', usage: '(Enterprise-only) Controls the node_meta tag name used for separating servers into different redundancy zones.' },
      { name: 'disable-upgrade-migration', kind: 'bool', usage: '(Enterprise-only) Controls whether Consul will avoid promoting new servers until it can perform a migration. Must be one of `true|false`.' },
      { name: 'upgrade-version-tag', kind: 'string', usage: '(Enterprise-only) The node_meta tag to use for version info when performing upgrade migrations. If left blank, the Consul version will be used.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    // Checked before any request, as Go's flag parsing would.
    const bad = badDuration(f, 'last-contact-threshold') ?? badDuration(f, 'server-stabilization-time');
    if (bad) {
      ui.error(bad);
      return 1;
    }
    const given = (name: string) => f.set.has(name);
    const client = apiClient(f, ui);
    if (!client) return 1;
    let conf: AutopilotConfiguration;
    try {
      conf = await client.operator.autopilotGetConfiguration();
    } catch (err) {
      ui.error(`Error querying Autopilot configuration: ${errText(err)}`);
      return 1;
    }
    // Only the flags given change the configuration read.
    if (given('cleanup-dead-servers')) conf.CleanupDeadServers = f.bool('cleanup-dead-servers');
    if (given('max-trailing-logs')) conf.MaxTrailingLogs = Number(f.uint('max-trailing-logs'));
    if (given('min-quorum')) conf.MinQuorum = Number(f.uint('min-quorum'));
    if (given('last-contact-threshold')) conf.LastContactThreshold = f.string('last-contact-threshold');
    if (given('server-stabilization-time')) conf.ServerStabilizationTime = f.string('server-stabilization-time');
    if (given('redundancy-zone-tag')) conf.RedundancyZoneTag = f.string('redundancy-zone-tag');
    if (given('disable-upgrade-migration')) conf.DisableUpgradeMigration = f.bool('disable-upgrade-migration');
    if (given('upgrade-version-tag')) conf.UpgradeVersionTag = f.string('upgrade-version-tag');
    let applied: boolean;
    try {
      applied = await client.operator.autopilotCASConfiguration(conf);
    } catch (err) {
      ui.error(`Error setting Autopilot configuration: ${errText(err)}`);
      return 1;
    }
    if (applied) {
      ui.output('Configuration updated!');
      return 0;
    }
    ui.output('Configuration could not be atomically updated, please try again');
    return 1;
  },
};

/** Go's json.MarshalIndent order for a map: its keys sorted. */
const sortedByKey = <T>(m: Record<string, T>): [string, T][] => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Consul's pretty formatter (command/operator/autopilot/state/formatter.go), CE fields. */
function formatAutopilotState(st: AutopilotState): string {
  const out = [
    `Healthy:                      ${st.Healthy}`,
    `Failure Tolerance:            ${st.FailureTolerance}`,
    `Optimistic Failure Tolerance: ${st.OptimisticFailureTolerance}`,
    `Leader:                       ${st.Leader}`,
    'Voters:',
    ...st.Voters.map((id) => `   ${id}`),
  ];
  if (st.ReadReplicas?.length) out.push('Read Replicas:', ...st.ReadReplicas.map((id) => `   ${id}`));
  out.push('Servers:');
  for (const [, srv] of sortedByKey<AutopilotServer>(st.Servers ?? {})) {
    out.push(
      `   ${srv.ID}`,
      `      Name:            ${srv.Name}`,
      `      Address:         ${srv.Address}`,
      `      Version:         ${srv.Version}`,
      `      Status:          ${srv.Status}`,
      `      Node Type:       ${srv.NodeType}`,
      `      Node Status:     ${srv.NodeStatus}`,
      `      Healthy:         ${srv.Healthy}`,
      `      Last Contact:    ${srv.LastContact || '0s'}`,
      `      Last Term:       ${srv.LastTerm}`,
      `      Last Index:      ${srv.LastIndex}`,
    );
    if (srv.RedundancyZone) out.push(`      Redundancy Zone: ${srv.RedundancyZone}`);
    if (srv.UpgradeVersion) out.push(`      Upgrade Version: ${srv.UpgradeVersion}`);
    if (srv.ReadReplica) out.push(`      Read Replica:    ${srv.ReadReplica}`);
    const meta = sortedByKey(srv.Meta ?? {});
    if (meta.length > 0) out.push('      Meta', ...meta.map(([k, v]) => `         ${JSON.stringify(k)}: ${JSON.stringify(v)}`));
  }
  return out.join('\n');
}

export const autopilotState: Command = {
  synopsis: 'Display the current Autopilot state',
  help: `Usage: proconsul operator autopilot state [options]

  Displays the current Autopilot state: the cluster's health, its failure
  tolerance, the leader and voters, and each server as Autopilot sees it.`,
  flags: () => clientFlags().merge(serverFlags()).merge(new FlagSet([{ name: 'format', kind: 'string', default: 'pretty', usage: 'Output format {pretty|json}' }])),
  async run(f, ui) {
    const client = apiClient(f, ui);
    if (!client) return 1;
    let st: AutopilotState;
    try {
      st = await client.operator.autopilotState({ stale: staleFlag(f) });
    } catch (err) {
      ui.error(`Error querying Autopilot state: ${errText(err)}`);
      return 1;
    }
    const format = f.string('format');
    if (format === 'json') {
      // Go's json.MarshalIndent with four spaces: maps by sorted key.
      const servers = Object.fromEntries(sortedByKey(st.Servers ?? {}).map(([id, srv]) => [id, { ...srv, Meta: Object.fromEntries(sortedByKey(srv.Meta ?? {})) }]));
      ui.info(JSON.stringify({ ...st, Servers: servers }, null, 4));
    } else if (format === 'pretty') {
      ui.info(formatAutopilotState(st));
    } else {
      ui.error(`Unknown format: ${format}`);
      return 1;
    }
    return 0;
  },
};
