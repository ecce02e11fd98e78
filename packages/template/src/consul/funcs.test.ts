// Multi-pass rendering semantics, driven through the Brain (the seam the
// watchers fill) and a real TemplateRenderer.
import { describe, expect, it } from 'vitest';
import { Brain } from './brain.js';
import { CatalogSnippet, HealthService, KeyPair, ServiceTags } from './data.js';
import { TemplateRenderer } from '../runner/render.js';

function entry(node: string, id: string, port: number, tags: string[] = [], status = 'passing') {
  return new HealthService(
    {
      Node: { ID: 'n-' + node, Node: node, Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: null, Meta: { rack: 'r1' }, CreateIndex: 1, ModifyIndex: 1 },
      Service: { ID: id, Service: 'web', Tags: tags, Address: '', Meta: { v: '2' }, Port: port, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, CreateIndex: 1, ModifyIndex: 1 },
      Checks: [],
    },
    status,
  );
}

function kv(key: string, rel: string, value: string) {
  return new KeyPair({ Key: key, Value: Buffer.from(value).toString('base64'), LockIndex: 0, Flags: 0, CreateIndex: 1, ModifyIndex: 2 }, rel);
}

describe('multi-pass rendering', () => {
  it('discovers dependencies on the first pass and completes once all have values', () => {
    const brain = new Brain();
    const r = new TemplateRenderer(brain, { name: 'up.ctmpl', text: '{{range service "web"}}{{.Address}}:{{.Port}} {{end}}|{{keyOrDefault "cfg/x" "dflt"}}' });
    const first = r.render();
    expect(first.complete).toBe(false);
    expect([...first.missing.keys()].sort()).toEqual(['health.service(web|passing)', 'kv.get(cfg/x)']);
    brain.remember('health.service(web|passing)', [entry('n1', 'a', 80), entry('n2', 'b', 81)]);
    expect(r.render().complete).toBe(false);
    brain.remember('kv.get(cfg/x)', { exists: false, value: '' });
    const done = r.render();
    expect(done.complete).toBe(true);
    expect(done.contents).toBe('10.0.0.1:80 10.0.0.1:81 |dflt');
  });

  it('keyOrDefault yields its default while the key is unknown; key holds the render until the key exists', () => {
    const brain = new Brain();
    const withDefault = new TemplateRenderer(brain, { name: 'a', text: '[{{keyOrDefault "k" "d"}}]' });
    const strict = new TemplateRenderer(brain, { name: 'b', text: '[{{key "k"}}]' });
    brain.remember('kv.get(k)', { exists: false, value: '' });
    expect(withDefault.render()).toMatchObject({ complete: true, contents: '[d]' });
    const waiting = strict.render();
    expect(waiting.complete).toBe(false);
    expect([...waiting.absentKeys]).toEqual(['kv.get(k)']);
    brain.remember('kv.get(k)', { exists: true, value: 'v' });
    expect(strict.render()).toMatchObject({ complete: true, contents: '[v]' });
    expect(withDefault.render().contents).toBe('[v]');
  });

  it('ls keeps top-level keys, tree all leaves; safeLs holds the render on an empty prefix', () => {
    const brain = new Brain();
    brain.remember('kv.list(app)', [kv('app/', '', ''), kv('app/a', 'a', '1'), kv('app/sub/', 'sub/', ''), kv('app/sub/b', 'sub/b', '2')]);
    const r = new TemplateRenderer(brain, { name: 't', text: '{{range ls "app"}}{{.Key}}={{.Value}};{{end}}|{{range tree "app"}}{{.Key}}={{.Value}};{{end}}' });
    expect(r.render().contents).toBe('a=1;|a=1;sub/b=2;');
    brain.remember('kv.list(empty)', []);
    expect(new TemplateRenderer(brain, { name: 't', text: '{{range ls "empty"}}x{{end}}ok' }).render()).toMatchObject({ complete: true, contents: 'ok' });
    expect(new TemplateRenderer(brain, { name: 't', text: '{{range safeLs "empty"}}x{{end}}ok' }).render().complete).toBe(false);
    expect(new TemplateRenderer(brain, { name: 't', text: '{{range safeTree "empty"}}x{{end}}ok' }).render().complete).toBe(false);
  });

  it('exposes consul-template field names; an unknown field is an error naming file, line and column', () => {
    const brain = new Brain();
    brain.remember('health.service(web|passing)', [entry('n1', 'a', 80, ['b', 'a'])]);
    const ok = new TemplateRenderer(brain, {
      name: 'f.ctmpl',
      text: '{{with index (service "web") 0}}{{.Node}} {{.NodeAddress}} {{.ID}} {{.Name}} {{.Port}} {{.Tags}} {{.Status}} {{.ServiceMeta.v}} {{.NodeMeta.rack}} {{.Tags.Contains "a"}}{{end}}',
    }).render();
    expect(ok.contents).toBe('n1 10.0.0.1 a web 80 [a b] passing 2 r1 true');
    const bad = new TemplateRenderer(brain, { name: 'f.ctmpl', text: 'line1\n{{range service "web"}}{{.Nmae}}{{end}}' }).render();
    expect(bad.complete).toBe(false);
    expect(bad.error?.message).toBe('template: f.ctmpl:2:25: executing "f.ctmpl" at <.Nmae>: can\'t evaluate field Nmae in type *dependency.HealthService');
  });

  it('byTag groups services by tag, in sorted order', () => {
    const brain = new Brain();
    brain.remember('catalog.services', [new CatalogSnippet('db', ServiceTags.from_(['primary'])), new CatalogSnippet('web', ServiceTags.from_(['prod', 'edge']))]);
    const r = new TemplateRenderer(brain, { name: 't', text: '{{range $tag, $s := services | byTag}}{{$tag}}:{{range $s}}{{.Name}}{{end}} {{end}}' });
    expect(r.render().contents).toBe('edge:web primary:db prod:web ');
  });

  it('env and envOrDefault read the environment given', () => {
    const brain = new Brain();
    const r = new TemplateRenderer(brain, { name: 't', text: '{{env "A"}}|{{env "NOPE"}}|{{envOrDefault "NOPE" "d"}}|{{envOrDefault "E" "d"}}', env: { A: '1', E: '' } });
    expect(r.render().contents).toBe('1||d|');
  });

  it('env reads only set variables, not Object.prototype members', () => {
    const r = new TemplateRenderer(new Brain(), { name: 't', text: '[{{env "toString"}}|{{env "constructor"}}|{{envOrDefault "valueOf" "d"}}]', env: { A: '1' } });
    const out = r.render();
    expect(out.error).toBeUndefined();
    expect(out.contents).toBe('[||d]');
  });

  it('keeps a service tagged address named "__proto__"', () => {
    const tagged = JSON.parse('{"__proto__":{"Address":"10.1.1.1","Port":81}}') as Record<string, { Address: string; Port: number }>;
    const e = { Node: { Node: 'n1', Address: '10.0.0.1' }, Service: { ID: 'a', Service: 'web', Port: 80, Tags: [], TaggedAddresses: tagged }, Checks: [] };
    const brain = new Brain();
    brain.remember('health.service(web|passing)', [new HealthService(e as never, 'passing')]);
    const r = new TemplateRenderer(brain, { name: 't', text: '{{range service "web"}}{{range $k, $v := .ServiceTaggedAddresses}}{{$k}}={{$v.Address}}:{{$v.Port}}{{end}}{{end}}' });
    const out = r.render();
    expect(out.error).toBeUndefined();
    expect(out.contents).toBe('__proto__=10.1.1.1:81');
  });
});

describe('byKey', () => {
  it('groups a tree by its top-level key, stripping it', () => {
    const brain = new Brain();
    brain.remember('kv.list(svc)', [kv('svc/es/a', 'es/a', '1'), kv('svc/es/b', 'es/b', '2'), kv('svc/redis/x/y', 'redis/x/y', '3'), kv('svc/top', 'top', '4')]);
    const r = new TemplateRenderer(brain, { name: 't', text: '{{range $k, $pairs := tree "svc" | byKey}}{{$k}}:{{range $pairs}}{{.Key}}={{.Value}},{{end}};{{end}}' });
    expect(r.render().contents).toBe('es:a=1,b=2,;redis:x/y=3,;');
  });
});

describe('executeTemplate', () => {
  it('renders a defined template to a string that can be piped', () => {
    const r = new TemplateRenderer(new Brain(), { name: 't', text: '{{define "row"}}<{{.}}>{{end}}{{executeTemplate "row" "x" | toUpper}}{{executeTemplate "row"}}' });
    expect(r.render().contents).toBe('<X><<no value>>');
  });
});

describe('KV trees through the map and format helpers', () => {
  it('tree | explode | toYAML / toTOML / toUnescapedJSONPretty', () => {
    const brain = new Brain();
    brain.remember('kv.list(config)', [kv('config/', '', ''), kv('config/app/name', 'app/name', 'web'), kv('config/app/port', 'app/port', '8080'), kv('config/db/hosts', 'db/hosts', 'a, b'), kv('config/debug', 'debug', 'true')]);
    const render = (text: string) => new TemplateRenderer(brain, { name: 't', text }).render();
    expect(render('{{ tree "config" | explode | toYAML }}').contents).toBe('app:\n  name: web\n  port: "8080"\ndb:\n  hosts: a, b\ndebug: "true"');
    expect(render('{{ tree "config" | explode | toTOML }}').contents).toBe('debug = "true"\n\n[app]\n  name = "web"\n  port = "8080"\n\n[db]\n  hosts = "a, b"');
    // consul-template's helper_toUnescapedJSONPretty
    brain.remember('kv.list(key)', [kv('key/a', 'a', 'b&c'), kv('key/x', 'x', 'y&z'), kv('key/k', 'k', '<>&&')]);
    expect(render('{{ tree "key" | explode | toUnescapedJSONPretty }}').contents).toBe('{\n  "a": "b&c",\n  "k": "<>&&",\n  "x": "y&z"\n}');
  });

  it('mergeMap fills a parsed default from the tree', () => {
    const brain = new Brain();
    brain.remember('kv.list(list)', [kv('list/', '', ''), kv('list/foo/bar', 'foo/bar', 'a'), kv('list/zip/zap', 'zip/zap', 'b')]);
    const r = new TemplateRenderer(brain, { name: 't', text: '{{ $base := "{\\"voo\\":{\\"bar\\":\\"v\\"}}" | parseJSON }}{{ $role := tree "list" | explode | mergeMap $base }}{{ range $k, $v := $role }}{{ $k }}{{ $v }}{{ end }}' });
    expect(r.render().contents).toBe('foomap[bar:a]voomap[bar:v]zipmap[zap:b]');
  });

  it('explode names the key that is both a value and a folder', () => {
    const brain = new Brain();
    brain.remember('kv.list(cfg)', [kv('cfg/a', 'a', 'x'), kv('cfg/a/b', 'a/b', '1')]);
    const out = new TemplateRenderer(brain, { name: 't', text: '{{ tree "cfg" | explode }}' }).render();
    expect(out.complete).toBe(false);
    expect(out.error?.message).toBe('template: t:1:16: executing "t" at <explode>: error calling explode: explode: not a map: "a/b": "a" already has value "x"');
  });
});

describe('mustEnv', () => {
  it("consul-template's helper_mustEnv and helper_mustEnv_negative", () => {
    const ok = new TemplateRenderer(new Brain(), { name: 't', text: '{{ mustEnv "CT_TEST" }}', env: { CT_TEST: '1' } }).render();
    expect(ok).toMatchObject({ complete: true, contents: '1' });
    for (const env of [{}, { CT_TEST_NONEXISTENT: '' }, { toString: undefined }]) {
      const bad = new TemplateRenderer(new Brain(), { name: 't', text: '{{ mustEnv "CT_TEST_NONEXISTENT" }}', env }).render();
      expect(bad.complete).toBe(false);
      expect(bad.error?.message).toMatch(/error calling mustEnv: required environment variable CT_TEST_NONEXISTENT is empty$/);
    }
  });
});
