import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';
import { ConfigError, parseTemplateFlag, parseWait } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'pct-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flags and config', () => {
  it('parses -template "src:dst[:command]" with colons in the command', () => {
    expect(parseTemplateFlag('in.ctmpl:out.conf')).toMatchObject({ source: 'in.ctmpl', destination: 'out.conf' });
    expect(parseTemplateFlag('in.ctmpl:out.conf').command).toBeUndefined();
    expect(parseTemplateFlag('a:b:curl -s http://127.0.0.1:80/reload')).toMatchObject({ command: 'curl -s http://127.0.0.1:80/reload' });
    expect(() => parseTemplateFlag('only')).toThrow(ConfigError);
  });
  it('parses -wait min[:max], max defaulting to 4x min', () => {
    expect(parseWait('5s')).toEqual({ minMs: 5000, maxMs: 20000 });
    expect(parseWait('100ms:1s')).toEqual({ minMs: 100, maxMs: 1000 });
    expect(() => parseWait('5s:1s')).toThrow(/max >= min/);
    expect(() => parseWait('soon')).toThrow(ConfigError);
  });
  it('merges an HCL file with the flags, flags last', () => {
    const hcl = join(dir, 'c.hcl');
    writeFileSync(hcl, 'consul { address = "10.0.0.1:8500" }\nwait = "1s:2s"\nlog_level = "debug"\ntemplate {\n source = "a"\n destination = "b"\n command_timeout = "5s"\n min_instances = 2\n validate = "nginx -t"\n}\n');
    const r = parseArgs(['-config', hcl, '-consul-addr=127.0.4.9:8500', '-template', 'x:y:reload', '-once', '-validate', 'check {{path}}']);
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.config.consul.address).toBe('127.0.4.9:8500');
    expect(r.config.wait).toEqual({ minMs: 1000, maxMs: 2000 });
    expect(r.config.logLevel).toBe('debug');
    expect(r.config.once).toBe(true);
    expect(r.config.templates).toHaveLength(2);
    expect(r.config.templates[0]).toMatchObject({ source: 'a', destination: 'b', commandTimeoutMs: 5000, minInstances: 2, validate: 'nginx -t' });
    expect(r.config.templates[1]).toMatchObject({ source: 'x', destination: 'y', command: 'reload', validate: 'check {{path}}' });
  });
  it('reads JSON config with the same keys', () => {
    const json = join(dir, 'c.json');
    writeFileSync(json, JSON.stringify({ template: [{ contents: '{{ key "a" }}', destination: 'o', perms: '0600', wait: { min: '1s' } }], key_timeout: '2s' }));
    const r = parseArgs(['-config', json]);
    if (r.kind !== 'run') throw new Error('expected run');
    expect(r.config.templates[0]).toMatchObject({ contents: '{{ key "a" }}', perms: 0o600, wait: { minMs: 1000, maxMs: 4000 } });
    expect(r.config.keyTimeoutMs).toBe(2000);
  });
  it('reads the owner keys: user/group, and the older uid/gid which they override', () => {
    const json = join(dir, 'owner.json');
    writeFileSync(json, JSON.stringify({ template: [{ contents: 'x', destination: 'a', uid: 1000, user: 'www-data', gid: 33 }, { contents: 'y', destination: 'b', group: 'adm' }] }));
    const r = parseArgs(['-config', json]);
    if (r.kind !== 'run') throw new Error('expected run');
    expect(r.config.templates[0]).toMatchObject({ user: 'www-data', group: '33' });
    expect(r.config.templates[1]).toMatchObject({ group: 'adm' });
    expect(r.config.templates[1]!.user).toBeUndefined();
  });
  it('names the key or flag that is wrong', () => {
    const bad = join(dir, 'bad.hcl');
    writeFileSync(bad, 'template {\n source = "a"\n destination = "b"\n perms = "rw"\n}\n');
    expect(() => parseArgs(['-config', bad])).toThrow(/bad\.hcl: template\[0\]\.perms: expected a file mode/);
    writeFileSync(bad, 'templates { }\n');
    expect(() => parseArgs(['-config', bad])).toThrow(/templates: unknown key/);
    expect(() => parseArgs(['-nope'])).toThrow('flag provided but not defined: -nope');
    expect(() => parseArgs(['-template'])).toThrow('flag needs an argument: -template');
    expect(() => parseArgs(['-log-level', 'loud'])).toThrow(/invalid log level/);
  });
});

describe('max_stale', () => {
  it("defaults to consul-template's 2s; the flag and the config key set it; a bad value is one line", () => {
    const json = join(dir, 'stale.json');
    writeFileSync(json, JSON.stringify({ max_stale: '10m' }));
    const parsed = (argv: string[]) => {
      const r = parseArgs(argv);
      if (r.kind !== 'run') throw new Error('not a run');
      return r.config.maxStaleMs;
    };
    expect(parsed(['-template', 'a:b'])).toBe(2000);
    expect(parsed(['-config', json])).toBe(600_000);
    expect(parsed(['-max-stale', '0', '-template', 'a:b'])).toBe(0);
    expect(() => parseArgs(['-max-stale=soon'])).toThrow(new ConfigError('invalid value "soon" for -max-stale: expected a duration like 30s'));
  });
});

describe('template exec block', () => {
  it('maps exec { command, timeout } onto the template command', () => {
    const f = join(dir, 'exec.hcl');
    writeFileSync(f, 'template {\n source = "a"\n destination = "b"\n exec {\n  command = ["nginx", "-s", "reload"]\n  timeout = "5s"\n }\n}\n');
    const r = parseArgs(['-config', f]);
    if (r.kind !== 'run') throw new Error('expected run');
    expect(r.config.templates[0]).toMatchObject({ command: ['nginx', '-s', 'reload'], commandTimeoutMs: 5000 });
  });
});

describe('config directories', () => {
  it('loads every .hcl and .json file of a directory in name order', () => {
    const d = join(dir, 'conf.d');
    mkdirSync(d);
    writeFileSync(join(d, '10-a.hcl'), 'template {\n source = "a"\n destination = "a.out"\n}\n');
    writeFileSync(join(d, '20-b.json'), JSON.stringify({ template: { source: 'b', destination: 'b.out' }, log_level: 'warn' }));
    writeFileSync(join(d, 'README'), 'not config');
    const r = parseArgs(['-config', d]);
    if (r.kind !== 'run') throw new Error('expected run');
    expect(r.config.templates.map((t) => t.source)).toEqual(['a', 'b']);
    expect(r.config.logLevel).toBe('warn');
  });
});

describe('keys named like Object.prototype members', () => {
  it('a "__proto__" key in a JSON block is a key, not a prototype to inherit from', () => {
    const f = join(dir, 'proto.json');
    writeFileSync(f, '{"exec": {"__proto__": {"command": "inherited"}}}');
    expect(() => parseArgs(['-config', f])).toThrow(/exec\.__proto__: unknown key/);
    writeFileSync(f, '{"consul": {"__proto__": {}}}');
    expect(() => parseArgs(['-config', f])).toThrow(/consul\.__proto__: unknown key/);
  });
});
