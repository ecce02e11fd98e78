// deploy/swarm.yml on an actual Swarm of three engines (swarm-lab.ts: each in its own network
// namespace, joined as three managers), with the images of this tree loaded into each: servers
// on three distinct nodes, a client, a registrator and an lb on every node, web scaled over the
// nodes and reached across hosts over the overlay, and the loss of the host that runs the Raft
// leader's task. Runs as root (namespaces, dockerd); fails, never skips, when that is missing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clock, get, repoRoot, requireDocker, run, sample, startLoad, timeToServe, waitFor } from './stack.js';
import { SwarmLab, type SwarmNode } from './swarm-lab.js';

/** The image tag, from the one place the stacks take it (deploy/.env), unless the environment sets it. */
const TAG = process.env.PROCONSUL_TAG ?? /^PROCONSUL_TAG=(.*)$/m.exec(readFileSync(resolve(repoRoot, 'deploy/.env'), 'utf8'))?.[1] ?? 'local';
const IMAGES = ['agent', 'registrator', 'lb', 'web-demo'].map((i) => `proconsul/${i}:${TAG}`);
const STACK = 'pcswarm';
const SERVERS = ['server-1', 'server-2', 'server-3'];
const lab = new SwarmLab();
let failed = false;
let created = false;
/** Figures printed at the end (docs/PERFORMANCE.md records them). */
const figures: string[] = [];

const lbURL = (n: SwarmNode) => `http://${n.addr}/`;
const live = () => lab.nodes.filter((n) => !n.killed);

/** JSON from a node's client agent (HTTP published on port 8500 of every node). */
async function api<T>(n: SwarmNode, path: string): Promise<T> {
  const res = await fetch(`http://${n.addr}:8500${path}`, { signal: AbortSignal.timeout(5_000) });
  if (res.status !== 200) throw new Error(`${n.name} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Nodes running a service's tasks now, by node name (one entry per running task). */
async function taskNodes(service: string): Promise<string[]> {
  const manager = live()[0]!;
  const { stdout } = await lab.docker(manager, ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}}', `${STACK}_${service}`]);
  return stdout.split('\n').filter((l) => / Running /.test(` ${l} `)).map((l) => l.split(' ')[0]!).sort();
}

/** Passing instances of a service, from one node's client: address and the catalog node that holds it. */
async function passing(n: SwarmNode, service: string): Promise<Array<{ addr: string; node: string }>> {
  const entries = await api<Array<{ Node: { Node: string }; Service: { Address: string } }>>(n, `/v1/health/service/${service}?passing`);
  return entries.map((e) => ({ addr: e.Service.Address, node: e.Node.Node })).sort((a, b) => a.addr.localeCompare(b.addr));
}

/** Distinct backends that answered through one node's lb over `count` requests (all must be 200). */
async function servedBy(n: SwarmNode, count: number): Promise<string[]> {
  const answers = await sample(count, lbURL(n));
  const bad = answers.find((a) => a.status !== 200 || !a.backend);
  if (bad) throw new Error(`${n.name}'s lb answered ${bad.status}: ${bad.body.trim().slice(0, 80)}`);
  return [...new Set(answers.map((a) => a.backend!))].sort();
}

/** The Raft leader's server name and the lab node whose engine runs its task. */
async function leader(from: SwarmNode): Promise<{ server: string; node: SwarmNode; addr: string }> {
  const addr = (await api<string>(from, '/v1/status/leader')).split(':')[0]!;
  if (!addr) throw new Error('no leader');
  const nodes = await api<Array<{ Node: string; Address: string }>>(from, '/v1/catalog/nodes');
  const server = nodes.find((x) => x.Address === addr)?.Node;
  if (!server || !SERVERS.includes(server)) throw new Error(`the leader ${addr} is no server node of the catalog (${server})`);
  const [node] = await taskNodes(server);
  if (!node) throw new Error(`no running task of ${server}`);
  return { server, node: lab.node(node), addr };
}

let setup: Promise<void> | undefined;
/** Once: the images of this tree, the lab, the swarm, the images in every engine. Not a beforeAll, so a failure fails every test. */
function labUp(): Promise<void> {
  setup ??= (async () => {
    await requireDocker();
    await SwarmLab.sweep(); // a run killed midway leaves its lab (and the bridge address) behind
    await lab.preflight();
    const t0 = Date.now();
    await run(process.execPath, [resolve(repoRoot, 'scripts/start.mjs')], { env: { PROCONSUL_START: 'images' }, timeoutMs: 1_500_000 });
    const t1 = Date.now();
    created = true;
    await lab.create();
    await lab.formSwarm();
    await lab.loadImages(IMAGES);
    figures.push(`images checked ${((t1 - t0) / 1000).toFixed(1)} s; engines, swarm and images loaded ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  })();
  return setup;
}

let deployed: Promise<void> | undefined;
/** Once: the stack's preparation (README of deploy/: node labels, the gossip key secret) and `docker stack deploy`. */
function stackUp(): Promise<void> {
  deployed ??= (async () => {
    await labUp();
    const [first] = lab.nodes as [SwarmNode];
    for (const n of lab.nodes) await lab.docker(first, ['node', 'update', '--label-add', `proconsul-server=${n.i}`, n.name]);
    const key = (await lab.docker(first, ['run', '--rm', `proconsul/agent:${TAG}`, 'keygen'])).stdout.trim();
    await run('sh', ['-c', `printf '{"encrypt": "%s"}\\n' "$KEY" | docker -H "$NODE" secret create proconsul-gossip-key -`], { env: { KEY: key, NODE: first.host } });
    const t0 = Date.now();
    await lab.docker(first, ['stack', 'deploy', '--resolve-image', 'never', '-c', resolve(repoRoot, 'deploy/swarm.yml'), STACK], 180_000, { PROCONSUL_TAG: TAG });
    // Settled: every lb answers (each waits for its node's client, with backoff) and every
    // registrator has registered its node's lb. One budget for the three: the engines have been
    // seen to start no task of a fresh stack for 3 minutes (a rehearsal on 2026-12-08: every
    // container's first log line about 183 s after the deploy, 6 s after a task had failed with
    // Docker's secrets-tmpfs EBUSY, moby#48783), then all of them within 2 s, the cluster up 4 s
    // later.
    const settleBy = Date.now() + 480_000;
    for (const n of lab.nodes) {
      await waitFor(`${n.name}'s lb answering 200`, () => get(lbURL(n)), (a) => a.status === 200, Math.max(1_000, settleBy - Date.now()), 1_000);
      if (n === first) figures.push(`stack deploy to the first lb answering ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    await waitFor('3 lb instances registered', () => passing(first, 'lb'), (l) => l.length === 3, 60_000, 1_000);
    figures.push(`stack deploy to every lb answering ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  })();
  return deployed;
}

describe('Swarm: deploy/swarm.yml on three engines in their own network namespaces', () => {
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    console.log(`swarm e2e figures (${lab.prefix}): ${figures.join('; ')}`);
    if (failed) {
      for (const n of lab.nodes) console.error(`dockerd log of ${n.name}:\n${lab.logTail(n)}`);
      // What the agents and lbs said (a lb that never rendered, a client that found no server),
      // and each task's state and error (a task that never started has no log).
      const manager = live()[0];
      if (manager && deployed) {
        const nodes = await lab.docker(manager, ['node', 'ls']).catch((e: Error) => ({ stdout: '', stderr: e.message }));
        console.error(`docker node ls:\n${nodes.stdout}${nodes.stderr}`);
        for (const service of ['client', 'lb', ...SERVERS]) {
          const tasks = await lab.docker(manager, ['service', 'ps', '--no-trunc', '--format', '{{.Name}} {{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}', `${STACK}_${service}`]).catch((e: Error) => ({ stdout: '', stderr: e.message }));
          console.error(`tasks of ${STACK}_${service}:\n${tasks.stdout}${tasks.stderr}`);
        }
        for (const service of ['client', 'lb', ...SERVERS]) {
          const logs = await lab.docker(manager, ['service', 'logs', '--timestamps', '--no-trunc', '--tail', '60', `${STACK}_${service}`]).catch((e: Error) => ({ stdout: '', stderr: e.message }));
          console.error(`service logs of ${STACK}_${service}:\n${logs.stdout}${logs.stderr}`);
        }
      }
    }
    if (created) await lab.destroy();
  });

  it('three engines, each with its own address, hostname and roots, form one swarm of three managers', { timeout: 1_800_000 }, async () => {
    await labUp();
    for (const n of lab.nodes) {
      const info = (await lab.docker(n, ['info', '--format', '{{.Name}} {{.Swarm.NodeAddr}} {{.Swarm.LocalNodeState}} {{.DockerRootDir}}'])).stdout.trim();
      expect(info).toBe(`${n.name} ${n.addr} active ${n.dataRoot}`);
    }
    const nodes = (await lab.docker(lab.nodes[0]!, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'])).stdout.trim().split('\n').sort();
    expect(nodes.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(lab.nodes.map((n) => `${n.name} Ready`));
    expect(nodes.filter((l) => l.endsWith(' Leader'))).toHaveLength(1);
    expect(nodes.filter((l) => l.endsWith(' Reachable'))).toHaveLength(2);
    // Every engine holds the images (loaded, not pulled).
    for (const n of lab.nodes) {
      const { stdout } = await lab.docker(n, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
      for (const image of IMAGES) expect(stdout.split('\n')).toContain(image);
    }
  });

  it('docker stack deploy: servers on three distinct nodes, client, registrator and lb on every node, 6 members, 3 voters', { timeout: 900_000 }, async () => {
    await stackUp();
    const names = lab.nodes.map((n) => n.name);
    const serverNodes: string[] = [];
    for (const s of SERVERS) {
      const [node, ...more] = await waitFor(`${s} running`, () => taskNodes(s), (t) => t.length === 1, 60_000, 1_000);
      expect(more).toEqual([]);
      serverNodes.push(node);
    }
    expect(serverNodes).toEqual(names); // proconsul-server=i is node i
    for (const global of ['client', 'registrator', 'lb']) expect(await waitFor(`${global} on every node`, () => taskNodes(global), (t) => t.join() === names.join(), 60_000, 1_000)).toEqual(names);

    const expected = [...SERVERS, ...names.map((n) => `client-${n}`)].sort();
    for (const n of lab.nodes) {
      const members = await waitFor(`6 alive members seen from ${n.name}`, () => api<Array<{ Name: string; Status: number }>>(n, '/v1/agent/members'),
        (m) => m.filter((x) => x.Status === 1).length === 6, 120_000, 1_000);
      expect(members.map((m) => m.Name).sort()).toEqual(expected);
    }
    const raft = await api<{ Servers: Array<{ Node: string; Leader: boolean; Voter: boolean }> }>(lab.nodes[0]!, '/v1/operator/raft/configuration');
    expect(raft.Servers.map((s) => s.Node).sort()).toEqual(SERVERS);
    expect(raft.Servers.filter((s) => s.Voter)).toHaveLength(3);
    expect(raft.Servers.filter((s) => s.Leader)).toHaveLength(1);

    // The one web task, registered by its node's registrator in its node's client, served by
    // every node's lb: two of the three reach it on another host, over the overlay.
    const [web] = await waitFor('web registered', () => passing(lab.nodes[0]!, 'web'), (w) => w.length === 1, 60_000, 500);
    const [webNode] = await taskNodes('web');
    expect(web!.node).toBe(`client-${webNode}`);
    for (const n of lab.nodes) expect(await waitFor(`${n.name}'s lb on web`, () => servedBy(n, 3), (b) => b.join() === web!.addr, 60_000, 500)).toEqual([web!.addr]);
  });

  it('docker service scale web=6: two tasks on each node, every lb answers from the six across the hosts', { timeout: 300_000 }, async () => {
    await stackUp();
    const [first] = lab.nodes as [SwarmNode];
    await lab.docker(first, ['service', 'scale', '--detach', `${STACK}_web=6`]);
    const t0 = Date.now();
    const [ms, [nodes, tasksMs]] = await Promise.all([
      timeToServe(6, 60_000, lbURL(first)),
      waitFor('6 running web tasks', () => taskNodes('web'), (t) => t.length === 6, 60_000, 250).then((t) => [t, Date.now() - t0] as const),
    ]);
    figures.push(`service scale web=6: 6 tasks running ${tasksMs} ms and the sixth backend served through ${first.name}'s lb ${ms} ms after the command returned`);
    expect(nodes).toEqual(lab.nodes.flatMap((n) => [n.name, n.name]));
    const webs = await waitFor('6 passing web instances', () => passing(first, 'web'), (w) => w.length === 6, 30_000, 500);
    expect(new Set(webs.map((w) => w.node))).toEqual(new Set(lab.nodes.map((n) => `client-${n.name}`)));
    const addrs = webs.map((w) => w.addr).sort();
    for (const n of lab.nodes) expect(await waitFor(`${n.name}'s lb on the 6`, () => servedBy(n, 24), (b) => b.join() === addrs.join(), 30_000, 500)).toEqual(addrs);
  });

  it("killing the engine that runs the Raft leader's task: a new leader, the other nodes' lbs keep answering", { timeout: 600_000 }, async () => {
    await stackUp();
    const old = await leader(lab.nodes[0]!);
    const survivors = lab.nodes.filter((n) => n !== old.node);
    const [watcher] = survivors as [SwarmNode];
    const before = await passing(watcher, 'web');
    // Load on both surviving nodes' lbs: the dead node's lb goes with it (a user's round robin
    // over the nodes drops it; without the routing mesh nothing else would).
    const workers = 2;
    const loads = survivors.map((n) => startLoad({ workers, pauseMs: 20, url: lbURL(n), maxMs: 300_000 }));
    let results: Awaited<ReturnType<ReturnType<typeof startLoad>["stop"]>>[] = [];
    let killStartedAt = Infinity;
    let killedAt = Infinity;
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      const t0 = Date.now();
      killStartedAt = t0;
      const killed = await lab.kill(old.node);
      killedAt = Date.now();
      expect(killed).toBeGreaterThan(0);
      // Timed on the agents' API alone (Swarm's own manager election may slow `docker service ps`).
      await waitFor('a new leader', () => api<string>(watcher, '/v1/status/leader'), (l) => l !== '' && !l.startsWith(`${old.addr}:`), 60_000, 250);
      const electedMs = Date.now() - t0;
      // The dead node's agents are seen failed; the registrations of the live nodes are intact.
      const members = await waitFor(`${old.node.name}'s agents failed`, () => api<Array<{ Name: string; Status: number }>>(watcher, '/v1/agent/members'),
        (m) => m.filter((x) => x.Status === 4).map((x) => x.Name).sort().join() === [old.server, `client-${old.node.name}`].sort().join(), 60_000, 250);
      expect(members.filter((m) => m.Status === 1)).toHaveLength(4);
      const failedMs = Date.now() - t0;
      const dead = `client-${old.node.name}`;
      const kept = before.filter((w) => w.node !== dead);
      const now = await waitFor('passing web without the dead node', () => passing(watcher, 'web'), (w) => w.every((x) => x.node !== dead), 60_000, 250);
      for (const w of kept) expect(now).toContainEqual(w);
      figures.push(`${old.node.name} (${old.server}, leader) killed at ${clock(t0)}: a new leader after ${electedMs} ms`,
        `its agents failed in /v1/agent/members ${failedMs} ms after the kill`,
        `the dead node's web instances out of the passing ones ${Date.now() - t0} ms after the kill`);
      // Every live lb drops the dead node's backends (it follows the catalog, not nginx's own failures).
      const gone = before.filter((w) => w.node === dead).map((w) => w.addr);
      for (const n of survivors) await waitFor(`${n.name}'s lb without the dead node's backends`, () => servedBy(n, 24), (b) => b.every((x) => !gone.includes(x)), 120_000, 250);
      figures.push(`lbs of the live nodes without the dead node's backends ${Date.now() - t0} ms after the kill`);
      // Which engine runs the new leader's task asks Swarm's managers (`docker service ps`), which
      // stall while they elect their own leader when the dead node was it: asked only now, so the
      // figures above time the agents alone.
      const next = await waitFor('the new leader and its node', () => leader(watcher), (l) => l.server !== old.server, 60_000, 500);
      expect(next.node).not.toBe(old.node);
      figures.push(`the new leader ${next.server} on ${next.node.name}`);
      // Swarm puts the dead node's web tasks on the live nodes; every live lb follows the catalog.
      await waitFor('6 web tasks on the live nodes', () => taskNodes('web'), (t) => t.length === 6 && t.every((x) => x !== old.node.name), 120_000, 1_000);
      figures.push(`Swarm's replacement web tasks running ${Date.now() - t0} ms after the kill`);
      const six = await waitFor('6 passing web instances on the live nodes', () => passing(watcher, 'web'), (w) => w.length === 6 && w.every((x) => x.node !== dead), 60_000, 500);
      const addrs = six.map((w) => w.addr).sort();
      for (const n of survivors) await waitFor(`${n.name}'s lb on the 6 live backends`, () => servedBy(n, 24), (b) => b.join() === addrs.join(), 150_000, 1_000);
      figures.push(`lbs of the live nodes on the 6 live backends ${Date.now() - t0} ms after the kill`);
    } finally {
      results = await Promise.all(loads.map((l) => l.stop()));
    }
    const total = results.reduce((s, r) => s + r.total, 0);
    const failedSpans = results.flatMap((r) => r.failedSpans);
    // A request already on its way to a backend on the host when it vanished (the link goes down
    // first, then every process dies) may lose its answer mid-way, which no lb can send again once
    // it has begun relaying it. Those (in flight while the kill ran), at most one per load worker,
    // are reported, not failed; every other request must be answered.
    const inFlight = failedSpans.filter((f) => f.sentAt < killedAt && f.endedAt >= killStartedAt).length;
    const after = failedSpans.length - inFlight;
    const slowest = Math.max(...results.map((r) => r.slowestMs));
    figures.push(`requests through the live lbs during the loss: ${total}, ${after} failed, ${inFlight} in flight at the kill lost, slowest ${slowest} ms${failedSpans.length ? ` (${results.flatMap((r) => r.failures).join('; ')})` : ''}`);
    expect(total).toBeGreaterThan(100);
    expect(after).toBe(0);
    expect(inFlight).toBeLessThanOrEqual(survivors.length * workers);
  });
});
