// The nginx-conf mode with a real agent and a real nginx on 127.0.62.200-202: a
// hand-written nginx.conf (no template) whose `upstream` server lines follow the
// passing instances of a service; every other byte of the file stays as written,
// `nginx -t` guards each change, and nginx is reloaded.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startAgent, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, deregisterService, getOnce, nginxScratch, startCli, stopAll, type CliProcess } from './helpers.js';

const IP = '127.0.62.200';
const dir = mkdtempSync(join(tmpdir(), 'pct-nginx-conf-'));
const conf = join(dir, 'nginx.conf');
const scratch = nginxScratch(dir, '    ');
const nginxCmd = `nginx -p '${dir}' -c '${conf}'`;
let agent: AgentProcess;
let nginx: ChildProcess | undefined;
let cli: CliProcess | undefined;
let listenPort: number;
const backends: Server[] = [];
const ports: Record<string, number> = {};

function handWritten(): string {
  return `# A hand-written nginx.conf: no template anywhere.
daemon off;
master_process on;
user root;
worker_processes 1;   # one is plenty here
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }

http {
    access_log off;
${scratch}

    upstream app {
        # filled from the catalog: passing instances of "web"
        server 127.0.0.1:65535;   # placeholder until the first render

        keepalive 8;
    }

    # Balanced by client address: nginx refuses "backup" servers here.
    upstream sticky {
        hash $remote_addr;
        server 127.0.0.1:65535;
    }

    server {
        listen ${IP}:${listenPort};
        location / { proxy_pass http://app; proxy_next_upstream off; }
        location /sticky { proxy_pass http://sticky; }
    }
}
`;
}

function startBackend(ip: string, name: string): Promise<number> {
  return new Promise((res) => {
    const server = createServer((_req, resp) => resp.end(name));
    server.listen(0, ip, () => res((server.address() as { port: number }).port));
    backends.push(server);
  });
}

function register(id: string, name: string, ip: string, port: number, extra: { Tags?: string[]; Meta?: Record<string, string> } = {}) {
  return api(agent.url, 'PUT', '/v1/agent/service/register', { Name: name, ID: id, Address: ip, Port: port, ...extra });
}

async function answers(n: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    seen.add(await getOnce(`http://${IP}:${listenPort}/`));
  }
  return [...seen].sort();
}

const appServers = () => /upstream app \{[^}]*\}/.exec(readFileSync(conf, 'utf8'))![0];

beforeAll(async () => {
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn'] });
  listenPort = await freePort(IP);
  ports.A = await startBackend('127.0.62.201', 'A');
  ports.B = await startBackend('127.0.62.202', 'B');
  writeFileSync(conf, handWritten());
}, 40_000);

afterAll(() => stopAll({ cli, nginx, backends, agent, dir }));

describe('proconsul-template -nginx-conf: a hand-written nginx.conf kept in step', () => {
  it('rewrites only the server lines, follows backup/weight conventions, rolls back what nginx -t refuses', async () => {
    await register('web-a', 'web', '127.0.62.201', ports.A!, { Meta: { nginx_weight: '3' } });
    const reload = `if [ -f '${dir}/nginx.pid' ]; then ${nginxCmd} -s reload; fi`;
    cli = startCli([
      '-consul-addr', agent.httpAddr,
      '-nginx-conf', conf,
      '-nginx-upstream', 'app=web',
      '-nginx-upstream', 'sticky=web',
      '-nginx-reload', reload,
      '-validate', `${nginxCmd} -t -q`,
    ]);
    const first = handWritten()
      .replace('        server 127.0.0.1:65535;   # placeholder until the first render\n', `        server 127.0.62.201:${ports.A} weight=3;\n`)
      .replace('        server 127.0.0.1:65535;\n', `        server 127.0.62.201:${ports.A} weight=3;\n`);
    await waitFor(() => readFileSync(conf, 'utf8') === first, 'the first rewrite', 20_000);

    nginx = spawn('nginx', ['-p', dir, '-c', conf], { stdio: 'ignore' });
    await waitFor(async () => (await answers(1)).join() === '200 A', 'nginx serving A');

    // A user edit elsewhere in the file survives the next rewrite.
    appendFileSync(conf, '# added by hand after the first render\n');

    // B tagged backup: in the file, but nginx sends it nothing while A is up. For "sticky"
    // (hash balancing) nginx -t refuses backup: that change is rolled back whole.
    await register('web-b', 'web', '127.0.62.202', ports.B!, { Tags: ['backup'] });
    await waitFor(() => cli!.output().includes('validation of'), 'the refused change logged', 20_000);
    expect(readFileSync(conf, 'utf8')).toBe(`${first}# added by hand after the first render\n`);
    expect(await answers(6)).toEqual(['200 A']);

    // Without the hash upstream in play the backup line goes in, and B takes over when A goes.
    cli.proc.kill('SIGTERM');
    await cli.exited;
    cli = startCli(['-consul-addr', agent.httpAddr, '-nginx-conf', conf, '-nginx-upstream', 'app=web', '-nginx-reload', reload, '-validate', `${nginxCmd} -t -q`]);
    await waitFor(() => appServers().includes(`server 127.0.62.202:${ports.B} backup;`), 'backup line', 20_000);
    expect(appServers()).toBe(`upstream app {
        # filled from the catalog: passing instances of "web"
        server 127.0.62.201:${ports.A} weight=3;
        server 127.0.62.202:${ports.B} backup;

        keepalive 8;
    }`);
    expect(readFileSync(conf, 'utf8')).toContain('# added by hand after the first render\n');
    expect(await answers(6)).toEqual(['200 A']);

    // A gone: nginx refuses an upstream of backups only, so B is written as a plain server.
    await deregisterService(agent.url, 'web-a');
    await waitFor(async () => (await answers(4)).join() === '200 B', 'the backup serving alone', 20_000, 100);
    expect(appServers()).toContain(`\n        server 127.0.62.202:${ports.B};\n\n        keepalive 8;`);

    // None left: one server marked down (an upstream cannot be empty), nginx answers 502.
    await deregisterService(agent.url, 'web-b');
    await waitFor(async () => (await answers(2)).every((a) => a.startsWith('502 ')), 'nginx answering 502', 20_000, 100);
    expect(appServers()).toContain('        server 127.0.0.1:65535 down;\n');
  }, 90_000);

  it('refuses bad use with one line and exit 1', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['-nginx-upstream', 'app=web'], /^proconsul-template: -nginx-upstream needs -nginx-conf <path>/],
      [['-nginx-conf', conf], /^proconsul-template: -nginx-conf needs at least one -nginx-upstream/],
      [['-nginx-conf', conf, '-nginx-upstream', 'app'], /^proconsul-template: invalid -nginx-upstream "app": expected "upstream=service"/],
      [['-nginx-conf', conf, '-nginx-upstream', 'nope=web'], /^proconsul-template: .*nginx\.conf: upstream "nope" is not in the file\n$/],
      [['-nginx-conf', join(dir, 'missing.conf'), '-nginx-upstream', 'app=web'], /^proconsul-template: ENOENT/],
    ];
    for (const [args, message] of cases) {
      const p = startCli(['-consul-addr', agent.httpAddr, ...args]);
      expect(await p.exited, args.join(' ')).toBe(1);
      expect(p.output()).toMatch(message);
      expect(p.output().trim().split('\n')).toHaveLength(1);
    }
  });
});
