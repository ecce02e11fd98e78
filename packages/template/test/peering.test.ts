// consul-template's peering functions against two real, peered Proconsul clusters: cluster A
// (127.0.119.1, dc1) accepts, cluster B (127.0.119.2, dc2) dials. `peerings` and
// `exportedServices` render what the agents hold and re-render when it changes; the enterprise
// forms (a partition argument, `importedServices`, `partitions`) fail as they fail against
// Consul CE 1.17. Also the agent side: GET /v1/exported-services and the sameness-group refusal.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type AgentProcess, type TempDir } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateConfig } from '../src/index.js';
import { api, readOrEmpty, runnerAgainst, startCli, startPeeredPair, templateIn, type PeeredPair } from './helpers.js';

let a: AgentProcess;
let b: AgentProcess;
let dir: TempDir;
let pair: PeeredPair;

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; index: string | null }> {
  const r = await fetch(`${base}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, text: await r.text(), index: r.headers.get('x-consul-index') };
}

const exportTo = (base: string, services: Array<{ Name: string; Peers: string[] }>) =>
  api(base, 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: services.map((s) => ({ Name: s.Name, Consumers: s.Peers.map((p) => ({ Peer: p })) })) });
const register = (base: string, node: string, service: string) =>
  api(base, 'PUT', '/v1/catalog/register', { Node: node, Address: '10.0.0.1', Service: { ID: service, Service: service, Port: 8080 } });

beforeAll(async () => {
  pair = await startPeeredPair(['127.0.119.1', '127.0.119.2'], 'pct-peering-', { env: 'test' });
  ({ a, b, dir } = pair);
}, 90_000);
afterAll(async () => {
  await pair?.stop();
});

const tmpl = (name: string, contents: string) => templateIn(dir.path, name, contents);
const runnerFor = (agent: AgentProcess, templates: TemplateConfig[], logs: string[] = []) => runnerAgainst(agent.httpAddr, templates, logs);
const read = readOrEmpty;

describe('GET /v1/exported-services (Consul CE shape)', () => {
  it('resolves the entry: consul left out, wildcard expanded to typical services, peers merged and sorted', async () => {
    let r = await call(a.url, 'GET', '/v1/exported-services');
    expect([r.status, r.text]).toEqual([200, '[]']);
    await register(a.url, 'n1', 'web');
    await register(a.url, 'n1', 'db');
    await exportTo(a.url, [{ Name: 'web', Peers: ['cluster-b', 'zeta'] }, { Name: '*', Peers: ['alpha'] }, { Name: 'consul', Peers: ['cluster-b'] }]);
    r = await call(a.url, 'GET', '/v1/exported-services');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual([
      { Service: 'db', Consumers: { Peers: ['alpha'] } },
      { Service: 'web', Consumers: { Peers: ['alpha', 'cluster-b', 'zeta'] } },
    ]);
    // A blocking query: it returns when the entry changes.
    const index = Number(r.index);
    expect(index).toBeGreaterThan(0);
    const blocked = call(a.url, 'GET', `/v1/exported-services?index=${index}&wait=10s`);
    await exportTo(a.url, [{ Name: 'web', Peers: ['cluster-b'] }]);
    const after = await blocked;
    expect(Number(after.index)).toBeGreaterThan(index);
    expect(JSON.parse(after.text)).toEqual([{ Service: 'web', Consumers: { Peers: ['cluster-b'] } }]);
  });

  it('refuses a partition as CE does (agent/http_ce.go parseEntMetaPartition)', async () => {
    let r = await call(a.url, 'GET', '/v1/exported-services?partition=default');
    expect([r.status, r.text]).toEqual([400, 'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature']);
    const h = await fetch(`${a.url}/v1/peerings`, { headers: { 'X-Consul-Partition': 'p1' } });
    expect([h.status, await h.text()]).toEqual([400, 'Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature']);
    r = await call(a.url, 'GET', '/v1/partitions');
    expect([r.status, r.text]).toEqual([404, 'Invalid URL path: not a recognized HTTP API endpoint\n']);
  });

  it('refuses a sameness-group entry as CE does, after decoding it', async () => {
    let r = await call(a.url, 'PUT', '/v1/config', { Kind: 'sameness-group', Name: 'g', IncludeLocal: true, Members: [{ Peer: 'cluster-b' }] });
    expect([r.status, r.text]).toEqual([400, 'sameness-groups are an enterprise-only feature']);
    r = await call(a.url, 'PUT', '/v1/config', { Kind: 'sameness-group', Name: 'g', Bogus: 1 });
    expect(r.status).toBe(400);
    expect(r.text).toContain('invalid config key "Bogus"');
  });
});

describe('peerings and exportedServices in templates', () => {
  it('render the peering and the exports, and re-render when they change', async () => {
    await exportTo(a.url, [{ Name: 'web', Peers: ['cluster-b'] }]);
    const peerings = tmpl(
      'peerings.txt',
      '{{range peerings}}{{.Name}} {{.PeeringState}} {{.Remote.Datacenter}} {{.Meta.env}} {{.StreamStatus.ExportedServices}} {{.PeerServerAddresses}} {{if .StreamStatus.LastHeartbeat}}hb{{end}}\n{{end}}',
    );
    const exported = tmpl('exported.txt', '{{range exportedServices}}{{.Service}} peers={{.Consumers.Peers}} partitions={{.Consumers.Partitions}} [{{.Partition}}{{.Namespace}}]\n{{end}}');
    const runner = runnerFor(a, [peerings, exported]);
    runner.start();
    try {
      await waitFor(() => read(peerings.destination) === 'cluster-b ACTIVE dc2 test [web] [] hb\n', 'peerings rendered');
      await waitFor(() => read(exported.destination) === 'web peers=[cluster-b] partitions=[] []\n', 'exportedServices rendered');
      expect(runner.dependencies()).toEqual(['list.exportedServices()', 'list.peerings']);
      // A second export re-renders both (the peering's stream status lists it too).
      await register(a.url, 'n1', 'api');
      await exportTo(a.url, [{ Name: 'web', Peers: ['cluster-b'] }, { Name: 'api', Peers: ['cluster-b', 'other'] }]);
      await waitFor(() => read(exported.destination) === 'api peers=[cluster-b other] partitions=[] []\nweb peers=[cluster-b] partitions=[] []\n', 'exportedServices re-rendered');
      // A new peering (pending: nobody dialed) sorts by state first: ACTIVE < PENDING.
      await api(a.url, 'POST', '/v1/peering/token', { PeerName: 'aaa-pending' });
      await waitFor(() => read(peerings.destination).startsWith('cluster-b ACTIVE dc2 test [api web] [] hb\naaa-pending PENDING'), 'peerings re-rendered, sorted by state');
    } finally {
      runner.stop();
    }
    await api(a.url, 'DELETE', '/v1/peering/aaa-pending');
  }, 60_000);

  it('the dialing side sees its imports in the stream status', async () => {
    const t = tmpl('b-peerings.txt', '{{range peerings}}{{.Name}} {{.PeeringState}} {{.Remote.Datacenter}} {{.PeerServerAddresses}} imported={{.StreamStatus.ImportedServices}}\n{{end}}');
    const runner = runnerFor(b, [t]);
    runner.start();
    try {
      await waitFor(() => read(t.destination) === 'cluster-a ACTIVE dc1 [127.0.119.1:8300] imported=[api web]\n', 'B renders its imports');
    } finally {
      runner.stop();
    }
  }, 60_000);

  it('fails the enterprise forms as against Consul CE', async () => {
    const logs: string[] = [];
    const byPartition = tmpl('exp-default.txt', '{{range exportedServices "default"}}{{.Service}}{{end}}');
    const peersByPartition = tmpl('peer-default.txt', '{{range peerings "?partition=default"}}{{.Name}}{{end}}');
    const imported = tmpl('imported.txt', '{{range importedServices "default"}}{{.Service}}{{end}}');
    const parts = tmpl('partitions.txt', '{{range partitions}}{{.Name}}{{end}}');
    const runner = runnerFor(a, [byPartition, peersByPartition, imported, parts], logs);
    runner.start();
    try {
      const all = () => logs.join('');
      await waitFor(() => all().includes('list.exportedServices(default): Unexpected response code: 400 (Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature)'), 'exportedServices "default" refused', 20_000);
      await waitFor(() => all().includes('list.peerings?partition=default: Unexpected response code: 400 (Invalid query parameter: "partition"'), 'peerings with a partition refused', 20_000);
      await waitFor(() => all().includes('list.importedServices(default): Unexpected response code: 404 (Invalid URL path: not a recognized HTTP API endpoint)'), 'importedServices has no endpoint', 20_000);
      await waitFor(() => all().includes('list.partitions: list.partitions: Partitions are an enterprise feature: Unexpected response code: 404 (Invalid URL path: not a recognized HTTP API endpoint)'), 'partitions refused', 20_000);
      // Nothing renders without its data.
      for (const t of [byPartition, peersByPartition, imported, parts]) expect(existsSync(t.destination)).toBe(false);
    } finally {
      runner.stop();
    }
  }, 60_000);

  it('proconsul-template -once renders peerings; bad arguments fail with consul-template texts', async () => {
    const src = join(dir.path, 'cli.ctmpl');
    const out = join(dir.path, 'cli.txt');
    writeFileSync(src, '{{range peerings}}{{.Name}}={{.PeeringState}}{{end}}');
    let cli = startCli(['-consul-addr', a.httpAddr, '-template', `${src}:${out}`, '-once']);
    expect(await cli.exited).toBe(0);
    expect(read(out)).toBe('cluster-b=ACTIVE');
    writeFileSync(src, '{{exportedServices "a" "b"}}');
    cli = startCli(['-consul-addr', a.httpAddr, '-template', `${src}:${out}`, '-once']);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('exportedServices: wrong number of arguments, expected 0 or 1');
    writeFileSync(src, '{{importedServices ""}}');
    cli = startCli(['-consul-addr', a.httpAddr, '-template', `${src}:${out}`, '-once']);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('importedServices: partition name is required');
    writeFileSync(src, '{{peerings "?bogus=1"}}');
    cli = startCli(['-consul-addr', a.httpAddr, '-template', `${src}:${out}`, '-once']);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('list.peering: invalid query parameter key "bogus" in query "bogus=1": supported keys: ns,peer,partition,sameness-group');
  }, 60_000);
});
