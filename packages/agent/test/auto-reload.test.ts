// auto_reload_config on a real agent process (127.0.66.81-82): a -config-file changed in place or
// replaced by a rename, and a file added to a -config-dir, are reloaded (services registered and
// deregistered) within about a second; a broken file fails the reload and changes nothing until
// it is mended. An agent without the key does not reload by itself.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const dirs = [tempDir('proconsul-autoreload-'), tempDir('proconsul-autoreload-')];
const agents: AgentProcess[] = [];

afterAll(async () => {
  for (const a of agents) await a.kill9();
  for (const d of dirs) d.remove();
});

const service = (name: string) => ({ service: { name, port: 8080 } });
const services = async (a: AgentProcess): Promise<string> => Object.keys((await http(a.base, 'GET', '/v1/agent/services')).json()).sort().join();

async function start(ip: string, root: string, extra: string[]): Promise<{ agent: AgentProcess; file: string; dir: string }> {
  const dir = join(root, 'conf.d');
  const file = join(root, 'extra.json');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.json'), JSON.stringify(service('alpha')));
  writeFileSync(file, JSON.stringify(service('beta')));
  const agent = await startAgentProcess(['-dev', '-bind', ip, '-client', ip, '-dns-port', '-1', '-config-dir', dir, '-config-file', file, ...extra], `${ip}:8500`);
  agents.push(agent);
  return { agent, file, dir };
}

describe('auto_reload_config', () => {
  it('reloads on a changed, replaced or added config file, and not on a broken one', async () => {
    const { agent, file, dir } = await start('127.0.66.81', dirs[0]!.path, ['-hcl', 'auto_reload_config = true']);
    expect(await services(agent)).toBe('alpha,beta');
    const until = (want: string, what: string) => eventually(async () => (await services(agent)) === want || undefined, what, 100, 100);

    writeFileSync(file, JSON.stringify({ services: [{ name: 'beta', port: 1 }, { name: 'gamma', port: 2 }] }));
    await until('alpha,beta,gamma', 'gamma after a write in place');
    // An editor's save: a new file renamed over the old one.
    writeFileSync(`${file}.tmp`, JSON.stringify(service('gamma')));
    renameSync(`${file}.tmp`, file);
    await until('alpha,gamma', 'beta gone after a replace by rename');
    writeFileSync(join(dir, 'b.json'), JSON.stringify(service('delta')));
    await until('alpha,delta,gamma', 'delta from a new file in the directory');

    writeFileSync(join(dir, 'b.json'), '{"service": {"name": ');
    await eventually(async () => agent.output().includes('Failed to reload configuration') || undefined, 'the failed reload logged', 100, 100);
    expect(await services(agent)).toBe('alpha,delta,gamma');
    writeFileSync(join(dir, 'b.json'), JSON.stringify(service('epsilon')));
    await until('alpha,epsilon,gamma', 'epsilon once the file is mended');
    expect(readFileSync(file, 'utf8')).toContain('gamma');
  }, 120_000);

  it('is off by default', async () => {
    const { agent, file } = await start('127.0.66.82', dirs[1]!.path, []);
    writeFileSync(file, JSON.stringify(service('gamma')));
    await sleep(3000);
    expect(await services(agent)).toBe('alpha,beta');
    expect((await http(agent.base, 'PUT', '/v1/agent/reload')).status).toBe(200);
    expect(await services(agent)).toBe('alpha,gamma');
  });
});
