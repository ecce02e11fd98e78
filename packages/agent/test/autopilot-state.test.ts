// Autopilot's view of three real servers (127.0.66.21-23): GET /v1/operator/autopilot/state
// and `proconsul operator autopilot state` name the leader, the voters and each server as
// Consul CE does, by the autopilot settings of the servers' config files; a follower that stops
// answering (SIGSTOP) is unhealthy once the leader has not heard from it for
// LastContactThreshold, before gossip calls it failed, and healthy again once it answers.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGoDurationMs } from '@proconsul/catalog';
import { eventually, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI_JS = resolve(RUN_JS, '../../../cli/dist/bin.js');
const IPS = ['127.0.66.21', '127.0.66.22', '127.0.66.23'];
const dirs = IPS.map(() => tempDir('proconsul-autopilot-'));
const agents: AgentProcess[] = [];

interface StateServer {
  ID: string;
  Name: string;
  Address: string;
  NodeStatus: string;
  LastContact: string;
  Healthy: boolean;
  Status: string;
  NodeType: string;
  Meta: Record<string, string>;
}
interface State {
  Healthy: boolean;
  FailureTolerance: number;
  OptimisticFailureTolerance: number;
  Servers: Record<string, StateServer>;
  Leader: string;
  Voters: string[];
}

afterAll(async () => {
  for (const a of agents) {
    a.proc.kill('SIGCONT');
    await a.kill9();
  }
  for (const d of dirs) d.remove();
});

describe('autopilot state', () => {
  it("names the leader, the voters and every server's health, and sees a silent follower", async () => {
    for (let i = 0; i < 3; i++) {
      agents[i] = await startAgentProcess(
        ['-server', '-bootstrap-expect', '3', '-data-dir', dirs[i]!.path, '-bind', IPS[i]!, '-client', IPS[i]!, '-node', `ap-${i + 1}`, '-node-meta', `rack:r${i + 1}`,
          '-retry-join', IPS[(i + 1) % 3]!, '-retry-interval', '1s', '-dns-port', '-1', '-log-level', 'warn',
          '-hcl', 'autopilot { last_contact_threshold = "300ms" max_trailing_logs = 100 }'],
        `${IPS[i]}:8500`,
        { waitForLeader: false },
      );
    }
    const ids = await Promise.all(agents.map(async (a) => (await http(a.base, 'GET', '/v1/agent/self')).json().Config.NodeID as string));
    const state = async (i: number): Promise<State> => (await http(agents[i]!.base, 'GET', '/v1/operator/autopilot/state')).json();
    const healthy = await eventually(async () => {
      const r = await http(agents[0]!.base, 'GET', '/v1/operator/autopilot/state');
      const s = r.status === 200 ? (r.json() as State) : undefined;
      return s?.Healthy && Object.values(s.Servers).every((x) => Object.keys(x.Meta).length > 0) ? s : undefined;
      // 30 s: three servers forming and electing on two shared cores can take over 10 s under load.
    }, 'a healthy cluster with every server in the catalog', 300);

    // The first leader wrote the servers' autopilot block into the state, as Consul's does.
    const conf = (await http(agents[1]!.base, 'GET', '/v1/operator/autopilot/configuration')).json();
    expect(conf).toMatchObject({ LastContactThreshold: '300ms', MaxTrailingLogs: 100, CleanupDeadServers: true });
    expect(conf.CreateIndex).toBeGreaterThan(0);

    expect(Object.keys(healthy)).toEqual(['Healthy', 'FailureTolerance', 'OptimisticFailureTolerance', 'Servers', 'Leader', 'Voters']);
    expect(healthy).toMatchObject({ FailureTolerance: 1, OptimisticFailureTolerance: 0 });
    expect(Object.keys(healthy.Servers).sort()).toEqual([...ids].sort());
    expect([...healthy.Voters].sort()).toEqual([...ids].sort());
    const leader = ids.indexOf(healthy.Leader);
    expect(leader).toBeGreaterThanOrEqual(0);
    for (const [i, id] of ids.entries()) {
      const s = healthy.Servers[id]!;
      expect(Object.keys(s)).toEqual(['ID', 'Name', 'Address', 'NodeStatus', 'Version', 'LastContact', 'LastTerm', 'LastIndex', 'Healthy', 'StableSince', 'Status', 'Meta', 'NodeType']);
      expect(s).toMatchObject({ ID: id, Name: `ap-${i + 1}`, Address: `${IPS[i]}:8300`, NodeStatus: 'alive', Healthy: true, Status: i === leader ? 'leader' : 'voter', NodeType: 'voter' });
      expect(s.Meta).toMatchObject({ rack: `r${i + 1}` });
      expect(parseGoDurationMs(s.LastContact)).toBeLessThanOrEqual(300);
    }
    // Any server answers as the leader sees it (the request is forwarded there).
    expect((await state((leader + 1) % 3)).Leader).toBe(healthy.Leader);

    // The CLI's pretty format, as Consul prints it.
    const out = execFileSync(process.execPath, [CLI_JS, 'operator', 'autopilot', 'state', `-http-addr=${IPS[0]}:8500`], { encoding: 'utf8' });
    const lines = out.split('\n');
    expect(lines.slice(0, 5)).toEqual(['Healthy:                      true', 'Failure Tolerance:            1', 'Optimistic Failure Tolerance: 0', `Leader:                       ${healthy.Leader}`, 'Voters:']);
    expect(lines).toContain(`   ${ids[leader]}`);
    expect(lines).toContain('      Status:          leader');
    expect(lines).toContain('         "rack": "r1"');
    const json = JSON.parse(execFileSync(process.execPath, [CLI_JS, 'operator', 'autopilot', 'state', '-format=json', `-http-addr=${IPS[1]}:8500`], { encoding: 'utf8' })) as State;
    expect(Object.keys(json.Servers)).toEqual([...ids].sort());

    // A follower that stops answering: the leader stops hearing from it.
    const quiet = [0, 1, 2].find((i) => i !== leader)!;
    agents[quiet]!.proc.kill('SIGSTOP');
    const silent = await eventually(async () => {
      const s = (await state(leader)).Servers[ids[quiet]!]!;
      return s.Healthy ? undefined : s;
    }, 'the silent follower to be unhealthy', 50, 100);
    expect(parseGoDurationMs(silent.LastContact)).toBeGreaterThan(300);
    const during = await state(leader);
    expect(during).toMatchObject({ Healthy: false, FailureTolerance: 0 });
    const status = await http(agents[leader]!.base, 'GET', '/v1/operator/autopilot/health');
    expect(status.status).toBe(429);
    agents[quiet]!.proc.kill('SIGCONT');
    await eventually(async () => (await state(leader)).Healthy || undefined, 'the cluster healthy again');
  }, 90_000);
});
