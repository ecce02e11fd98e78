// The `?peer=`, `?ns=` and `?partition=` part of consul-template's queries against two real,
// peered Proconsul clusters: A (127.0.125.1, dc1) exports `web` to B (127.0.125.2, dc2), which
// renders `service "web?peer=cluster-a"` from what A exports, re-rendered when A's instances
// change. A namespace or partition is sent as consul-template sends it, and refused as a Consul
// CE 1.17 agent refuses it (agent/http_ce.go), so those templates never render.
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

const register = (base: string, node: string, id: string, address: string) =>
  api(base, 'PUT', '/v1/catalog/register', { Node: node, Address: address, Service: { ID: id, Service: 'web', Port: 8080, Tags: ['v1'] } });

beforeAll(async () => {
  pair = await startPeeredPair(['127.0.125.1', '127.0.125.2'], 'pct-query-');
  ({ a, b, dir } = pair);
  await register(a.url, 'a1', 'web-1', '10.0.0.1');
  await api(a.url, 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: [{ Name: 'web', Consumers: [{ Peer: 'cluster-b' }] }] });
}, 90_000);
afterAll(async () => {
  await pair?.stop();
});

const tmpl = (name: string, contents: string) => templateIn(dir.path, name, contents);
const runnerFor = (agent: AgentProcess, templates: TemplateConfig[], logs: string[] = []) => runnerAgainst(agent.httpAddr, templates, logs);
const read = readOrEmpty;

describe('service "name?peer=..."', () => {
  it('renders what the peer exports, apart from local instances, and re-renders on change', async () => {
    // B has its own `web`: never mixed with the imported one.
    await register(b.url, 'b1', 'web-local', '10.0.1.1');
    const imported = tmpl('imported.txt', '{{ range service "web?peer=cluster-a" }}{{ .Node }} {{ .ID }} {{ .Address }}:{{ .Port }} {{ .Tags }} {{ .Status }}\n{{ end }}');
    const tagged = tmpl('tagged.txt', '{{ range service "v1.web?peer=cluster-a|any" }}{{ .ID }}\n{{ end }}');
    const local = tmpl('local.txt', '{{ range service "web" }}{{ .ID }}\n{{ end }}');
    const runner = runnerFor(b, [imported, tagged, local]);
    runner.start();
    try {
      await waitFor(() => read(imported.destination) === 'a1 web-1 10.0.0.1:8080 [v1] passing\n', 'the imported instance rendered', 30_000);
      await waitFor(() => read(tagged.destination) === 'web-1\n', 'tag and filter with a peer', 10_000);
      await waitFor(() => read(local.destination) === 'web-local\n', 'the local instance rendered', 10_000);
      expect(runner.dependencies()).toEqual(['health.service(v1.web@peer=cluster-a|any)', 'health.service(web@peer=cluster-a|passing)', 'health.service(web|passing)']);
      // A second instance on A reaches B's template through the peering stream.
      await register(a.url, 'a2', 'web-2', '10.0.0.2');
      await waitFor(() => read(imported.destination) === 'a1 web-1 10.0.0.1:8080 [v1] passing\na2 web-2 10.0.0.2:8080 [v1] passing\n', 'the new imported instance re-rendered', 30_000);
      expect(read(local.destination)).toBe('web-local\n');
    } finally {
      runner.stop();
    }
  }, 90_000);

  it('a peer nobody peered with renders nothing; -once with a bad key fails with consul-template\'s text', async () => {
    const none = tmpl('none.txt', '[{{ range service "web?peer=nobody" }}{{ .ID }}{{ end }}]');
    const runner = runnerFor(b, [none]);
    runner.start();
    try {
      await waitFor(() => read(none.destination) === '[]', 'an unknown peer is an empty list, as in Consul', 20_000);
    } finally {
      runner.stop();
    }
    const src = join(dir.path, 'bad.ctmpl');
    writeFileSync(src, '{{ service "web?passing" }}');
    const cli = startCli(['-consul-addr', b.httpAddr, '-template', `${src}:${join(dir.path, 'bad.txt')}`, '-once']);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('health.service: invalid query parameter key "passing" in query "passing": supported keys: ns,peer,partition,sameness-group');
  }, 60_000);
});

describe('?ns= and ?partition=: sent, and refused as by Consul CE', () => {
  it('service, key, ls, node and services with a namespace or partition never render; nodes ignores a namespace', async () => {
    await api(a.url, 'PUT', '/v1/kv/app/a', 'one');
    const logs: string[] = [];
    const refused = [
      tmpl('ns-service.txt', '{{ range service "web?ns=team" }}{{ .ID }}{{ end }}'),
      tmpl('ns-key.txt', '{{ key "app/a?ns=default" }}'),
      tmpl('part-ls.txt', '{{ range ls "app?partition=p" }}{{ .Key }}{{ end }}'),
      tmpl('part-node.txt', '{{ with node "?partition=p" }}{{ .Node.Node }}{{ end }}'),
      tmpl('ns-services.txt', '{{ range services "?ns=team" }}{{ .Name }}{{ end }}'),
    ];
    const nodes = tmpl('ns-nodes.txt', '{{ range nodes "?ns=team" }}{{ .Node }} {{ end }}');
    const plain = tmpl('plain-key.txt', '{{ key "app/a" }}');
    const runner = runnerFor(a, [...refused, nodes, plain], logs);
    runner.start();
    try {
      const all = () => logs.join('');
      const ns = 'Unexpected response code: 400 (Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature)';
      const partition = 'Unexpected response code: 400 (Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature)';
      await waitFor(() => all().includes(`health.service(web@ns=team|passing): ${ns}`), 'service with ?ns refused', 20_000);
      await waitFor(() => all().includes(`kv.get(app/a@ns=default): ${ns}`), 'key with ?ns=default refused', 20_000);
      await waitFor(() => all().includes(`kv.list(app@partition=p): ${partition}`), 'ls with ?partition refused', 20_000);
      await waitFor(() => all().includes(`catalog.node(@partition=p): ${partition}`), 'node with ?partition refused', 20_000);
      await waitFor(() => all().includes(`catalog.services(@ns=team): ${ns}`), 'services with ?ns refused', 20_000);
      await waitFor(() => read(nodes.destination).split(' ').includes('a1'), 'nodes with ?ns rendered (CE ignores a namespace there)', 20_000);
      await waitFor(() => read(plain.destination) === 'one', 'the same key without a namespace rendered', 20_000);
      for (const t of refused) expect(existsSync(t.destination), t.destination).toBe(false);
    } finally {
      runner.stop();
    }
  }, 60_000);
});
