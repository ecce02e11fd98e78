// End to end with a real agent and a real nginx on 127.0.4.x: the tutorial's
// upstream template is rendered by the proconsul-template CLI, checked with
// `nginx -t` before it replaces the live file, and nginx reloaded; HTTP
// requests through nginx reach backends as they are registered and stop
// reaching them once deregistered. A broken render never replaces a good file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startAgent, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deregisterService, getOnce, registerService, nginxScratch, startCli, stopAll, type CliProcess } from './helpers.js';

const IP = '127.0.4.21';
const dir = mkdtempSync(join(tmpdir(), 'pct-nginx-'));
const conf = join(dir, 'nginx.conf');
const upstream = join(dir, 'upstream.conf');
const scratch = nginxScratch(dir, '  ');
const nginxCmd = `nginx -p '${dir}' -c '${conf}'`;
let agent: AgentProcess;
let nginx: ChildProcess | undefined;
let cli: CliProcess | undefined;
let listenPort: number;
const backends: Server[] = [];

// The upstream template of HashiCorp's consul-template + NGINX tutorial.
const TEMPLATE = `upstream backend {
{{- range service "web" }}
  server {{ .Address }}:{{ .Port }};
{{- else }}
  server 127.0.0.1:65535; # force a 502
{{- end }}
}
`;

function startBackend(ip: string, name: string): Promise<{ server: Server; port: number }> {
  return new Promise((res) => {
    const server = createServer((_req, resp) => resp.end(name));
    server.listen(0, ip, () => res({ server, port: (server.address() as { port: number }).port }));
    backends.push(server);
  });
}

function hit(): Promise<string> {
  return getOnce(`http://${IP}:${listenPort}/`);
}

/** Answers seen over n requests. */
async function seen(n: number): Promise<Set<string>> {
  const s = new Set<string>();
  for (let i = 0; i < n; i++) s.add(await hit());
  return s;
}

beforeAll(async () => {
  agent = await startAgent({ ip: IP, extraArgs: ['-log-level', 'warn'] });
  listenPort = await freePort(IP);
  writeFileSync(
    conf,
    `daemon off;
master_process on;
user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
${scratch}
  include ${upstream};
  server {
    listen ${IP}:${listenPort};
    location / {
      proxy_pass http://backend;
      proxy_next_upstream off;
    }
  }
}
`,
  );
  writeFileSync(join(dir, 'upstream.ctmpl'), TEMPLATE);
}, 40_000);

afterAll(() => stopAll({ cli, nginx, backends, agent, dir }));

describe('nginx kept in step with the catalog', () => {
  it('routes traffic to registered backends and away from deregistered ones', async () => {
    const a = await startBackend('127.0.4.22', 'A');
    const b = await startBackend('127.0.4.23', 'B');
    await registerService(agent.url, { Name: 'web', ID: 'web-a', Address: '127.0.4.22', Port: a.port });

    // The reload command only signals nginx once it runs; validation happens before the swap.
    const reload = `if [ -f '${dir}/nginx.pid' ]; then ${nginxCmd} -s reload; fi`;
    cli = startCli([
      '-consul-addr', agent.httpAddr,
      '-template', `${join(dir, 'upstream.ctmpl')}:${upstream}:${reload}`,
      '-validate', `${nginxCmd} -t -q`,
      '-log-level', 'debug',
    ]);
    await waitFor(() => existsSync(upstream) && readFileSync(upstream, 'utf8').includes(`127.0.4.22:${a.port}`), 'first upstream.conf');
    expect(readFileSync(upstream, 'utf8')).toBe(`upstream backend {\n  server 127.0.4.22:${a.port};\n}\n`);

    nginx = spawn('nginx', ['-p', dir, '-c', conf], { stdio: 'ignore' });
    await waitFor(async () => (await hit()) === '200 A', 'nginx serving A');

    // Add B: both backends get traffic after the reload.
    await registerService(agent.url, { Name: 'web', ID: 'web-b', Address: '127.0.4.23', Port: b.port });
    await waitFor(async () => {
      const s = await seen(6);
      return s.has('200 A') && s.has('200 B');
    }, 'traffic to A and B', 20_000, 100);

    // Remove A: traffic stops reaching it.
    await deregisterService(agent.url, 'web-a');
    await waitFor(async () => {
      const s = await seen(6);
      return s.size === 1 && s.has('200 B');
    }, 'traffic only to B', 20_000, 100);
    expect(readFileSync(upstream, 'utf8')).toBe(`upstream backend {\n  server 127.0.4.23:${b.port};\n}\n`);

    // A broken render (an address nginx rejects) is refused by `nginx -t`: the
    // good file stays, nginx keeps routing to B.
    await registerService(agent.url, { Name: 'web', ID: 'web-bad', Address: 'not a host', Port: 1 });
    await waitFor(() => cli!.output().includes('validation of'), 'validation failure logged', 20_000);
    expect(readFileSync(upstream, 'utf8')).toBe(`upstream backend {\n  server 127.0.4.23:${b.port};\n}\n`);
    expect(await seen(4)).toEqual(new Set(['200 B']));

    // Once the bad instance goes away, renders flow again.
    await deregisterService(agent.url, 'web-bad');
    await registerService(agent.url, { Name: 'web', ID: 'web-a', Address: '127.0.4.22', Port: a.port });
    await waitFor(async () => {
      const s = await seen(6);
      return s.has('200 A') && s.has('200 B');
    }, 'traffic to A and B again', 20_000, 100);
  }, 90_000);
});
