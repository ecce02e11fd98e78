// Prometheus-style `consul_sd_configs` against Proconsul. Debian's `prometheus` package is built
// without Consul SD (its changelog: "Disable Consul SD until its Debian package is back in
// shape"), so the scraper here is Debian's `victoria-metrics` (1.79), which reads Prometheus's
// scrape_configs and implements consul_sd_configs with Prometheus's __meta_consul_* labels
// (lib/promscrape/discovery/consul in VictoriaMetrics, following prometheus
// discovery/consul/consul.go): /v1/agent/self for the datacenter, /v1/catalog/services and
// /v1/health/service/<name>?tag=..&node-meta=.. watched with blocking queries. Everything is
// real: a -dev agent, a server with a client agent, the scraper as a child with its own config
// and storage in a temp dir, and HTTP /metrics endpoints it scrapes. Asserted through its
// Prometheus-compatible /api/v1/targets.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startAgent, tempDir, type AgentProcess as DevAgent } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, type AgentProcess } from '../helpers.js';
import { binaryVersion, startBackend, startDaemon, type Backend, type Daemon } from './daemon.js';

const SCRAPER = '/usr/bin/victoria-metrics';
const DEV = '127.0.112.1';
const [API1, API2, API3, API4] = ['127.0.112.2', '127.0.112.3', '127.0.112.4', '127.0.112.5'];
const SCRAPER_IP = '127.0.112.6';
const [SERVER, CLIENT, CLIENT_BACKEND] = ['127.0.112.10', '127.0.112.11', '127.0.112.12'];

interface Target {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

let dev: DevAgent;
let server: AgentProcess;
let client: AgentProcess;
let scraper: Daemon;
let scraperUrl = '';
const backends = new Map<string, Backend>();
const dirs: { remove(): void }[] = [];

/** A service instance registered with the agent at `base`, with a TTL check in `status`. */
async function register(base: string, id: string, b: Backend, tags: string[], status: 'passing' | 'critical'): Promise<void> {
  const body = { ID: id, Name: 'api', Tags: tags, Address: b.ip, Port: b.port, Meta: { version: `v-${id}`, 'team-name': 'obs' }, Check: { TTL: '10m', Status: status } };
  const r = await http(base, 'PUT', '/v1/agent/service/register', JSON.stringify(body));
  expect(r.status, r.text).toBe(200);
}

async function targets(): Promise<{ active: Target[]; dropped: Target[] }> {
  const r = await http(scraperUrl, 'GET', '/api/v1/targets');
  expect(r.status, r.text).toBe(200);
  const data = r.json().data as { activeTargets: Target[]; droppedTargets: Target[] };
  return { active: data.activeTargets, dropped: data.droppedTargets };
}

/** The Consul service IDs among a pool's targets, sorted. */
const ids = (ts: Target[], pool: string): string[] =>
  ts.filter((t) => t.scrapePool === pool || t.discoveredLabels['job'] === pool).map((t) => t.discoveredLabels['__meta_consul_service_id']!).sort();

/** Waits until the pool's active targets are exactly `want` (by service ID); returns how long it took. */
async function activeBecomes(pool: string, want: string[], what: string): Promise<number> {
  const t0 = Date.now();
  await eventually(async () => JSON.stringify(ids((await targets()).active, pool)) === JSON.stringify(want), `${what} (scraper output: ${scraper.output().slice(-1_500)})`, 150, 200);
  return Date.now() - t0;
}

beforeAll(async () => {
  // CI installs victoria-metrics (.ci/run): without it this fails, it does not skip.
  binaryVersion(SCRAPER, '-version');

  for (const [name, ip] of [['api-1', API1], ['api-2', API2], ['api-3', API3], ['api-4', API4], ['api-c', CLIENT_BACKEND]] as const) {
    backends.set(name, await startBackend(name, ip!));
  }
  dev = await startAgent({ ip: DEV, nodeName: 'scraper-dev', extraArgs: ['-datacenter', 'dc-scraper', '-node-meta', 'rack:r1', '-log-level', 'warn'] });

  const dirS = tempDir('proconsul-scraper-server-');
  const dirC = tempDir('proconsul-scraper-client-');
  dirs.push(dirS, dirC);
  const common = (ip: string, node: string, dir: string) => ['-data-dir', dir, '-bind', ip, '-client', ip, '-node', node, '-dns-port', '-1', '-log-level', 'warn'];
  server = await startAgentProcess(['-server', '-bootstrap', ...common(SERVER, 'scraper-server', dirS.path)], `${SERVER}:8500`);
  client = await startAgentProcess([...common(CLIENT, 'scraper-client', dirC.path), '-node-meta', 'rack:r2', '-retry-join', SERVER, '-retry-interval', '1s'], `${CLIENT}:8500`);

  // api-1 passing, api-2 critical (dropped by the relabelling on __meta_consul_health), api-4
  // without the `metrics` tag (never asked for: the SD queries ?tag=metrics).
  await register(dev.url, 'api-1', backends.get('api-1')!, ['metrics', 'v1'], 'passing');
  await register(dev.url, 'api-2', backends.get('api-2')!, ['metrics', 'v1'], 'critical');
  await register(dev.url, 'api-4', backends.get('api-4')!, ['v1'], 'passing');
  await register(client.base, 'api-c', backends.get('api-c')!, ['metrics'], 'passing');

  const dir = tempDir('proconsul-prometheus-');
  dirs.push(dir);
  const job = (name: string, agent: string, rack: string) => `
  - job_name: ${name}
    scrape_interval: 1s
    scrape_timeout: 1s
    consul_sd_configs:
      - server: '${agent}'
        tags: [metrics]
        node_meta: { rack: ${rack} }
    relabel_configs:
      - source_labels: [__meta_consul_health]
        regex: passing
        action: keep
      - source_labels: [__meta_consul_service_id]
        target_label: instance_id
`;
  const config = join(dir.path, 'prometheus.yml');
  writeFileSync(config, `scrape_configs:${job('dev', dev.httpAddr, 'r1')}${job('cluster', `${CLIENT}:8500`, 'r2')}`);
  const port = await freePort(SCRAPER_IP);
  scraperUrl = `http://${SCRAPER_IP}:${port}`;
  // The SD watches with blocking queries; the scraper takes its targets from the watch every
  // -promscrape.consulSDCheckInterval (30 s by default; Prometheus has refresh_interval instead,
  // which this scraper's strict parser refuses).
  scraper = startDaemon(SCRAPER, [
    `-promscrape.config=${config}`,
    '-promscrape.consulSDCheckInterval=1s',
    `-storageDataPath=${join(dir.path, 'data')}`,
    `-httpListenAddr=${SCRAPER_IP}:${port}`,
    '-loggerLevel=WARN',
  ]);
  await eventually(async () => {
    if (scraper.child.exitCode !== null) throw new Error(`scraper exited: ${scraper.output()}`);
    return (await http(scraperUrl, 'GET', '/health')).status === 200;
  }, `scraper ready on ${scraperUrl}`, 150, 200);
}, 120_000);

afterAll(async () => {
  await scraper?.stop();
  await dev?.stop();
  await client?.kill9();
  await server?.kill9();
  for (const b of backends.values()) await b.close();
  for (const d of dirs) d.remove();
});

describe('consul_sd_configs (Prometheus scrape config, run by victoria-metrics) against Proconsul', () => {
  it('discovers the passing instances with the __meta_consul_* labels and scrapes them', async () => {
    await activeBecomes('dev', ['api-1'], 'api-1 as the one active target of job dev');
    const { active, dropped } = await targets();
    const b = backends.get('api-1')!;
    const api1 = active.find((t) => t.scrapePool === 'dev')!;
    expect(api1.discoveredLabels).toMatchObject({
      __address__: `${API1}:${b.port}`,
      __meta_consul_service: 'api',
      __meta_consul_service_id: 'api-1',
      __meta_consul_service_address: API1,
      __meta_consul_service_port: String(b.port),
      __meta_consul_tags: ',metrics,v1,',
      __meta_consul_dc: 'dc-scraper',
      __meta_consul_node: 'scraper-dev',
      __meta_consul_address: DEV,
      __meta_consul_health: 'passing',
      __meta_consul_metadata_rack: 'r1',
      __meta_consul_service_metadata_version: 'v-api-1',
      // Meta keys are sanitized into label names, as Prometheus does.
      __meta_consul_service_metadata_team_name: 'obs',
      __meta_consul_tagged_address_lan: DEV,
    });
    expect(api1.labels).toMatchObject({ instance: `${API1}:${b.port}`, job: 'dev', instance_id: 'api-1' });
    // The critical instance is discovered and dropped by the relabelling; api-4 (no tag) never seen.
    const droppedDev = dropped.filter((t) => t.discoveredLabels['job'] === 'dev');
    expect(ids(droppedDev, 'dev')).toEqual(['api-2']);
    expect(droppedDev[0]!.discoveredLabels['__meta_consul_health']).toBe('critical');

    // It really scrapes it.
    const up = await eventually(async () => (await targets()).active.find((t) => t.scrapePool === 'dev' && t.health === 'up'), `api-1 scraped (${scraper.output().slice(-1_000)})`, 150, 200);
    expect(up.lastError).toBe('');
    expect(b.hits.get('/metrics')).toBeGreaterThan(0);
  }, 60_000);

  it('follows registrations, deregistrations and health changes within seconds (blocking queries)', async () => {
    await activeBecomes('dev', ['api-1'], 'the starting state');
    await register(dev.url, 'api-3', backends.get('api-3')!, ['metrics'], 'passing');
    expect(await activeBecomes('dev', ['api-1', 'api-3'], 'api-3 registered')).toBeLessThan(12_000);

    expect((await http(dev.url, 'PUT', '/v1/agent/service/deregister/api-1')).status).toBe(200);
    expect(await activeBecomes('dev', ['api-3'], 'api-1 deregistered')).toBeLessThan(12_000);

    expect((await http(dev.url, 'PUT', '/v1/agent/check/pass/service:api-2')).status).toBe(200);
    expect(await activeBecomes('dev', ['api-2', 'api-3'], 'api-2 passing')).toBeLessThan(12_000);
    expect((await http(dev.url, 'PUT', '/v1/agent/check/fail/service:api-3')).status).toBe(200);
    expect(await activeBecomes('dev', ['api-2'], 'api-3 critical')).toBeLessThan(12_000);
    await eventually(async () => (await targets()).active.find((t) => t.scrapePool === 'dev' && t.health === 'up' && t.labels['instance_id'] === 'api-2'), 'api-2 scraped', 150, 200);
  }, 90_000);

  it('discovers through a client agent of a cluster (node, address and node meta of the client)', async () => {
    await activeBecomes('cluster', ['api-c'], 'api-c through the client agent');
    const t = (await targets()).active.find((x) => x.scrapePool === 'cluster')!;
    expect(t.discoveredLabels).toMatchObject({
      __address__: `${CLIENT_BACKEND}:${backends.get('api-c')!.port}`,
      __meta_consul_node: 'scraper-client',
      __meta_consul_address: CLIENT,
      __meta_consul_dc: 'dc1',
      __meta_consul_metadata_rack: 'r2',
      __meta_consul_service: 'api',
    });
    await eventually(async () => (await targets()).active.find((x) => x.scrapePool === 'cluster' && x.health === 'up'), 'api-c scraped', 150, 200);
  }, 60_000);
});
