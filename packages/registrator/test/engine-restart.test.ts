// A real engine restart: the test starts a Docker engine of its own (own data root, socket and
// network namespace, no bridge network), so it can stop and restart it without touching the
// shared engine: in the host's namespace a second engine would remove the first one's docker0.
import Docker from 'dockerode';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startAgent, tempDir, waitFor, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseOptions, startRegistrator, type Registrator } from '../src/index.js';
import { ensureBaseImage, IMAGE } from './harness.js';

const run = promisify(execFile);
const dir = tempDir('pcreg-');
const socket = join(dir.path, 'docker.sock');
let engine: ChildProcess | undefined;
let agent: AgentProcess;
let registrator: Registrator | undefined;
const logs: string[] = [];

async function startEngine(): Promise<void> {
  // `unshare -n` (not `ip netns exec`, which remounts /sys and hides the cgroups dockerd needs).
  const args = ['--data-root', join(dir.path, 'data'), '--exec-root', join(dir.path, 'exec'), '-H', `unix://${socket}`,
    '--pidfile', join(dir.path, 'docker.pid'), '--bridge=none', '--iptables=false', '--ip-masq=false', '--shutdown-timeout', '1'];
  engine = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec dockerd ${args.join(' ')}`], { stdio: 'ignore' });
  await waitFor(async () => (await run('docker', ['-H', `unix://${socket}`, 'info'])).stdout.length > 0, 'the test engine', 30_000);
}

function stopEngine(): Promise<void> {
  return new Promise((done) => {
    if (!engine || engine.exitCode !== null) return done();
    engine.once('exit', () => done());
    engine.kill('SIGTERM');
  });
}

const onEngine = (...args: string[]) => run('docker', ['-H', `unix://${socket}`, ...args], { timeout: 60_000 }).then((r) => r.stdout.trim());
async function services(): Promise<Record<string, { Service: string }>> {
  return (await fetch(`${agent.url}/v1/agent/services`)).json() as Promise<Record<string, { Service: string }>>;
}
/** Host networking (the engine's namespace): the exposed port is the host port (registrator's --net=host case). */
function runOnEngine(name: string, port: number): Promise<string> {
  return onEngine('run', '-d', '--name', name, '--network', 'host', '--expose', String(port), '-e', `SERVICE_NAME=${name}`, IMAGE,
    'node', '-e', `require('http').createServer((q,s)=>s.end()).listen(${port})`);
}

beforeAll(async () => {
  ensureBaseImage();
  await startEngine();
  execFileSync('sh', ['-c', `docker save ${IMAGE} | docker -H unix://${socket} load`], { stdio: 'ignore', timeout: 120_000 });
  agent = await startAgent({ ip: '127.0.5.2', httpPort: 18500, dnsPort: 18600, nodeName: 'regtest', extraArgs: ['-log-level', 'warn'], timeoutMs: 15_000 });
}, 600_000);

afterAll(async () => {
  await registrator?.stop();
  await onEngine('rm', '-f', 'before-restart', 'after-restart').catch(() => '');
  await stopEngine();
  await agent?.stop();
  // The engine leaves its network namespace (and any overlay) mounted under its exec root.
  const mounts = execFileSync('awk', ['{print $2}', '/proc/mounts']).toString().split('\n').filter((m) => m.startsWith(dir.path));
  for (const m of mounts.sort().reverse()) execFileSync('umount', ['-l', m]);
  dir.remove();
});

it('follows the engine through a restart: stale services go, new containers are registered', async () => {
  registrator = await startRegistrator(parseOptions(['-retry-interval', '200', 'consul://127.0.5.2:18500']), {
    docker: new Docker({ socketPath: socket }),
    hostname: 'restart-host',
    hostAddress: '127.0.5.3',
    log: { info: (l) => logs.push(l), error: (l) => logs.push(l) },
  });
  await runOnEngine('before-restart', 18571);
  await waitFor(async () => 'restart-host:before-restart:18571' in (await services()), 'registration before the restart', 15_000);

  await stopEngine(); // the engine stops its containers on the way down
  await startEngine();
  const listening = () => logs.filter((l) => l.includes('listening for Docker events')).length;
  await waitFor(async () => listening() >= 2, 'registrator to follow the restarted engine', 30_000);
  expect('restart-host:before-restart:18571' in (await services())).toBe(false);

  await runOnEngine('after-restart', 18572);
  await waitFor(async () => 'restart-host:after-restart:18572' in (await services()), 'registration after the restart', 15_000);
  expect((await services())['restart-host:after-restart:18572']).toMatchObject({ Service: 'after-restart' });
});
