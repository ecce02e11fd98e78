// Agents of tests with several datacenters (acl-replication, connect-multi-dc): each with its
// JSON config file beside its data dir, named `<dc>-<last octet>`, and a wait for its leader.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, http, startAgentProcess, type AgentProcess } from './helpers.js';

export interface Datacenters {
  start(ip: string, dc: string, args: string[], config: Record<string, unknown>): Promise<AgentProcess>;
  leaderOf(ip: string): Promise<unknown>;
}

/** Agents under `dir`, recorded in `started` (the test kills them). */
export function datacenters(dir: string, started: AgentProcess[]): Datacenters {
  return {
    async start(ip, dc, args, config) {
      const cfg = join(dir, `${ip}.json`);
      writeFileSync(cfg, JSON.stringify(config));
      const a = await startAgentProcess(
        ['-data-dir', join(dir, ip), '-bind', ip, '-client', ip, '-datacenter', dc, '-node', `${dc}-${ip.split('.')[3]}`, '-dns-port', '-1', '-log-level', 'warn', '-config-file', cfg, ...args],
        `${ip}:8500`,
        { waitForLeader: false },
      );
      started.push(a);
      return a;
    },
    leaderOf: (ip) =>
      eventually(async () => {
        const r = await http(`http://${ip}:8500`, 'GET', '/v1/status/leader');
        return r.status === 200 && r.json() !== '';
      }, `a leader seen from ${ip}`, 300),
  };
}
