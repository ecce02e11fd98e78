import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from './io.js';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'proconsul-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { write: (c) => void (out += String(c)), writeErr: (t) => void (err += t), readStdin: async () => new Uint8Array(0), env: {} };
  const code = await main(['validate', ...argv], io);
  return { code, out, err };
}

describe('validate', () => {
  it('says a complete configuration is valid, in files and directories, JSON and HCL', async () => {
    const json = file('server.json', '{"data_dir": "/var/lib/consul", "server": true, "bootstrap_expect": 3, "bind_addr": "127.0.0.1"}');
    const conf = join(dir, 'conf.d');
    mkdirSync(conf);
    writeFileSync(join(conf, 'a.hcl'), 'data_dir = "/var/lib/consul"\nbind_addr = "127.0.0.1"\nservice {\n  name = "web"\n  port = 80\n}\n');
    expect(await run([json])).toEqual({ code: 0, out: 'Configuration is valid!\n', err: '' });
    expect(await run([conf])).toEqual({ code: 0, out: 'Configuration is valid!\n', err: '' });
    expect(await run(['-quiet', json, conf])).toEqual({ code: 0, out: '', err: '' });
    const hclNamedConf = file('server.conf', 'data_dir = "/d"\nbind_addr = "127.0.0.1"\n');
    expect((await run(['-config-format=hcl', hclNamedConf])).code).toBe(0);
    // HCL 1 reads JSON too, so a JSON file read as HCL is valid in Consul.
    expect(await run(['-config-format=hcl', json])).toEqual({ code: 0, out: 'Configuration is valid!\n', err: '' });
  });

  it('fails with one line, as the agent would refuse to start', async () => {
    const cases: Array<[string[], string | RegExp]> = [
      [[], 'Must specify at least one config file or directory'],
      [['-config-format=yaml', 'x'], "-config-format must be either 'hcl' or 'json"],
      [[file('no-dir.json', '{"server": true, "bind_addr": "127.0.0.1"}')], 'Config validation failed: data_dir cannot be empty'],
      [[file('unknown.hcl', 'data_dir = "/d"\nbogus_key = 1\n')], `Config validation failed: failed to parse ${join(dir, 'unknown.hcl')}: invalid config key bogus_key`],
      [[file('type.json', '{"data_dir": "/d", "ports": {"http": "x"}}')], /^Config validation failed: failed to parse .*type\.json: ports\.http: json: cannot unmarshal string/],
      [[join(dir, 'missing.json')], /^Config validation failed: .*missing\.json: no such file or directory$/],
    ];
    for (const [argv, line] of cases) {
      const r = await run(argv);
      expect({ argv, code: r.code, out: r.out }).toEqual({ argv, code: 1, out: '' });
      expect(r.err.trimEnd()).toMatch(typeof line === 'string' ? new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : line);
    }
  });
});
