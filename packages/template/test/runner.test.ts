// The runner against a real agent: shared watchers, writes only on change,
// commands, quiescence, min_instances, key fail-fast, agent outages, and the
// CLI (-once, -dry, SIGHUP reload, errors).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createClient } from '@proconsul/api/node';
import { startAgent, stopProcess, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, Runner, type RunnerConfig, type RunnerEvent, type TemplateConfig } from '../src/index.js';
import { createLogger } from '../src/runner/log.js';
import { api, deregisterService, registerService, startCli } from './helpers.js';

const IP = '127.0.4.11';
let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'pct-runner-'));

beforeAll(async () => {
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn'] });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function tmpl(name: string, contents: string, extra: Partial<TemplateConfig> = {}): TemplateConfig {
  return { contents, destination: join(dir, name), commandTimeoutMs: 10_000, backup: false, errorOnMissingKey: false, createDestDirs: true, minInstances: 0, ...extra };
}

function runnerFor(templates: TemplateConfig[], over: Partial<RunnerConfig> = {}, addr = agent.httpAddr) {
  const config: RunnerConfig = { ...defaultConfig(), templates, blockWaitMs: 10_000, ...over };
  const events: RunnerEvent[] = [];
  const lines: string[] = [];
  const runner = new Runner({
    config,
    client: createClient({ address: addr }),
    log: createLogger('debug', (l) => lines.push(l)),
    onEvent: (e) => events.push(e),
  });
  return { runner, events, lines };
}

const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');

describe('runner with a real agent', () => {
  it('shares one blocking query per dependency between templates and writes only on change', async () => {
    const count = join(dir, 'count.log');
    const a = tmpl('a.conf', '{{range service "alpha"}}{{.ID}}={{.Address}}:{{.Port}}\n{{end}}', { command: `echo a >> '${count}'` });
    const b = tmpl('b.conf', '{{range service "alpha"}}{{.Port}} {{end}}{{keyOrDefault "cfg/b" "none"}}');
    await registerService(agent.url, { Name: 'alpha', ID: 'alpha-1', Address: '127.0.4.101', Port: 8001 });
    const { runner } = runnerFor([a, b]);
    runner.start();
    try {
      await waitFor(() => read(a.destination) === 'alpha-1=127.0.4.101:8001\n', 'a.conf rendered');
      await waitFor(() => read(b.destination) === '8001 none', 'b.conf rendered');
      expect(runner.dependencies()).toEqual(['health.service(alpha|passing)', 'kv.get(cfg/b)']);
      await waitFor(() => read(count) === 'a\n', 'first command');

      await registerService(agent.url, { Name: 'alpha', ID: 'alpha-2', Address: '127.0.4.102', Port: 8002 });
      await waitFor(() => read(a.destination).includes('alpha-2=127.0.4.102:8002'), 'a.conf with alpha-2');
      await waitFor(() => read(b.destination) === '8001 8002 none', 'b.conf with 8002');
      await waitFor(() => read(count) === 'a\na\n', 'second command');

      // A change that does not alter a.conf's output: no write, no command.
      await api(agent.url, 'PUT', '/v1/kv/cfg/b', 'set');
      await waitFor(() => read(b.destination) === '8001 8002 set', 'b.conf with the key');
      expect(read(count)).toBe('a\na\n');
    } finally {
      runner.stop();
      await deregisterService(agent.url, 'alpha-1');
      await deregisterService(agent.url, 'alpha-2');
    }
  });

  it('service filters: passing by default, |any, |passing,warning', async () => {
    const healthy = tmpl('h-default.conf', '{{range service "hc"}}{{.ID}}:{{.Status}} {{end}}.');
    const any = tmpl('h-any.conf', '{{range service "hc|any"}}{{.ID}}:{{.Status}} {{end}}.');
    const pw = tmpl('h-pw.conf', '{{range service "hc|passing,warning"}}{{.ID}}:{{.Status}} {{end}}.');
    await api(agent.url, 'PUT', '/v1/agent/service/register', { Name: 'hc', ID: 'hc-1', Address: '127.0.4.108', Port: 1, Check: { TTL: '60s' } });
    await registerService(agent.url, { Name: 'hc', ID: 'hc-2', Address: '127.0.4.109', Port: 2 });
    const { runner } = runnerFor([healthy, any, pw]);
    runner.start();
    try {
      await waitFor(() => read(any.destination) === 'hc-1:critical hc-2:passing .', 'any shows the critical instance');
      await waitFor(() => read(healthy.destination) === 'hc-2:passing .', 'default hides it');
      await waitFor(() => read(pw.destination) === 'hc-2:passing .', 'passing,warning hides it');
      await api(agent.url, 'PUT', '/v1/agent/check/warn/service:hc-1');
      await waitFor(() => read(pw.destination) === 'hc-1:warning hc-2:passing .', 'warning shown by |passing,warning');
      await waitFor(() => read(any.destination) === 'hc-1:warning hc-2:passing .', 'warning shown by |any');
      expect(read(healthy.destination)).toBe('hc-2:passing .');
      await api(agent.url, 'PUT', '/v1/agent/check/pass/service:hc-1');
      await waitFor(() => read(healthy.destination) === 'hc-1:passing hc-2:passing .', 'passing shown by default');
    } finally {
      runner.stop();
      await deregisterService(agent.url, 'hc-1');
      await deregisterService(agent.url, 'hc-2');
    }
  });

  it('waits for quiescence (-wait) and renders a burst of changes once', async () => {
    const count = join(dir, 'quiet.log');
    const t = tmpl('quiet.conf', '{{range service "burst"}}{{.ID}} {{end}}', { command: `echo x >> '${count}'` });
    await registerService(agent.url, { Name: 'burst', ID: 'burst-0', Address: '127.0.4.103', Port: 9000 });
    // The burst's three registrations must land inside one quiet period: 3 s leaves room for a
    // loaded CI machine (with 1.5 s a rehearsal once rendered twice, or never got there).
    const { runner } = runnerFor([t], { wait: { minMs: 3000, maxMs: 10000 } });
    runner.start();
    try {
      await waitFor(() => read(t.destination) === 'burst-0 ', 'first render');
      await waitFor(() => read(count) === 'x\n', 'first command');
      for (let i = 1; i <= 3; i++) await registerService(agent.url, { Name: 'burst', ID: `burst-${i}`, Address: '127.0.4.103', Port: 9000 + i });
      await waitFor(() => read(t.destination) === 'burst-0 burst-1 burst-2 burst-3 ', 'burst rendered');
      await waitFor(() => read(count) === 'x\nx\n', 'second command');
      expect(read(count)).toBe('x\nx\n');
    } finally {
      runner.stop();
      // Tolerant: a failure before the burst was registered must show, not a 404 from the cleanup.
      for (let i = 0; i <= 3; i++) await deregisterService(agent.url, `burst-${i}`).catch(() => undefined);
    }
  });

  it('min_instances keeps the last file when a service empties', async () => {
    const t = tmpl('guard.conf', 'upstream g {\n{{range service "guarded"}}  server {{.Address}}:{{.Port}};\n{{end}}}\n', { minInstances: 1 });
    await registerService(agent.url, { Name: 'guarded', ID: 'g-1', Address: '127.0.4.104', Port: 7001 });
    const { runner, events } = runnerFor([t]);
    runner.start();
    try {
      await waitFor(() => read(t.destination).includes('127.0.4.104:7001'), 'guarded render');
      await deregisterService(agent.url, 'g-1');
      await waitFor(() => events.some((e) => e.type === 'held'), 'held event');
      expect(read(t.destination)).toBe('upstream g {\n  server 127.0.4.104:7001;\n}\n');
    } finally {
      runner.stop();
    }
  });

  it('key of a missing key fails fast after key_timeout, then renders once the key exists', async () => {
    const t = tmpl('key.conf', 'v={{key "app/missing"}}');
    const { runner, events, lines } = runnerFor([t], { keyTimeoutMs: 300 });
    runner.start();
    try {
      await waitFor(() => events.find((e) => e.type === 'error'), 'key timeout error');
      expect(lines.join('')).toContain('key "app/missing" does not exist after 300ms');
      expect(existsSync(t.destination)).toBe(false);
      await api(agent.url, 'PUT', '/v1/kv/app/missing', 'here');
      await waitFor(() => read(t.destination) === 'v=here', 'key render');
    } finally {
      runner.stop();
    }
  });

  it('keeps the last files while the agent is unreachable, says so once, and catches up', async () => {
    const other = await startAgent({ ip: '127.0.4.12', extraArgs: ['-log-level', 'warn'] });
    const t = tmpl('outage.conf', '{{range service "db"}}{{.Address}} {{end}}');
    await registerService(other.url, { Name: 'db', ID: 'db-1', Address: '127.0.4.105', Port: 5432 });
    const { runner, lines } = runnerFor([t], { consul: { retry: { enabled: true, attempts: 0, backoffMs: 20, maxBackoffMs: 200 }, ssl: {} } }, other.httpAddr);
    runner.start();
    try {
      await waitFor(() => read(t.destination) === '127.0.4.105 ', 'render before outage');
      await other.stop();
      await waitFor(() => lines.some((l) => l.includes('agent unreachable')), 'unreachable log');
      // Several retries later it has still been said once, and the file is intact.
      await new Promise((r) => setTimeout(r, 1500));
      expect(lines.filter((l) => l.includes('agent unreachable'))).toHaveLength(1);
      expect(read(t.destination)).toBe('127.0.4.105 ');
      await other.restart(); // the same address and ports
      await registerService(other.url, { Name: 'db', ID: 'db-2', Address: '127.0.4.106', Port: 5432 });
      await waitFor(() => read(t.destination) === '127.0.4.106 ', 'render after outage', 30_000).catch((e) => { console.log(lines.join('')); throw e; });
      expect(lines.some((l) => l.includes('agent reachable again'))).toBe(true);
    } finally {
      runner.stop();
      await other.stop();
    }
  }, 60_000);
});

describe('proconsul-template CLI', () => {
  it('-once renders and exits 0; -dry prints instead of writing', async () => {
    await registerService(agent.url, { Name: 'cli', ID: 'cli-1', Address: '127.0.4.107', Port: 81 });
    const src = join(dir, 'cli.ctmpl');
    writeFileSync(src, '{{range service "cli"}}server {{.Address}}:{{.Port}};{{end}}\n');
    const out = join(dir, 'cli.conf');
    const once = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`, '-once']);
    expect(await once.exited).toBe(0);
    expect(read(out)).toBe('server 127.0.4.107:81;\n');
    const dry = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${join(dir, 'never.conf')}`, '-once', '-dry']);
    expect(await dry.exited).toBe(0);
    expect(dry.output()).toContain(`> ${join(dir, 'never.conf')}\nserver 127.0.4.107:81;\n`);
    expect(existsSync(join(dir, 'never.conf'))).toBe(false);
  });

  it('renders every Consul function against the agent', async () => {
    await registerService(agent.url, { Name: 'fn', ID: 'fn-1', Address: '127.0.4.110', Port: 91, Tags: ['blue', 'prod'] });
    await registerService(agent.url, { Name: 'fn', ID: 'fn-2', Address: '127.0.4.111', Port: 92, Tags: ['green'] });
    await api(agent.url, 'PUT', '/v1/kv/fn/a', '1');
    await api(agent.url, 'PUT', '/v1/kv/fn/sub/b', '2');
    const src = join(dir, 'fn.ctmpl');
    writeFileSync(src, [
      'tag={{range service "blue.fn"}}{{.ID}}{{end}}',
      'all={{range service "fn"}}{{.ID}}:{{.Tags}} {{end}}',
      'key={{key "fn/a"}} def={{keyOrDefault "fn/none" "d"}} exists={{keyExists "fn/a"}}/{{keyExists "fn/none"}}',
      'ls={{range ls "fn"}}{{.Key}}={{.Value}} {{end}}tree={{range tree "fn"}}{{.Key}}={{.Value}} {{end}}',
      'services={{range services}}{{if eq .Name "fn"}}{{.Name}}{{.Tags}}{{end}}{{end}}',
      'nodes={{range nodes}}{{.Address}}{{end}} self={{with node}}{{.Node.Address}}{{range .Services}} {{.ID}}{{end}}{{end}}',
      'dcs={{datacenters}}',
      '',
    ].join('\n'));
    const out = join(dir, 'fn.conf');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`, '-once']);
    expect(await cli.exited).toBe(0);
    const text = read(out);
    expect(text).toContain('tag=fn-1\n');
    expect(text).toContain('all=fn-1:[blue prod] fn-2:[green] \n');
    expect(text).toContain('key=1 def=d exists=true/false\n');
    expect(text).toContain('ls=a=1 tree=a=1 sub/b=2 \n');
    expect(text).toContain('services=fn[blue green prod]\n');
    expect(text).toMatch(new RegExp(`nodes=${IP} self=${IP}.* fn-1 fn-2`));
    expect(text).toContain('dcs=[dc1]\n');
  });

  it('a template syntax error exits 1 with one line naming file, line and column', async () => {
    const src = join(dir, 'broken.ctmpl');
    writeFileSync(src, 'ok\n{{ range service "x" }}\n{{ .Port }\n');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${join(dir, 'broken.conf')}`, '-once']);
    expect(await cli.exited).toBe(1);
    expect(cli.output().trim().split('\n')).toHaveLength(1);
    expect(cli.output()).toMatch(new RegExp(`^proconsul-template: template: ${src}:3:\\d+: `));
  });

  it('-once exits 1 when the command fails; -exec exits with the child', async () => {
    const src = join(dir, 'cmd.ctmpl');
    writeFileSync(src, '{{keyOrDefault "cmd" "x"}}');
    const failing = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${join(dir, 'cmd.conf')}:exit 4`, '-once']);
    expect(await failing.exited).toBe(1);
    expect(failing.output()).toContain('failed: exit status 4');
    const exec = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${join(dir, 'exec.conf')}`, '-exec', 'cat ' + join(dir, 'exec.conf') + '; exit 3']);
    expect(await exec.exited).toBe(3);
    expect(exec.output()).toContain('x');
  });

  it('file re-renders when the file changes', async () => {
    const data = join(dir, 'data.txt');
    const out = join(dir, 'file.conf');
    writeFileSync(data, 'one');
    const src = join(dir, 'file.ctmpl');
    writeFileSync(src, '[{{ file "' + data + '" }}]');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`]);
    try {
      await waitFor(() => read(out) === '[one]', 'file render');
      writeFileSync(data, 'two');
      await waitFor(() => read(out) === '[two]', 'file re-render');
    } finally {
      await stopProcess(cli.proc);
    }
  });

  it('SIGHUP reloads the template source', async () => {
    const src = join(dir, 'hup.ctmpl');
    const out = join(dir, 'hup.conf');
    writeFileSync(src, 'v1 {{keyOrDefault "hup" "x"}}');
    const cli = startCli(['-consul-addr', agent.httpAddr, '-template', `${src}:${out}`]);
    try {
      await waitFor(() => read(out) === 'v1 x', 'first render');
      writeFileSync(src, 'v2 {{keyOrDefault "hup" "x"}}');
      cli.proc.kill('SIGHUP');
      await waitFor(() => read(out) === 'v2 x', 'reloaded render');
      expect(cli.output()).toContain('reloading');
    } finally {
      await stopProcess(cli.proc);
    }
  });

  it('max_stale: asks with ?stale, and asks the leader again when the answer is older than max_stale', async () => {
    // A proxy before the agent reports every ?stale answer as 5 s behind its leader (a lagging follower).
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url.startsWith('/v1/kv/')) seen.push(url);
      const up = httpRequest({ host: IP, port: agent.httpPort, path: url, method: req.method, headers: req.headers }, (r) => {
        const headers = { ...r.headers };
        if (/[?&]stale(&|=|$)/.test(url)) headers['x-consul-lastcontact'] = '5000';
        res.writeHead(r.statusCode ?? 502, headers);
        r.pipe(res);
      });
      // A runner that stops aborts its blocking reads mid-way.
      up.on('error', () => res.destroy());
      req.on('error', () => up.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, IP, () => r()));
    const addr = `${IP}:${(proxy.address() as AddressInfo).port}`;
    await api(agent.url, 'PUT', '/v1/kv/stale/k', 'v1');
    const staleReads = () => seen.filter((u) => u.startsWith('/v1/kv/stale/k') && /[?&]stale/.test(u)).length;
    const leaderReads = () => seen.filter((u) => u.startsWith('/v1/kv/stale/k') && !/[?&]stale/.test(u)).length;
    try {
      for (const [maxStaleMs, wantStale, wantLeader] of [[2000, true, true], [10_000, true, false], [0, false, true]] as const) {
        seen.length = 0;
        const t = tmpl(`stale-${maxStaleMs}.txt`, '{{ key "stale/k" }}');
        const { runner } = runnerFor([t], { maxStaleMs }, addr);
        runner.start();
        try {
          await waitFor(() => read(t.destination) === 'v1', `rendered with max_stale ${maxStaleMs}`);
          await waitFor(() => (staleReads() > 0) === wantStale && (leaderReads() > 0) === wantLeader, `the reads for max_stale ${maxStaleMs}`);
        } finally {
          await runner.stop();
        }
      }
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});
