/**
 * The `proconsul` executable against the real agent process (dev mode on 127.0.2.20):
 * each test runs bin/proconsul.js as a user would and checks Consul's output text.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, runCli, type CliResult } from './run-cli.js';
import { freePort, startAgent, type AgentProcess } from '@proconsul/testing';

const bin = CLI_BIN;
let agent: AgentProcess;
let dir: string;

const cli = (args: string[], opts: { stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<CliResult> => runCli(args, { addr: agent.httpAddr, ...opts });

beforeAll(async () => {
  agent = await startAgent({ ip: '127.0.2.20' });
  dir = mkdtempSync(join(tmpdir(), 'proconsul-cli-'));
}, 40_000);

afterAll(async () => {
  await agent?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('members / info / version', () => {
  it('members prints Consul\'s table with this server alive', async () => {
    const r = await cli(['members']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Node\s+Address\s+Status\s+Type\s+Build\s+Protocol\s+DC\s+Partition\s+Segment$/);
    expect(lines[1]).toMatch(new RegExp(`^${agent.nodeName}\\s+127\\.0\\.2\\.20:\\d+\\s+alive\\s+server\\s+\\S+\\s+\\d+\\s+dc1\\s+default\\s+<all>$`));
  });

  it('members -status filters and exits 2 when nothing matches', async () => {
    expect((await cli(['members', '-status=failed'])).code).toBe(2);
    const d = await cli(['members', '-detailed']);
    expect(d.stdout).toMatch(/role=consul/);
  });

  it('info prints sorted stats sections', async () => {
    const r = await cli(['info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^agent:\n\t\S+ = /);
  });

  it('version names Proconsul and the Consul API', async () => {
    const r = await cli(['version']);
    expect(r.stdout.split('\n')[0]).toBe('Proconsul v0.1.0');
  });
});

describe('kv', () => {
  it('put and get, with Consul\'s messages', async () => {
    expect(await cli(['kv', 'put', 'redis/config/minconns', '1'])).toEqual({ code: 0, stdout: 'Success! Data written to: redis/config/minconns\n', stderr: '' });
    expect(await cli(['kv', 'get', 'redis/config/minconns'])).toEqual({ code: 0, stdout: '1\n', stderr: '' });
    const missing = await cli(['kv', 'get', 'redis/config/none']);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'Error! No key exists at: redis/config/none\n' });
  });

  it('get -detailed shows the metadata block', async () => {
    await cli(['kv', 'put', '-flags=42', 'redis/config/maxconns', '25']);
    const r = await cli(['kv', 'get', '-detailed', 'redis/config/maxconns']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['CreateIndex', 'Flags', 'Key', 'LockIndex', 'ModifyIndex', 'Session', 'Value']);
    expect(lines[1]).toBe('Flags            42');
    expect(lines[2]).toBe('Key              redis/config/maxconns');
    expect(lines[5]).toBe('Session          -');
    expect(lines[6]).toBe('Value            25');
  });

  it('get -recurse prints key:value lines, -keys the names, -base64 encodes', async () => {
    await cli(['kv', 'put', 'app/a', 'x']);
    await cli(['kv', 'put', 'app/b/c', 'y']);
    expect((await cli(['kv', 'get', '-recurse', 'app'])).stdout).toBe('app/a:x\napp/b/c:y\n');
    expect((await cli(['kv', 'get', '-keys', 'app/'])).stdout).toBe('app/a\napp/b/\n');
    expect((await cli(['kv', 'get', '-base64', 'app/a'])).stdout).toBe('eA==\n');
  });

  it('put reads @file, stdin and -base64 data', async () => {
    const file = join(dir, 'license.lic');
    writeFileSync(file, 'from-file');
    const ok = (key: string) => ({ code: 0, stdout: `Success! Data written to: ${key}\n`, stderr: '' });
    const value = (v: string) => ({ code: 0, stdout: `${v}\n`, stderr: '' });
    expect(await cli(['kv', 'put', 'data/file', `@${file}`])).toEqual(ok('data/file'));
    expect(await cli(['kv', 'get', 'data/file'])).toEqual(value('from-file'));
    expect(await cli(['kv', 'put', 'data/stdin', '-'], { stdin: 'from-stdin' })).toEqual(ok('data/stdin'));
    expect(await cli(['kv', 'get', 'data/stdin'])).toEqual(value('from-stdin'));
    expect(await cli(['kv', 'put', '-base64', 'data/b64', Buffer.from('decoded').toString('base64')])).toEqual(ok('data/b64'));
    expect(await cli(['kv', 'get', 'data/b64'])).toEqual(value('decoded'));
    const bad = await cli(['kv', 'put', 'data/x', '@/nonexistent/file']);
    expect(bad).toEqual({ code: 1, stdout: '', stderr: 'Error! Failed to read file: open /nonexistent/file: no such file or directory\n' });
  });

  it('put -cas succeeds on the current index and reports CAS failed otherwise', async () => {
    await cli(['kv', 'put', 'cas/key', 'v1']);
    const detailed = (await cli(['kv', 'get', '-detailed', 'cas/key'])).stdout;
    const index = /ModifyIndex\s+(\d+)/.exec(detailed)![1]!;
    const stale = await cli(['kv', 'put', '-cas', `-modify-index=${Number(index) + 1000}`, 'cas/key', 'v2']);
    expect(stale).toEqual({ code: 1, stdout: '', stderr: 'Error! Did not write to cas/key: CAS failed\n' });
    const ok = await cli(['kv', 'put', '-cas', `-modify-index=${index}`, 'cas/key', 'v2']);
    expect(ok.stdout).toBe('Success! Data written to: cas/key\n');
    expect((await cli(['kv', 'get', 'cas/key'])).stdout).toBe('v2\n');
  });

  it('delete, delete -cas and delete -recurse', async () => {
    await cli(['kv', 'put', 'del/a', '1']);
    await cli(['kv', 'put', 'del/b', '2']);
    await cli(['kv', 'put', 'del/c', '3']);
    expect((await cli(['kv', 'delete', 'del/a'])).stdout).toBe('Success! Deleted key: del/a\n');
    const fail = await cli(['kv', 'delete', '-cas', '-modify-index=1', 'del/b']);
    expect(fail).toEqual({ code: 1, stdout: '', stderr: 'Error! Did not delete key del/b: CAS failed\n' });
    expect((await cli(['kv', 'delete', '-recurse', 'del/'])).stdout).toBe('Success! Deleted keys with prefix: del/\n');
    expect((await cli(['kv', 'get', '-recurse', 'del/'])).stdout).toBe('');
  });

  it('uint64 flags above 2^53 stay exact through put, get -detailed, export and import', async () => {
    const big = '3304740253564472344';
    await cli(['kv', 'put', `-flags=${big}`, 'big/lock', 'x']);
    expect((await cli(['kv', 'get', '-detailed', 'big/lock'])).stdout).toContain(`Flags            ${big}\n`);
    const exported = (await cli(['kv', 'export', 'big/'])).stdout;
    expect(exported).toContain(`"flags": ${big},`);
    await cli(['kv', 'import', '-'], { stdin: exported.replace('big/lock', 'big/copy') });
    const raw = await (await fetch(`http://${agent.httpAddr}/v1/kv/big/copy`)).text();
    expect(raw).toContain(`"Flags":${big}`);
  });

  it('export and import move a tree', async () => {
    await cli(['kv', 'put', '-flags=7', 'exp/one', 'first']);
    await cli(['kv', 'put', 'exp/two', 'second']);
    const exported = await cli(['kv', 'export', 'exp/']);
    expect(JSON.parse(exported.stdout)).toEqual([
      { key: 'exp/one', flags: 7, value: Buffer.from('first').toString('base64') },
      { key: 'exp/two', flags: 0, value: Buffer.from('second').toString('base64') },
    ]);
    expect(exported.stdout.startsWith('[\n\t{\n\t\t"key": "exp/one",')).toBe(true);
    const doc = exported.stdout.replace(/exp\//g, 'imp/');
    const imported = await cli(['kv', 'import', '-'], { stdin: doc });
    expect(imported.stdout).toBe('Imported: imp/one\nImported: imp/two\n');
    expect((await cli(['kv', 'get', '-detailed', 'imp/one'])).stdout).toContain('Flags            7');
  });
});

describe('catalog and services', () => {
  it('catalog services / nodes / datacenters', async () => {
    const s = await cli(['catalog', 'services']);
    expect(s.stdout.split('\n')).toContain('consul');
    const n = await cli(['catalog', 'nodes']);
    const lines = n.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Node\s+ID\s+Address\s+DC$/);
    expect(lines[1]).toMatch(new RegExp(`^${agent.nodeName}\\s+\\S*\\s*127\\.0\\.2\\.20\\s+dc1$`));
    expect((await cli(['catalog', 'nodes', '-detailed'])).stdout.split('\n')[0]).toMatch(/^Node\s+ID\s+Address\s+DC\s+TaggedAddresses\s+Meta$/);
    expect((await cli(['catalog', 'datacenters'])).stdout).toBe('dc1\n');
  });

  it('services register from flags shows up in the catalog with its tags, then deregisters', async () => {
    const reg = await cli(['services', 'register', '-name=web', '-id=web-1', '-port=8080', '-tag=v1', '-tag=blue', '-meta=team=core']);
    expect(reg).toEqual({ code: 0, stdout: 'Registered service: web\n', stderr: '' });
    let tags = '';
    for (let i = 0; i < 30 && !/^web\s+blue,v1$/m.test(tags); i++) {
      tags = (await cli(['catalog', 'services', '-tags'])).stdout;
      if (!/^web\s+blue,v1$/m.test(tags)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(tags).toMatch(/^web\s+blue,v1$/m);
    expect((await cli(['catalog', 'nodes', '-service=web'])).stdout).toContain(agent.nodeName);
    expect((await cli(['catalog', 'services', `-node=${agent.nodeName}`])).stdout.split('\n')).toContain('web');
    const dereg = await cli(['services', 'deregister', '-id=web-1']);
    expect(dereg).toEqual({ code: 0, stdout: 'Deregistered service: web-1\n', stderr: '' });
  });

  it('services register from a JSON config file with a check', async () => {
    const file = join(dir, 'api.json');
    writeFileSync(file, JSON.stringify({ service: { name: 'api', port: 9090, tags: ['x'], check: { id: 'api-ttl', ttl: '30s' } } }));
    expect((await cli(['services', 'register', file])).stdout).toBe('Registered service: api\n');
    const res = await fetch(`http://${agent.httpAddr}/v1/agent/checks`);
    const checks = (await res.json()) as Record<string, { ServiceID: string }>;
    expect(checks['api-ttl']?.ServiceID).toBe('api');
    expect((await cli(['services', 'deregister', file])).stdout).toBe('Deregistered service: api\n');
  });

  it('services register from an HCL config file: service and check blocks, as Consul writes them', async () => {
    const file = join(dir, 'cache.hcl');
    writeFileSync(
      file,
      [
        'service {',
        '  name = "cache"',
        '  id   = "cache-1"',
        '  port = 6379',
        '  tags = ["primary"]',
        '  meta { version = "7" }',
        '  check {',
        '    id  = "cache-ttl"',
        '    ttl = "30s"',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    expect((await cli(['services', 'register', file])).stdout).toBe('Registered service: cache\n');
    const services = (await (await fetch(`http://${agent.httpAddr}/v1/agent/services`)).json()) as Record<string, { Port: number; Tags: string[]; Meta: Record<string, string> }>;
    expect(services['cache-1']).toMatchObject({ Port: 6379, Tags: ['primary'], Meta: { version: '7' } });
    const checks = (await (await fetch(`http://${agent.httpAddr}/v1/agent/checks`)).json()) as Record<string, { ServiceID: string }>;
    expect(checks['cache-ttl']?.ServiceID).toBe('cache-1');
    expect((await cli(['services', 'deregister', file])).stdout).toBe('Deregistered service: cache-1\n');
    const broken = join(dir, 'broken.hcl');
    writeFileSync(broken, 'service {\n  name = \n}\n');
    const r = await cli(['services', 'register', broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^Error: failed to parse ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: At 3: expected a value, got '}'\n$`));
  });

  it('a registration the agent refuses prints its error', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ service: { name: 'bad', port: 1, check: { http: 'http://127.0.0.1:1/' } } }));
    const r = await cli(['services', 'register', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error registering service "bad": Unexpected response code: 400 \(.*Interval.*\)\n$/);
  });
});

describe('maint, event, reload, operator, join', () => {
  it('maint -enable / list / -disable for the node and a service', async () => {
    expect((await cli(['maint', '-enable', '-reason=upgrading'])).stdout).toBe('Node maintenance is now enabled\n');
    const list = await cli(['maint']);
    expect(list.stdout).toBe(`Node:\n  Name:   ${agent.nodeName}\n  Reason: upgrading\n\n`);
    expect((await cli(['maint', '-disable'])).stdout).toBe('Node maintenance is now disabled\n');
    expect((await cli(['maint'])).stdout).toBe('');
    await cli(['services', 'register', '-name=db']);
    expect((await cli(['maint', '-enable', '-service=db'])).stdout).toBe('Service maintenance is now enabled for "db"\n');
    expect((await cli(['maint'])).stdout).toMatch(/^Service:\n  ID:     db\n  Reason: .+\n\n$/);
    expect((await cli(['maint', '-disable', '-service=db'])).stdout).toBe('Service maintenance is now disabled for "db"\n');
    const unknown = await cli(['maint', '-enable', '-service=nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Error enabling service maintenance: Unexpected response code: 404/);
  });

  it('event prints the event ID', async () => {
    const r = await cli(['event', '-name=deploy', 'v1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Event ID: [0-9a-f-]{36}\n$/);
  });

  it('reload', async () => {
    expect(await cli(['reload'])).toEqual({ code: 0, stdout: 'Configuration reload triggered\n', stderr: '' });
  });

  it('operator raft list-peers shows this server as the leader with its commit index', async () => {
    const r = await cli(['operator', 'raft', 'list-peers']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Node\s+ID\s+Address\s+State\s+Voter\s+RaftProtocol\s+Commit Index\s+Trails Leader By$/);
    expect(lines[1]).toMatch(new RegExp(`^${agent.nodeName}\\s+[0-9a-f-]{36}\\s+127\\.0\\.2\\.20:8300\\s+leader\\s+true\\s+3\\s+\\d+\\s+_$`));
    const rm = await cli(['operator', 'raft', 'remove-peer', '-address=127.0.2.99:8300']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/^Error removing peer: Unexpected response code: \d+ \(.+\)\n$/);
    // A single voter has no one to hand leadership to: Consul's texts, its spelling included.
    expect(await cli(['operator', 'raft', 'transfer-leader'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error transfering leadership: Failed to transfer leadership Unexpected response code: 500 (cannot find a voter to transfer leadership to)\n',
    });
  });

  it('operator autopilot get-config prints the configuration; set-config changes only the flags given', async () => {
    const defaults = ['CleanupDeadServers = true', 'LastContactThreshold = 200ms', 'MaxTrailingLogs = 250', 'MinQuorum = 0', 'ServerStabilizationTime = 10s', 'RedundancyZoneTag = ""', 'DisableUpgradeMigration = false', 'UpgradeVersionTag = ""'];
    expect(await cli(['operator', 'autopilot', 'get-config'])).toEqual({ code: 0, stdout: defaults.join('\n') + '\n', stderr: '' });
    const set = await cli(['operator', 'autopilot', 'set-config', '-cleanup-dead-servers=false', '-max-trailing-logs=300', '-last-contact-threshold=1.5s', '-redundancy-zone-tag=zone']);
    expect(set).toEqual({ code: 0, stdout: 'Configuration updated!\n', stderr: '' });
    const after = (await cli(['operator', 'autopilot', 'get-config'])).stdout.trimEnd().split('\n');
    expect(after).toEqual(['CleanupDeadServers = false', 'LastContactThreshold = 1.5s', 'MaxTrailingLogs = 300', ...defaults.slice(3, 5), 'RedundancyZoneTag = "zone"', ...defaults.slice(6)]);
    expect(await cli(['operator', 'autopilot', 'set-config', '-server-stabilization-time=soon'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'invalid value "soon" for flag -server-stabilization-time: time: invalid duration "soon"\n',
    });
    // Back to the defaults for the other tests.
    expect((await cli(['operator', 'autopilot', 'set-config', '-cleanup-dead-servers=true', '-max-trailing-logs=250', '-last-contact-threshold=200ms', '-redundancy-zone-tag='])).code).toBe(0);
  });

  it('snapshot save and restore round-trip the KV store', async () => {
    await cli(['kv', 'put', 'snap/a', 'before']);
    const file = join(dir, 'backup.snap');
    const saved = await cli(['snapshot', 'save', file]);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toMatch(/^Saved and verified snapshot to index \d+\n$/);
    await cli(['kv', 'put', 'snap/a', 'after']);
    await cli(['kv', 'put', 'snap/b', 'new']);
    expect(await cli(['snapshot', 'restore', file])).toEqual({ code: 0, stdout: 'Restored snapshot\n', stderr: '' });
    expect((await cli(['kv', 'get', '-recurse', 'snap/'])).stdout).toBe('snap/a:before\n');
  });

  it('snapshot inspect prints the archive\'s meta and what it holds, as Consul does', async () => {
    const file = join(dir, 'inspect.snap');
    expect((await cli(['snapshot', 'save', file])).code).toBe(0);
    const get = async (path: string): Promise<any> => (await fetch(`http://${agent.httpAddr}${path}`)).json();
    const keys = (await get('/v1/kv/?keys')) as string[];
    const raft = (await get('/v1/agent/self')).Stats.raft;

    const json = await cli(['snapshot', 'inspect', '-format=json', file]);
    expect(json.code).toBe(0);
    const j = JSON.parse(json.stdout);
    expect(Object.keys(j)).toEqual(['Meta', 'Stats', 'StatsKV', 'TotalSize', 'TotalSizeKV']);
    expect(j.Meta.Term).toBe(Number(raft.last_log_term));
    expect(j.Meta.ID).toBe(`${j.Meta.Term}-${j.Meta.Index}-${j.Meta.ID.split('-')[2]}`);
    expect(j.Stats.find((s: { Name: string }) => s.Name === 'KVS').Count).toBe(keys.length);
    expect(j.Stats.find((s: { Name: string }) => s.Name === 'Register').Count).toBeGreaterThanOrEqual(3); // the node, its consul service and serfHealth

    const pretty = (await cli(['snapshot', 'inspect', file])).stdout.split('\n');
    expect(pretty.slice(0, 6)).toEqual([` ID           ${j.Meta.ID}`, ` Size         ${j.Meta.Size}`, ` Index        ${j.Meta.Index}`, ` Term         ${j.Meta.Term}`, ' Version      1', '']);
    expect(pretty[6]).toMatch(/^ Type {2,}Count {6}Size$/);
    expect(pretty).toContainEqual(expect.stringMatching(new RegExp(`^ KVS {2,}${keys.length} +\\d+(\\.\\d)?K?B$`)));
    expect(pretty.at(-2)).toMatch(/^ Total {2,}\d+(\.\d)?K?B$/);

    const detailed = (await cli(['snapshot', 'inspect', '-kvdetails', '-kvdepth=1', '-kvfilter=snap', file])).stdout.split('\n');
    const table = detailed.slice(detailed.indexOf('') + 1);
    expect(table[table.indexOf('') + 1]).toMatch(/^ Key Name {2,}Count {6}Size$/);
    expect(detailed).toContainEqual(expect.stringMatching(/^ snap {2,}1 +\d+B$/));
    expect(await cli(['snapshot', 'inspect', '-format=yaml', file])).toEqual({ code: 1, stdout: '', stderr: 'Error outputting enhanced snapshot data: Unknown format: yaml\n' });
  });

  it('join to an address where nothing listens fails with the agent\'s error', async () => {
    const r = await cli(['join', '127.0.2.29']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error joining address '127\.0\.2\.29': Unexpected response code: 500 \([\s\S]+\)\nFailed to join any nodes\.\n$/);
  });
});

describe('watch', () => {
  it('without a handler prints the current data as indented JSON and exits', async () => {
    await cli(['kv', 'put', 'watch/one', 'a']);
    const r = await cli(['watch', '-type=key', '-key=watch/one']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('{\n    "Key": "watch/one",\n    "CreateIndex": ')).toBe(true);
    const pair = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(pair)).toEqual(['Key', 'CreateIndex', 'ModifyIndex', 'LockIndex', 'Flags', 'Value', 'Session']);
    expect(pair['Value']).toBe(Buffer.from('a').toString('base64'));
    const services = JSON.parse((await cli(['watch', '-type=services'])).stdout) as Record<string, string[]>;
    expect(services['consul']).toEqual([]);
  });

  it('with a handler runs it on every change with the data on stdin and CONSUL_INDEX', async () => {
    await cli(['kv', 'put', 'watch/h', 'v1']);
    const out = join(dir, 'watch-handler.txt');
    const child = spawn(process.execPath, [bin, 'watch', '-type=key', '-key=watch/h', `cat >> ${out}; echo " index=$CONSUL_INDEX" >> ${out}`], {
      env: { PATH: process.env['PATH'] ?? '', CONSUL_HTTP_ADDR: agent.httpAddr },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const read = () => {
      try {
        return readFileSync(out, 'utf8');
      } catch {
        return '';
      }
    };
    for (let i = 0; i < 100 && !read().includes('index='); i++) await new Promise((r) => setTimeout(r, 50));
    await cli(['kv', 'put', 'watch/h', 'v2']);
    for (let i = 0; i < 100 && read().split('index=').length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const runs = read().trim().split('\n');
    expect(runs.length).toBe(4);
    expect((JSON.parse(runs[0]!) as { Value: string }).Value).toBe(Buffer.from('v1').toString('base64'));
    expect((JSON.parse(runs[2]!) as { Value: string }).Value).toBe(Buffer.from('v2').toString('base64'));
    const index = /index=(\d+)/.exec(runs[3]!)![1]!;
    expect(Number(index)).toBe((JSON.parse(runs[2]!) as { ModifyIndex: number }).ModifyIndex);
  });

  it('reports Consul\'s parameter errors', async () => {
    expect(await cli(['watch', '-type=key'])).toEqual({ code: 1, stdout: '', stderr: 'Must specify a single key to watch\n' });
    expect((await cli(['watch', '-type=bogus'])).stderr).toBe('Unsupported watch type: bogus\n');
    expect((await cli(['watch'])).stderr).toBe('Watch type must be specified\n');
  });
});

describe('addresses and failures', () => {
  it('-http-addr overrides CONSUL_HTTP_ADDR', async () => {
    const r = await cli(['catalog', 'datacenters', `-http-addr=http://${agent.httpAddr}`], { env: { CONSUL_HTTP_ADDR: '127.0.2.21:1999' } });
    expect(r.stdout).toBe('dc1\n');
  });

  it('connection refused: Consul\'s message, exit 1, no stack trace', async () => {
    const port = await freePort('127.0.2.21');
    const r = await cli(['members'], { env: { CONSUL_HTTP_ADDR: `127.0.2.21:${port}` } });
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error retrieving members: Get "http://127.0.2.21:${port}/v1/agent/members": dial tcp 127.0.2.21:${port}: connect: connection refused\n`,
    });
  });
});

describe('proconsul agent', () => {
  it('runs the agent through agentMain and stops on SIGTERM', async () => {
    const second = await startAgent({ ip: '127.0.2.22', command: [process.execPath, bin, 'agent'] });
    try {
      const r = await cli(['members'], { env: { CONSUL_HTTP_ADDR: second.httpAddr } });
      expect(r.stdout).toContain(second.nodeName);
    } finally {
      await second.stop();
    }
    expect(second.child.exitCode !== null || second.child.signalCode !== null).toBe(true);
  }, 40_000);
});

