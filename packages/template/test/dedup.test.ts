// De-duplication (-dedup) with real processes: three proconsul-template instances on one agent
// render the same two templates (same source, contents and destination, so the same template
// IDs: each runs in its own directory with relative paths). One instance per template holds the
// lock and watches Consul; the others read its data from the KV store and watch nothing
// shareable. Stopping a leader (SIGTERM: its session is destroyed) or killing one (SIGKILL: its
// session's TTL runs out) hands the template to another instance.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FLAG_VALUE } from '@proconsul/api';
import { startAgent, stopProcess, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateId } from '../src/runner/dedup.js';
import { api, registerService, startCli, type CliProcess } from './helpers.js';

const IP = '127.0.64.41';
const PREFIX = 'ddtest/';
const WEB = '{{range service "dd-web"}}{{.ID}}={{.Address}}:{{.Port}}\n{{end}}';
const KEY = 'cfg={{keyOrDefault "dd/cfg" "none"}}\n';
const WEB_ID = templateId('web.ctmpl', WEB, 'out/web.conf');
const KEY_ID = templateId('key.ctmpl', KEY, 'out/key.conf');
const WATCH_WEB = '(watcher) adding health.service(dd-web|passing)';
const WATCH_KEY = '(watcher) adding kv.get(dd/cfg)';

let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'pct-dedup-'));
const instances: CliProcess[] = [];

beforeAll(async () => {
  // A 1 s minimum session TTL, so a killed leader's 2 s session expires in seconds.
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn', '-hcl', 'session_ttl_min = "1s"'] });
}, 40_000);
afterAll(async () => {
  for (const c of instances) await stopProcess(c.proc, 'SIGKILL');
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startInstance(n: number): CliProcess {
  const cwd = join(dir, `i${n}`);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'web.ctmpl'), WEB);
  writeFileSync(join(cwd, 'key.ctmpl'), KEY);
  writeFileSync(join(cwd, 'dedup.hcl'), `dedup {\n  prefix = "${PREFIX}"\n  ttl = "2s"\n}\n`);
  const args = ['-consul-addr', agent.httpAddr, '-config', 'dedup.hcl', '-dedup', '-log-level', 'debug', '-template', 'web.ctmpl:out/web.conf', '-template', 'key.ctmpl:out/key.conf'];
  const c = startCli(args, process.env, cwd);
  instances.push(c);
  return c;
}

const read = (n: number, f: string) => {
  const p = join(dir, `i${n}`, 'out', f);
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
};

interface Pair {
  Key: string;
  Session?: string;
  Flags: number;
}

async function dataKey(id: string): Promise<Pair | undefined> {
  const r = await fetch(`${agent.url}/v1/kv/${PREFIX}${id}/data`);
  if (r.status === 404) return undefined;
  return ((await r.json()) as Pair[])[0];
}

/** The live instances whose log says they hold the template's lock now (acquired, not lost since). */
function leadersOf(id: string, live: number[]): number[] {
  const key = `'${PREFIX}${id}/data'`;
  return live.filter((i) => {
    const out = instances[i]!.output();
    const won = out.lastIndexOf(`acquired lock ${key}`);
    return won >= 0 && won > out.lastIndexOf(`lost lock ownership ${key}`);
  });
}

async function expectEverywhere(live: number[], web: string, key: string, what: string): Promise<void> {
  for (const i of live) {
    await waitFor(() => read(i, 'web.conf') === web, `${what}: instance ${i} web.conf`, 20_000);
    await waitFor(() => read(i, 'key.conf') === key, `${what}: instance ${i} key.conf`, 20_000);
  }
}

describe('-dedup across three processes', () => {
  it('one leader per template watches and shares; followers render from its data; leadership moves on stop and on kill', async () => {
    await registerService(agent.url, { Name: 'dd-web', ID: 'dd-web-1', Address: '127.0.64.101', Port: 8001 });
    await api(agent.url, 'PUT', '/v1/kv/dd/cfg', 'one');
    for (const n of [0, 1, 2]) startInstance(n);
    let live = [0, 1, 2];

    await expectEverywhere(live, 'dd-web-1=127.0.64.101:8001\n', 'cfg=one\n', 'first render');

    // Exactly one lock holder per template, under one of the instances' de-duplication sessions.
    const sessions = (await (await fetch(`${agent.url}/v1/session/list`)).json()) as Array<{ ID: string; Name: string; Behavior: string }>;
    const ours = sessions.filter((s) => s.Name === 'Consul-Template de-duplication');
    expect(ours).toHaveLength(3);
    expect(ours.every((s) => s.Behavior === 'delete')).toBe(true);
    for (const id of [WEB_ID, KEY_ID]) {
      const pair = await waitFor(() => dataKey(id), `data key of ${id}`);
      expect(ours.map((s) => s.ID)).toContain(pair.Session);
      expect(pair.Flags).toBe(Number(LOCK_FLAG_VALUE));
      expect(leadersOf(id, live)).toHaveLength(1);
    }
    const [webLeader] = leadersOf(WEB_ID, live);
    const [keyLeader] = leadersOf(KEY_ID, live);

    // Only the leader queries the shared dependency; the followers never started a watch on it.
    for (const i of live) {
      expect(instances[i]!.output().includes(WATCH_WEB), `instance ${i} watching the service`).toBe(i === webLeader);
      expect(instances[i]!.output().includes(WATCH_KEY), `instance ${i} watching the key`).toBe(i === keyLeader);
    }

    // Changes in Consul reach every instance's files.
    await registerService(agent.url, { Name: 'dd-web', ID: 'dd-web-2', Address: '127.0.64.102', Port: 8002 });
    await api(agent.url, 'PUT', '/v1/kv/dd/cfg', 'two');
    const web2 = 'dd-web-1=127.0.64.101:8001\ndd-web-2=127.0.64.102:8002\n';
    await expectEverywhere(live, web2, 'cfg=two\n', 'after the change');
    for (const i of live) if (i !== webLeader) expect(instances[i]!.output()).toContain(`loading 1 dependencies from '${PREFIX}${WEB_ID}/data'`);

    // SIGTERM: the leader destroys its session; its lock (and data key) go with it.
    await stopProcess(instances[webLeader!]!.proc, 'SIGTERM');
    live = live.filter((i) => i !== webLeader);
    const { next } = await waitFor(() => leadersOf(WEB_ID, live).map((next) => ({ next }))[0], 'a new leader for the service template', 2_000 + 10_000);
    await waitFor(() => instances[next]!.output().includes(WATCH_WEB), 'the new leader watches the service');
    await waitFor(async () => (await dataKey(WEB_ID))?.Session !== undefined, 'the new leader holds the data key');
    await registerService(agent.url, { Name: 'dd-web', ID: 'dd-web-3', Address: '127.0.64.103', Port: 8003 });
    const web3 = `${web2}dd-web-3=127.0.64.103:8003\n`;
    await expectEverywhere(live, web3, 'cfg=two\n', 'after the first handover');

    // SIGKILL: nothing is released; the session's TTL (2 s, invalidated after 2x) ends the hold.
    const killed = next;
    instances[killed]!.proc.kill('SIGKILL');
    live = live.filter((i) => i !== killed);
    const [last] = live;
    await waitFor(() => leadersOf(WEB_ID, live).length === 1, 'the last instance leads the service template', 4_000 + 10_000);
    await waitFor(() => leadersOf(KEY_ID, live).length === 1, 'the last instance leads the key template', 4_000 + 10_000);
    await registerService(agent.url, { Name: 'dd-web', ID: 'dd-web-4', Address: '127.0.64.104', Port: 8004 });
    await api(agent.url, 'PUT', '/v1/kv/dd/cfg', 'three');
    await expectEverywhere([last!], `${web3}dd-web-4=127.0.64.104:8004\n`, 'cfg=three\n', 'after the kill');
    expect(instances[last!]!.output()).toContain(WATCH_WEB);
    for (const c of instances) expect(c.output()).not.toContain('[ERR]');
  }, 90_000);
});
