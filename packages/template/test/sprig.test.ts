// The sprig_* and spew_* functions end to end: the proconsul-template CLI
// renders from a real agent's catalog and KV through Sprig's pipelines, and
// spew_dump prints to the process's stdout as consul-template's does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerService, startCli } from './helpers.js';

const IP = '127.0.108.1';
let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'pct-sprig-'));

beforeAll(async () => {
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn'] });
  await registerService(agent.url, { Name: 'web', ID: 'web-1', Address: '127.0.108.11', Port: 8080, Tags: ['v2', 'blue'] });
  await registerService(agent.url, { Name: 'web', ID: 'web-2', Address: '127.0.108.12', Port: 8081, Tags: ['v1'] });
  await api(agent.url, 'PUT', '/v1/kv/app/config', JSON.stringify({ name: 'shop', replicas: 3, regions: ['eu', 'us'] }));
  await api(agent.url, 'PUT', '/v1/kv/app/version', 'v1.4.2');
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const once = (name: string, text: string, extra: string[] = []) => {
  const src = join(dir, `${name}.tmpl`);
  const out = join(dir, `${name}.out`);
  writeFileSync(src, text);
  return { cli: startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`, '-once', ...extra]), out, src };
};

describe('sprig_ and spew_ functions in proconsul-template', () => {
  it('renders a template built from several Sprig functions', async () => {
    const { cli, out } = once('app', [
      '{{- $cfg := key "app/config" | sprig_fromJson -}}',
      '{{- $addrs := sprig_list -}}',
      '{{- range service "web" }}{{ $addrs = sprig_append $addrs (printf "%s:%d" .Address .Port) }}{{ end -}}',
      'name={{ $cfg.name | sprig_upper | sprig_quote }}',
      'replicas={{ sprig_add1 $cfg.replicas }} regions={{ $cfg.regions | sprig_join "," }}',
      'upstreams={{ $addrs | sprig_sortAlpha | sprig_join " " }}',
      'tags={{ range service "web" }}{{ sprig_without .Tags "v1" | sprig_sortAlpha | sprig_join "+" }};{{ end }}',
      '{{ if sprig_semverCompare ">=1.4, <2" (key "app/version") }}modern {{ (sprig_semver (key "app/version")).IncMinor }}{{ end }}',
      'id={{ "web-1" | sprig_sha256sum | sprig_trunc 12 }} {{ sprig_regexReplaceAll "(\\\\d+)" "web-01" "<$1>" }}',
      '{{ sprig_dict "b" 2 "a" 1 | sprig_toJson }} {{ sprig_default "fallback" (keyOrDefault "app/none" "") }}',
      '{{ sprig_list 1 "x" | spew_sdump }}',
    ].join('\n'));
    expect(await cli.exited, cli.output()).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe([
      'name="SHOP"',
      'replicas=4 regions=eu,us',
      'upstreams=127.0.108.11:8080 127.0.108.12:8081',
      'tags=blue+v2;;',
      'modern 1.5.0',
      'id=c4719afa76fa web-<01>',
      '{"a":1,"b":2} fallback',
      '([]interface {}) (len=2 cap=2) {\n (int) 1,\n (string) (len=1) "x"\n}\n',
    ].join('\n'));
  });

  it('spew_dump and spew_printf write to stdout and render nothing', async () => {
    const { cli, out } = once('spew', '[{{ spew_dump (sprig_dict "k" (sprig_list "v")) }}{{ spew_printf "%d-%s\\n" 7 "x" }}]');
    expect(await cli.exited).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('[]');
    expect(cli.output()).toContain('(map[string]interface {}) (len=1) {\n (string) (len=1) "k": ([]interface {}) (len=1 cap=1) {\n  (string) (len=1) "v"\n }\n}\n7-x\n');
  });

  it('refuses an unsupported Sprig function before rendering, and honours the denylist', async () => {
    const refused = once('refused', 'ok\n{{ sprig_genCA "proconsul" 365 }}');
    expect(await refused.cli.exited).toBe(1);
    expect(refused.cli.output()).toMatch(/^proconsul-template: template: .*refused\.tmpl:2:\d+: function "sprig_genCA" is not supported by proconsul-template \(it builds X\.509 certificates\)\n$/);

    // function_denylist "sprig_*": the names stay known, a call fails the render.
    const src = join(dir, 'denied.tmpl');
    writeFileSync(src, '{{ sprig_upper "x" }}');
    const config = join(dir, 'denied.hcl');
    writeFileSync(config, `template {\n  source = "${src}"\n  destination = "${join(dir, 'denied.out')}"\n  function_denylist = ["sprig_*"]\n}\n`);
    const denied = startCli(['-consul-addr', agent.httpAddr, '-config', config, '-once']);
    expect(await denied.exited).toBe(1);
    expect(denied.output()).toContain('function is disabled');
  });
});
