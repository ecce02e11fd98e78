// proconsul-template against an agent's HTTPS listener: the CA from CONSUL_CACERT, the scheme
// from the address (https://) or CONSUL_HTTP_SSL, as consul-template reads them through the Go
// client, or consul-template's own `consul { ssl { ... } }` block. Certificates come from
// `proconsul tls`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startAgent, stopProcess, tempDir, type AgentProcess, type TempDir } from '@proconsul/testing';
import { api, startCli } from './helpers.js';

const IP = '127.0.71.51';
let dir: TempDir;
let agent: AgentProcess;
const f = (n: string): string => join(dir.path, n);

beforeAll(async () => {
  dir = tempDir('proconsul-template-https-');
  for (const args of [['ca', 'create'], ['cert', 'create', '-server', '-additional-ipaddress', IP]]) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/bin/proconsul.js'), 'tls', ...args], { cwd: dir.path, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  writeFileSync(f('tls.json'), JSON.stringify({ tls: { defaults: { ca_file: f('consul-agent-ca.pem'), cert_file: f('dc1-server-consul-0.pem'), key_file: f('dc1-server-consul-0-key.pem') } } }));
  agent = await startAgent({ ip: IP, extraArgs: ['-https-port', '8501', '-config-file', f('tls.json'), '-log-level', 'warn'] });
  await api(agent.url, 'PUT', '/v1/kv/tls/greeting', 'over https');
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  dir?.remove();
});

describe('proconsul-template over HTTPS', () => {
  it.each([
    ['https:// and CONSUL_CACERT', `https://${IP}:8501`, {}],
    ['CONSUL_HTTP_SSL=true and CONSUL_CACERT', `${IP}:8501`, { CONSUL_HTTP_SSL: 'true' }],
  ])('renders with %s', async (_what, addr, extra) => {
    writeFileSync(f('t.ctmpl'), '{{key "tls/greeting"}}\n');
    const out = f(`out-${Object.keys(extra).length}.txt`);
    const cli = startCli(['-consul-addr', addr, '-template', `${f('t.ctmpl')}:${out}`, '-once'], { PATH: process.env['PATH'] ?? '', CONSUL_CACERT: f('consul-agent-ca.pem'), ...extra });
    expect(await cli.exited, cli.output()).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('over https\n');
  });

  it('renders with the consul.ssl block of a config file, no environment (consul-template\'s keys)', async () => {
    writeFileSync(f('t.ctmpl'), '{{key "tls/greeting"}}\n');
    const out = f('from-config.txt');
    writeFileSync(
      f('ct.hcl'),
      `consul {\n  address = "${IP}:8501"\n  ssl {\n    ca_cert = "${f('consul-agent-ca.pem')}"\n  }\n}\ntemplate {\n  source = "${f('t.ctmpl')}"\n  destination = "${out}"\n}\n`,
    );
    const cli = startCli(['-config', f('ct.hcl'), '-once'], { PATH: process.env['PATH'] ?? '' });
    expect(await cli.exited, cli.output()).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('over https\n');
  });

  it('renders nothing without the CA (the agent is not trusted)', async () => {
    writeFileSync(f('t.ctmpl'), '{{key "tls/greeting"}}\n');
    const out = f('untrusted.txt');
    const cli = startCli(['-consul-addr', `https://${IP}:8501`, '-template', `${f('t.ctmpl')}:${out}`, '-once'], { PATH: process.env['PATH'] ?? '' });
    await new Promise((r) => setTimeout(r, 3_000));
    await stopProcess(cli.proc);
    expect(existsSync(out)).toBe(false);
    expect(cli.output()).toMatch(/certificate/i);
  });
});
