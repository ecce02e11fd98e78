// Docker checks (DockerContainerID + Args) through the real engine API: a container from a
// tiny image made of this host's /bin/sh, sleep, echo and cat (no registry needed), and the
// real agent process running the check. Needs a Docker engine (`docker info` must answer).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, type AgentProcess } from './helpers.js';

const IP = '127.0.62.151';
const IMAGE = 'proconsul-check-sh:test';
let agent: AgentProcess;
let container = '';

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000 }).trim();

/** An image holding a shell and its libraries, imported from this host's files. */
function ensureImage(): void {
  try {
    docker('image', 'inspect', IMAGE);
    return;
  } catch {
    // build it
  }
  const root = mkdtempSync(join(tmpdir(), 'proconsul-sh-image-'));
  try {
    for (const bin of ['/bin/sh', '/bin/sleep', '/bin/echo', '/bin/cat']) {
      const files = [bin, ...execFileSync('ldd', [bin], { encoding: 'utf8' }).match(/\/[^\s)]+/g)!];
      for (const f of files) {
        mkdirSync(join(root, dirname(f)), { recursive: true });
        copyFileSync(f, join(root, f));
      }
    }
    execFileSync('sh', ['-c', `tar -C '${root}' -c . | docker import - ${IMAGE}`], { stdio: 'ignore', timeout: 60_000 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  ensureImage();
  container = docker('run', '-d', '--network', 'none', '--label', 'proconsul.test=docker-check', IMAGE, '/bin/sh', '-c', 'while :; do sleep 1; done');
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-node', 'dock', '-dns-port', '-1', '-enable-script-checks'], `${IP}:8500`);
}, 120_000);
afterAll(async () => {
  await agent?.stop();
  if (container) docker('rm', '-f', container);
});

describe('docker checks', () => {
  it('exec Args in the container: exit 0 passing, 1 warning, other critical, with the output', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['d-ok', 'echo fine; exit 0', 'passing', 'fine\n'],
      ['d-warn', 'echo meh >&2; exit 1', 'warning', 'meh\n'],
      ['d-crit', 'echo bad; exit 3', 'critical', 'bad\n'],
    ];
    for (const [id, script] of cases) {
      const r = await http(agent.base, 'PUT', '/v1/agent/check/register', JSON.stringify({ ID: id, Name: id, DockerContainerID: container, Shell: '/bin/sh', Args: ['/bin/sh', '-c', script], Interval: '1s' }));
      expect(r.status).toBe(200);
    }
    const unknown = await http(agent.base, 'PUT', '/v1/agent/check/register', JSON.stringify({ ID: 'd-none', Name: 'd-none', DockerContainerID: 'nosuchcontainer', Args: ['/bin/true'], Interval: '1s' }));
    expect(unknown.status).toBe(200);
    await eventually(async () => {
      const checks = (await http(agent.base, 'GET', '/v1/agent/checks')).json();
      return (
        cases.every(([id, , status, output]) => checks[id]?.Type === 'docker' && checks[id]?.Status === status && checks[id]?.Output === output) &&
        checks['d-none']?.Status === 'critical' && checks['d-none']?.Output === 'create exec failed for unknown container nosuchcontainer'
      );
    }, 'docker checks settled', 100);
  });

  it('keeps the last bytes of a long output, as Consul does', async () => {
    const r = await http(agent.base, 'PUT', '/v1/agent/check/register', JSON.stringify({
      ID: 'd-long', Name: 'd-long', DockerContainerID: container, Interval: '1s', OutputMaxSize: 10,
      Args: ['/bin/sh', '-c', 'echo 0123456789abcdefghij'],
    }));
    expect(r.status).toBe(200);
    await eventually(async () => (await http(agent.base, 'GET', '/v1/agent/checks')).json()['d-long']?.Output === 'Captured 10 of 21 bytes\n...\nbcdefghij\n', 'tail kept', 100);
  });

  it('needs enable_script_checks, as script checks do', async () => {
    const plain = await startAgentProcess(['-dev', '-client', '127.0.62.152', '-bind', '127.0.62.152', '-node', 'dock2', '-dns-port', '-1'], '127.0.62.152:8500');
    try {
      const r = await http(plain.base, 'PUT', '/v1/agent/check/register', JSON.stringify({ Name: 'd', DockerContainerID: container, Args: ['/bin/true'], Interval: '1s' }));
      expect([r.status, r.text]).toEqual([500, "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true"]);
    } finally {
      await plain.stop();
    }
  });
});
