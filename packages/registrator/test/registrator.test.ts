import Docker from 'dockerode';
import { join } from 'node:path';
import { startAgent, tempDir, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseOptions, startRegistrator, type Registrator } from '../src/index.js';
import { docker, EngineProxy, ensureBaseImage, removeTestContainers, runContainer } from './harness.js';

const HOST = 'regtest-host';
let agent: AgentProcess;
let registrator: Registrator | undefined;
const logs: string[] = [];
const log = { info: (l: string) => logs.push(l), error: (l: string) => logs.push(l) };

beforeAll(async () => {
  ensureBaseImage();
  await removeTestContainers();
  agent = await startAgent({ ip: '127.0.5.1', httpPort: 18500, dnsPort: 18600, nodeName: 'regtest', extraArgs: ['-log-level', 'warn'], timeoutMs: 15_000 });
}, 600_000);

afterEach(async () => {
  await registrator?.stop();
  registrator = undefined;
  logs.length = 0;
  await removeTestContainers();
});

afterAll(async () => {
  await agent?.stop();
});

async function start(flags: string[] = [], dockerClient?: Docker): Promise<Registrator> {
  registrator = await startRegistrator(parseOptions([...flags, `consul://127.0.5.1:18500`]), { hostname: HOST, log, ...(dockerClient ? { docker: dockerClient } : {}) });
  return registrator;
}

interface AgentService { ID: string; Service: string; Address: string; Port: number; Tags: string[]; Meta: Record<string, string> }
async function agentServices(): Promise<Record<string, AgentService>> {
  return (await fetch(`${agent.url}/v1/agent/services`)).json() as Promise<Record<string, AgentService>>;
}
async function passing(name: string): Promise<Array<{ Service: AgentService; Checks: Array<{ Status: string }> }>> {
  return (await fetch(`${agent.url}/v1/health/service/${name}?passing`)).json() as Promise<Array<{ Service: AgentService; Checks: Array<{ Status: string }> }>>;
}
const registered = (id: string) => waitFor(async () => id in (await agentServices()), `${id} to be registered`, 15_000);
const gone = (id: string) => waitFor(async () => !(id in (await agentServices())), `${id} to be deregistered`, 15_000);
async function hostPort(container: string, port: number): Promise<number> {
  return Number((await docker('port', container, `${port}/tcp`)).split('\n')[0]!.split(':').pop());
}

describe('registrator against a real Docker engine and a real agent', () => {
  it('registers a published port with registrator\'s ID and name, and removes it on stop', async () => {
    await start();
    await runContainer('pcreg-pub', ['-e', 'SERVICE_NAME=pubweb', '-p', '127.0.0.1::80']);
    await registered(`${HOST}:pcreg-pub:80`);
    const svc = (await agentServices())[`${HOST}:pcreg-pub:80`]!;
    expect(svc).toMatchObject({ Service: 'pubweb', Address: '127.0.0.1', Port: await hostPort('pcreg-pub', 80) });
    expect((await passing('pubweb')).map((e) => e.Service.ID)).toEqual([`${HOST}:pcreg-pub:80`]);
    await docker('stop', '-t', '1', 'pcreg-pub');
    await gone(`${HOST}:pcreg-pub:80`);
  });

  it('deregisters on stop while the container is still draining', async () => {
    await start();
    // Exits 4 s after SIGTERM, like a server finishing its requests.
    await docker('run', '-d', '--name', 'pcreg-drain', '--label', 'proconsul.test=registrator', '-e', 'SERVICE_NAME=drain', '-p', '127.0.0.1::80',
      'proconsul/base:bookworm-node20', 'node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(80);process.on('SIGTERM',()=>setTimeout(()=>process.exit(0),4000))");
    await registered(`${HOST}:pcreg-drain:80`);
    const stopping = docker('stop', '-t', '20', 'pcreg-drain');
    await gone(`${HOST}:pcreg-drain:80`);
    expect(await docker('inspect', '-f', '{{.State.Running}}', 'pcreg-drain')).toBe('true');
    await stopping;
  });

  it('names several ports <name>-<port>, and reads labels, tags, meta and SERVICE_IGNORE', async () => {
    await start(['-tags', 'fleet']);
    await runContainer('pcreg-multi', ['--label', 'SERVICE_NAME=multi', '-e', 'SERVICE_NAME=overridden', '-e', 'SERVICE_TAGS=blue,v2', '-e', 'SERVICE_OWNER=team-a', '-p', '127.0.0.1::80', '-p', '127.0.0.1::81'], [80, 81]);
    await runContainer('pcreg-ignored', ['-e', 'SERVICE_NAME=ignored', '-e', 'SERVICE_IGNORE=true', '-p', '127.0.0.1::80']);
    await registered(`${HOST}:pcreg-multi:81`);
    await registered(`${HOST}:pcreg-multi:80`);
    const all = await agentServices();
    expect(all[`${HOST}:pcreg-multi:80`]).toMatchObject({ Service: 'multi-80', Tags: ['blue', 'v2', 'fleet'], Meta: { owner: 'team-a' } });
    expect(all[`${HOST}:pcreg-multi:81`]).toMatchObject({ Service: 'multi-81', Port: await hostPort('pcreg-multi', 81) });
    expect(Object.values(all).some((s) => s.Service === 'ignored')).toBe(false);
  });

  it('registers the container address on a chosen network with -internal -network', async () => {
    const network = `pcreg-net-${process.pid}`;
    await docker('network', 'create', '--label', 'proconsul.test=registrator', network);
    try {
      await start(['-internal', '-network', network]);
      await runContainer('pcreg-elsewhere', ['-e', 'SERVICE_NAME=elsewhere', '--expose', '80']);
      await runContainer('pcreg-internal', ['--network', network, '-e', 'SERVICE_NAME=internal', '--expose', '80']);
      await registered(`${HOST}:pcreg-internal:80`);
      // A container that is not on the chosen network has no address there: not registered.
      await waitFor(async () => logs.some((l) => l.includes('has no address on network')), 'the skip message', 5_000);
      expect(`${HOST}:pcreg-elsewhere:80` in (await agentServices())).toBe(false);
      const ip = await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, 'pcreg-internal');
      expect((await agentServices())[`${HOST}:pcreg-internal:80`]).toMatchObject({ Address: ip, Port: 80 });
    } finally {
      await removeTestContainers();
      await docker('network', 'rm', network);
    }
  });

  it('uses the compose service name by default and turns SERVICE_CHECK_* into a working check', async () => {
    await start();
    await runContainer('pcreg-checked', ['--label', 'com.docker.compose.service=shop', '-e', 'SERVICE_CHECK_HTTP=/', '-e', 'SERVICE_CHECK_INTERVAL=1s', '-p', '127.0.0.1::80']);
    await registered(`${HOST}:pcreg-checked:80`);
    await waitFor(async () => (await passing('shop')).length === 1, 'the HTTP check to pass', 15_000);
    const checks = (await passing('shop'))[0]!.Checks;
    expect(checks.every((c) => c.Status === 'passing')).toBe(true);
    expect(checks.length).toBe(2); // serfHealth and the service's HTTP check
  });

  it('skips a container with an invalid SERVICE_* value, naming container and key, and registers the rest', async () => {
    await start();
    await runContainer('pcreg-bad', ['-e', 'SERVICE_NAME=bad', '-e', 'SERVICE_CHECK_INTERVAL=often', '-p', '127.0.0.1::80']);
    await runContainer('pcreg-good', ['-e', 'SERVICE_NAME=good', '-p', '127.0.0.1::80']);
    await registered(`${HOST}:pcreg-good:80`);
    await waitFor(async () => logs.some((l) => l.includes('pcreg-bad') && l.includes('SERVICE_CHECK_INTERVAL')), 'the skip message', 5_000);
    expect(`${HOST}:pcreg-bad:80` in (await agentServices())).toBe(false);
  });

  it('removes stale services on start when a container died while registrator was down', async () => {
    await start();
    await runContainer('pcreg-stale', ['-e', 'SERVICE_NAME=stale', '-p', '127.0.0.1::80']);
    await runContainer('pcreg-survivor', ['-e', 'SERVICE_NAME=survivor', '-p', '127.0.0.1::80']);
    await registered(`${HOST}:pcreg-stale:80`);
    await registered(`${HOST}:pcreg-survivor:80`);
    await registrator!.stop();
    registrator = undefined;
    await docker('rm', '-f', 'pcreg-stale');
    expect(`${HOST}:pcreg-stale:80` in (await agentServices())).toBe(true);
    await start();
    await gone(`${HOST}:pcreg-stale:80`);
    expect(`${HOST}:pcreg-survivor:80` in (await agentServices())).toBe(true);
  });

  it('re-establishes the event stream and resyncs after the engine connection drops', async () => {
    const dir = tempDir('pcreg-');
    const proxy = new EngineProxy(join(dir.path, 'docker.sock'));
    await proxy.listen();
    try {
      await start(['-retry-interval', '200'], new Docker({ socketPath: proxy.path }));
      await runContainer('pcreg-before', ['-e', 'SERVICE_NAME=before', '-p', '127.0.0.1::80']);
      await registered(`${HOST}:pcreg-before:80`);
      proxy.cut();
      // While registrator cannot see the engine, one container starts and another stops.
      await runContainer('pcreg-during', ['-e', 'SERVICE_NAME=during', '-p', '127.0.0.1::80']);
      await docker('rm', '-f', 'pcreg-before');
      proxy.restore();
      await registered(`${HOST}:pcreg-during:80`);
      await gone(`${HOST}:pcreg-before:80`);
      expect(logs.some((l) => l.includes('reconnecting') || l.includes('docker unreachable'))).toBe(true);
    } finally {
      await registrator?.stop();
      registrator = undefined;
      await proxy.close();
      dir.remove();
    }
  });
});
