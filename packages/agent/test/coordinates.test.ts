// Network coordinates against real processes: three servers and a client on 127.0.75.x. Every
// agent measures its gossip round trips, sends its coordinate to the servers, and the leader
// writes them in batches; then `?near`, `proconsul rtt` and the coordinate endpoints answer.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUN_JS, eventually, http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI_JS = resolve(RUN_JS, '../../../cli/dist/bin.js');
const S = ['127.0.75.11', '127.0.75.12', '127.0.75.13'];
const C = '127.0.75.14';
const nodeName = (ip: string) => `coord-${ip.split('.').pop()}`;

const started: AgentProcess[] = [];
const dirs: { remove(): void }[] = [];
afterAll(async () => {
  for (const a of started) await a.kill9();
  for (const d of dirs) d.remove();
});

async function agent(ip: string, extra: string[], config: string): Promise<AgentProcess> {
  const d = tempDir('proconsul-coord-');
  dirs.push(d);
  const a = await startAgentProcess(
    ['-data-dir', d.path, '-bind', ip, '-client', ip, '-node', nodeName(ip), '-dns-port', '-1', '-log-level', 'warn', '-config-file', config, ...extra],
    `${ip}:8500`,
    { waitForLeader: false },
  );
  started.push(a);
  return a;
}

interface Entry { Node: string; Segment: string; Coord: { Vec: number[]; Error: number; Adjustment: number; Height: number } }

describe('network coordinates on a real cluster', () => {
  it('every node gets a coordinate; rtt, ?near=_agent, blocking reads and bad updates behave as in Consul', async () => {
    const cfgDir = tempDir('proconsul-coord-cfg-');
    dirs.push(cfgDir);
    const config = join(cfgDir.path, 'agent.json');
    // Consul's own test settings for sendCoordinate, scaled to a few seconds.
    writeFileSync(config, JSON.stringify({ sync_coordinate_interval_min: '1s', sync_coordinate_rate_target: 10, consul: { coordinate: { update_period: '500ms', update_batch_size: 10, update_max_batches: 1 } } }));
    await Promise.all(S.map((ip, i) => agent(ip, ['-server', '-bootstrap-expect', '3', '-retry-join', S[(i + 1) % 3]!, '-retry-interval', '1s'], config)));
    const client = await agent(C, ['-retry-join', S[0]!, '-retry-interval', '1s'], config);
    const all = [...S, C].map(nodeName);

    // Once the cluster has a leader and the client is in the catalog, every node has a
    // coordinate within a bounded time (sync every 1-2 s here, batches every 500 ms).
    await eventually(async () => (await http(client.base, 'GET', `/v1/catalog/node/${nodeName(C)}`)).json()?.Node, 'the client in the catalog', 600, 100);
    const t0 = Date.now();
    const entries = await eventually(async () => {
      const r = await http(client.base, 'GET', '/v1/coordinate/nodes');
      if (r.status !== 200) return undefined;
      const list = r.json() as Entry[];
      return all.every((n) => list.some((e) => e.Node === n)) ? list : undefined;
    }, 'a coordinate for every node', 300, 100);
    const tookMs = Date.now() - t0;
    expect(tookMs).toBeLessThan(30_000);
    console.log(`coordinates of all 4 nodes in the catalog ${tookMs} ms after the client's registration`);
    for (const e of entries) {
      expect(Object.keys(e)).toEqual(['Node', 'Segment', 'Coord']);
      expect(e.Segment).toBe('');
      expect(Object.keys(e.Coord).sort()).toEqual(['Adjustment', 'Error', 'Height', 'Vec']);
      expect(e.Coord.Vec).toHaveLength(8);
    }
    // Replicated through Raft: every server's own state (?stale) holds them all.
    for (const ip of S) {
      await eventually(async () => {
        const list = (await http(`http://${ip}:8500`, 'GET', '/v1/coordinate/nodes?stale')).json() as Entry[];
        return all.every((n) => list.some((e) => e.Node === n));
      }, `every coordinate in ${ip}'s state`, 50, 100);
    }
    // Sorted by node name, with the table's index.
    expect(entries.map((e) => e.Node)).toEqual([...entries.map((e) => e.Node)].sort());

    // /v1/agent/self's Coord is the agent's live coordinate: probes have moved it from the origin.
    const selfCoord = (await http(client.base, 'GET', '/v1/agent/self')).json().Coord as Entry['Coord'];
    expect(Object.keys(selfCoord)).toEqual(['Vec', 'Error', 'Adjustment', 'Height']);
    expect(selfCoord.Vec).toHaveLength(8);
    expect(selfCoord.Vec.some((x) => x !== 0)).toBe(true);

    // One node; an unknown node is a 404.
    const one = await http(client.base, 'GET', `/v1/coordinate/node/${nodeName(C)}`);
    expect(one.status).toBe(200);
    expect(one.json()).toHaveLength(1);
    expect(Number(one.headers.get('x-consul-index'))).toBeGreaterThan(0);
    expect((await http(client.base, 'GET', '/v1/coordinate/node/nobody')).status).toBe(404);

    // The datacenters list: this datacenter's servers in the WAN area.
    const dcs = (await http(client.base, 'GET', '/v1/coordinate/datacenters')).json();
    expect(dcs).toHaveLength(1);
    expect(dcs[0].Datacenter).toBe('dc1');
    expect(dcs[0].AreaID).toBe('wan');
    for (const c of dcs[0].Coordinates) expect(S.map(nodeName)).toContain(c.Node);

    // proconsul rtt prints Consul's line; with one node the second is the agent's own.
    const out = execFileSync(process.execPath, [CLI_JS, 'rtt', `-http-addr=${C}:8500`, nodeName(S[0]!), nodeName(S[1]!)], { encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`^Estimated ${nodeName(S[0]!)} <-> ${nodeName(S[1]!)} rtt: \\d+\\.\\d{3} ms \\(using LAN coordinates\\)\\n$`));
    const self = execFileSync(process.execPath, [CLI_JS, 'rtt', `-http-addr=${C}:8500`, nodeName(S[2]!)], { encoding: 'utf8' });
    expect(self).toContain(`<-> ${nodeName(C)} rtt:`);
    // -wan: servers as node.dc, from /v1/coordinate/datacenters (the servers' gossip coordinates).
    const wan = await eventually(async () => {
      const r = spawnSync(process.execPath, [CLI_JS, 'rtt', '-wan', `-http-addr=${C}:8500`, `${nodeName(S[0]!)}.dc1`, `${nodeName(S[1]!)}.dc1`], { encoding: 'utf8' });
      return r.status === 0 ? r.stdout : undefined;
    }, 'rtt -wan between two servers', 100, 200);
    expect(wan).toMatch(new RegExp(`^Estimated ${nodeName(S[0]!)}\\.dc1 <-> ${nodeName(S[1]!)}\\.dc1 rtt: \\d+\\.\\d{3} ms \\(using WAN coordinates\\)\\n$`));
    const badWan = spawnSync(process.execPath, [CLI_JS, 'rtt', '-wan', `-http-addr=${C}:8500`, nodeName(S[0]!)], { encoding: 'utf8' });
    expect({ status: badWan.status, stderr: badWan.stderr }).toEqual({ status: 1, stderr: 'Node names must be specified as <node name>.<datacenter> with -wan\n' });
    const missing = spawnSync(process.execPath, [CLI_JS, 'rtt', `-http-addr=${C}:8500`, 'nobody'], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('Could not find a coordinate for node "nobody"\n');

    // ?near=_agent puts the asking agent's own node first, on a client (resolved before
    // forwarding) and on each server; ?near=<node> sorts from that node.
    for (const ip of [C, ...S]) {
      const nodes = (await http(`http://${ip}:8500`, 'GET', '/v1/catalog/nodes?near=_agent')).json() as { Node: string }[];
      expect(nodes[0]!.Node).toBe(nodeName(ip));
      expect(nodes).toHaveLength(4);
      const checks = (await http(`http://${ip}:8500`, 'GET', '/v1/health/state/any?near=_agent')).json() as { Node: string }[];
      expect(checks[0]!.Node).toBe(nodeName(ip));
    }
    const nearS1 = (await http(client.base, 'GET', `/v1/catalog/nodes?near=${nodeName(S[1]!)}`)).json() as { Node: string }[];
    expect(nearS1[0]!.Node).toBe(nodeName(S[1]!));
    // The servers' consul service, sorted from the client.
    const svc = (await http(client.base, 'GET', `/v1/health/service/consul?near=${nodeName(S[2]!)}`)).json() as { Node: { Node: string } }[];
    expect(svc[0]!.Node.Node).toBe(nodeName(S[2]!));

    // A blocking read on /v1/coordinate/nodes wakes when the next batch is written.
    const first = await http(client.base, 'GET', '/v1/coordinate/nodes');
    const index = Number(first.headers.get('x-consul-index'));
    const woke = await http(client.base, 'GET', `/v1/coordinate/nodes?index=${index}&wait=20s`);
    expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);

    // An update by hand is written in the next batch.
    const coord = { Vec: [0.5, 0, 0, 0, 0, 0, 0, 0], Error: 0.25, Adjustment: 0, Height: 0.0001 };
    const put = await http(client.base, 'PUT', '/v1/coordinate/update', JSON.stringify({ Node: nodeName(S[0]!), Segment: '', Coord: coord }));
    expect(put.status).toBe(200);

    // Bad input: Consul's 400 with its decode message, never a 5xx.
    const bad = [
      ['{"Node": "x", "Coord": ', /^Request decode failed: /],
      ['{"Node": 1}', /^Request decode failed: json: cannot unmarshal number into Go struct field .*Node of type string$/],
      ['{"Node": "x", "Coord": {"Vec": "no"}}', /^Request decode failed: json: cannot unmarshal string into Go struct field Coordinate.Coord.Vec of type \[\]float64$/],
      ['{"Node": "x", "Bogus": 1}', /^Request decode failed: json: unknown field "Bogus"$/],
      ['{"Node": "x", "Coord": {"Vec": [1, 2], "Error": 0, "Adjustment": 0, "Height": 0}}', /^incompatible coordinate$/],
      ['{"Node": "x"}', /^invalid coordinate$/],
      ['{"Node": "x", "Coord": {"Vec": [1e999, 0, 0, 0, 0, 0, 0, 0], "Error": 0, "Adjustment": 0, "Height": 0}}', /^invalid coordinate$/],
    ] as const;
    for (const [body, message] of bad) {
      const r = await http(client.base, 'PUT', '/v1/coordinate/update', body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.text).toMatch(message);
    }
  }, 180_000);

  it('disable_coordinates: 401 from every coordinate endpoint, Coord null in /v1/agent/self', async () => {
    const cfgDir = tempDir('proconsul-coord-off-');
    dirs.push(cfgDir);
    const config = join(cfgDir.path, 'agent.json');
    writeFileSync(config, JSON.stringify({ disable_coordinates: true }));
    const ip = '127.0.75.21';
    const a = await agent(ip, ['-dev'], config);
    await eventually(async () => (await http(a.base, 'GET', '/v1/status/leader')).json() !== '', 'a leader');
    for (const [method, path] of [['GET', '/v1/coordinate/nodes'], ['GET', '/v1/coordinate/node/x'], ['GET', '/v1/coordinate/datacenters'], ['PUT', '/v1/coordinate/update']]) {
      const r = await http(a.base, method!, path!, method === 'PUT' ? '{}' : undefined);
      expect({ path, status: r.status, text: r.text }).toEqual({ path, status: 401, text: 'Coordinate support disabled' });
    }
    expect((await http(a.base, 'GET', '/v1/agent/self')).json().Coord).toBeNull();
  }, 60_000);
});
