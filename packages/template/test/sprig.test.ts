// The sprig_* and spew_* functions end to end: the proconsul-template CLI
// renders from a real agent's catalog and KV through Sprig's pipelines, and
// spew_dump prints to the process's stdout as consul-template's does.
import { execFileSync } from 'node:child_process';
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

  it('builds certificates, parses Go layouts and types integers as Sprig does; honours the denylist', async () => {
    const { cli, out } = once('certs', [
      '{{- $ca := sprig_genCA "proconsul-ca" 30 -}}',
      '{{- $c := sprig_genSignedCert "web.service.consul" (sprig_list "127.0.108.11") (sprig_list "web.service.consul") 30 $ca -}}',
      '{{ $ca.Cert }}{{ $c.Cert }}{{ $c.Key }}',
      '{{ (sprig_toDate "2006-01-02" "2017-12-31").Format "02/01/2006" }} {{ printf "%T %T %T" (sprig_add 1 2) (len "ab") (sprig_int (sprig_add 1 2)) }}',
    ].join('\n'));
    expect(await cli.exited, cli.output()).toBe(0);
    const text = readFileSync(out, 'utf8');
    const blocks = text.match(/-----BEGIN ([A-Z ]+)-----\n[\s\S]+?-----END \1-----\n/g)!;
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(['-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE-----', '-----BEGIN RSA PRIVATE KEY-----']);
    writeFileSync(join(dir, 'ca.pem'), blocks[0]!);
    writeFileSync(join(dir, 'leaf.pem'), blocks[1]!);
    expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' })).toMatch(/: OK\n$/);
    expect(execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', join(dir, 'leaf.pem')], { encoding: 'utf8' })).toContain('DNS:web.service.consul, IP Address:127.0.108.11');
    expect(text.slice(text.lastIndexOf('-----\n') + 6)).toBe('\n31/12/2017 int64 int int');

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
