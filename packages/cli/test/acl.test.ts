/**
 * `proconsul acl ...` and the CLI's token sources (-token, -token-file, CONSUL_HTTP_TOKEN)
 * against a real agent with ACLs on, default deny, never bootstrapped (127.0.63.20).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';
import { startAgent, type AgentProcess } from '@proconsul/testing';

let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'proconsul-cli-acl-'));

const cli = (args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliResult> => runCli(args, { addr: agent.httpAddr, env, ...(stdin !== undefined ? { stdin } : {}) });

beforeAll(async () => {
  const cfg = join(dir, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny' } }));
  agent = await startAgent({ ip: '127.0.63.20', extraArgs: ['-config-file', cfg] });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('proconsul acl', () => {
  let mgmt = '';

  it('bootstraps once and prints the management token, then refuses', async () => {
    const r = await cli(['acl', 'bootstrap']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^AccessorID:\s+[0-9a-f-]{36}\nSecretID:\s+[0-9a-f-]{36}\nDescription:\s+Bootstrap Token \(Global Management\)\nLocal:\s+false\nCreate Time:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \+0000 UTC\nPolicies:\n\s+00000000-0000-0000-0000-000000000001 - global-management\n$/);
    mgmt = /SecretID:\s+(\S+)/.exec(r.stdout)![1]!;
    const again = await cli(['acl', 'bootstrap']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Failed ACL bootstrapping: Unexpected response code: 403 \(Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)\)\n$/);
  });

  it('creates a policy and a token, and the token works from every source', async () => {
    const p = await cli(['acl', 'policy', 'create', '-name', 'kv-app', '-rules', 'key_prefix "app/" { policy = "write" }'], { CONSUL_HTTP_TOKEN: mgmt });
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^ID:\s+\S+\nName:\s+kv-app\n/);
    const t = await cli(['acl', 'token', 'create', '-description', 'app', '-policy-name', 'kv-app', '-token', mgmt]);
    expect(t.code, t.stderr).toBe(0);
    const secret = /SecretID:\s+(\S+)/.exec(t.stdout)![1]!;
    expect(t.stdout).toMatch(/Policies:\n\s+\S+ - kv-app\n/);
    const file = join(dir, 'token');
    writeFileSync(file, `${secret}\n`);
    expect((await cli(['kv', 'put', '-token', secret, 'app/a', '1'])).code).toBe(0);
    expect((await cli(['kv', 'put', '-token-file', file, 'app/b', '2'])).code).toBe(0);
    expect((await cli(['kv', 'get', 'app/a'], { CONSUL_HTTP_TOKEN: secret })).stdout).toBe('1\n');
    const denied = await cli(['kv', 'put', 'other', 'x'], { CONSUL_HTTP_TOKEN: secret });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("lacks permission 'key:write' on \"other\"");
    const self = await cli(['acl', 'token', 'read', '-self', '-token-file', file]);
    expect(self.stdout).toContain(`SecretID:         ${secret}`);
    const bad = await cli(['acl', 'policy', 'create', '-name', 'bad', '-rules', 'key "a" { policy = "sudo" }', '-token', mgmt]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Failed to create new policy: Unexpected response code: 400 (Invalid Policy: Invalid key policy: "sudo")\n');
  });

  it('lists, reads and deletes policies, tokens and roles, and sets the agent token', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    const list = await cli(['acl', 'policy', 'list'], env);
    expect(list.stdout).toMatch(/^global-management:\n   ID:           00000000-0000-0000-0000-000000000001\n/m);
    expect(list.stdout).toContain('kv-app:');
    const read = await cli(['acl', 'policy', 'read', '-name', 'kv-app'], env);
    expect(read.stdout).toContain('key_prefix "app/" { policy = "write" }');
    const role = await cli(['acl', 'role', 'create', '-name', 'app-role', '-policy-name', 'kv-app'], env);
    expect(role.code, role.stderr).toBe(0);
    expect(role.stdout).toMatch(/Policies:\n\s+\S+ - kv-app\n/);
    expect((await cli(['acl', 'role', 'list'], env)).stdout).toContain('app-role');
    const roleId = /^ID:\s+(\S+)/m.exec(role.stdout)![1]!;
    expect((await cli(['acl', 'role', 'delete', '-id', roleId], env)).stdout).toBe(`Role "${roleId}" deleted successfully\n`);
    const tokens = await cli(['acl', 'token', 'list'], env);
    expect(tokens.stdout).toContain('Description:      Anonymous Token');
    const t = await cli(['acl', 'token', 'create', '-policy-name', 'kv-app'], env);
    const accessor = /AccessorID:\s+(\S+)/.exec(t.stdout)![1]!;
    const secret = /SecretID:\s+(\S+)/.exec(t.stdout)![1]!;
    expect((await cli(['acl', 'set-agent-token', 'default', secret], env)).stdout).toBe('ACL token set successfully\n');
    expect((await cli(['kv', 'get', 'app/a'])).stdout).toBe('1\n'); // no token: the agent's default now
    expect((await cli(['acl', 'set-agent-token', 'default', ''], env)).code).toBe(0);
    expect((await cli(['acl', 'token', 'delete', '-id', accessor], env)).stdout).toBe(`Token "${accessor}" deleted successfully\n`);
    const gone = await cli(['acl', 'policy', 'delete', '-name', 'kv-app'], env);
    expect(gone.code, gone.stderr).toBe(0);
    const missing = await cli(['acl', 'policy', 'read', '-name', 'kv-app'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error reading policy: Unexpected response code: 404 (Requested policy does not exist: ACL not found)\n');
    expect((await cli(['acl', 'policy', 'read'], env)).stderr).toBe('Must specify either the -id or -name parameters to read\n');
  });

  /** Reads an ACL object back through the HTTP API, as the management token. */
  async function read<T>(path: string): Promise<T> {
    const res = await fetch(`${agent.url}/v1${path}`, { headers: { 'X-Consul-Token': mgmt } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  }
  const idOf = (stdout: string, field = 'ID'): string => new RegExp(`^${field}:\\s+(\\S+)`, 'm').exec(stdout)![1]!;
  const names = (links?: Array<{ Name: string }>): string[] => (links ?? []).map((l) => l.Name);
  const policyIds: Record<string, string> = {};

  it('token update: -append-* adds, -policy-*/-role-* replace, identities not given are dropped, deprecated flags warn', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    for (const name of ['up-one', 'up-two', 'up-three']) {
      const p = await cli(['acl', 'policy', 'create', '-name', name, '-rules', `key_prefix "${name}/" { policy = "read" }`], env);
      expect(p.code, p.stderr).toBe(0);
      policyIds[name] = idOf(p.stdout);
    }
    expect((await cli(['acl', 'role', 'create', '-name', 'up-role', '-policy-name', 'up-one'], env)).code).toBe(0);
    const created = await cli(['acl', 'token', 'create', '-description', 'orig', '-policy-name', 'up-one', '-service-identity', 'web'], env);
    const accessor = idOf(created.stdout, 'AccessorID');
    const [one, two, three] = [policyIds['up-one']!, policyIds['up-two']!, policyIds['up-three']!];

    // A unique prefix names the token; the policies and identities given are added.
    const add = await cli(['acl', 'token', 'update', '-accessor-id', accessor.slice(0, 8), '-description', 'changed', '-append-policy-name', 'up-two', '-append-service-identity', 'api:dc1'], env);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toBe('');
    expect(add.stdout).toMatch(new RegExp(`^AccessorID:\\s+${accessor}\\nSecretID:\\s+\\S+\\nDescription:\\s+changed\\nLocal:\\s+false\\nCreate Time:\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? \\+0000 UTC\\n`));
    expect(add.stdout).toContain(`Policies:\n   ${one} - up-one\n   ${two} - up-two\nService Identities:\n   api (Datacenters: dc1)\n   web (Datacenters: all)\n`);
    let t = await read<{ Description: string; Policies?: Array<{ ID: string; Name: string }>; Roles?: Array<{ Name: string }>; ServiceIdentities?: unknown[]; NodeIdentities?: unknown[] }>(`/acl/token/${accessor}`);
    expect(t.Description).toBe('changed');
    expect(names(t.Policies)).toEqual(['up-one', 'up-two']);
    // The server keeps service identities sorted by name (Consul's dedupeServiceIdentities).
    expect(t.ServiceIdentities).toEqual([{ ServiceName: 'api', Datacenters: ['dc1'] }, { ServiceName: 'web' }]);

    // -policy-id (a prefix) and -role-name replace; the service identities, not given, go (Consul's default).
    const replace = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-policy-id', three.slice(0, 8), '-role-name', 'up-role'], env);
    expect(replace.code, replace.stderr).toBe(0);
    expect(replace.stdout).toMatch(new RegExp(`Policies:\\n   ${three} - up-three\\nRoles:\\n   \\S+ - up-role\\n$`));
    t = await read(`/acl/token/${accessor}`);
    expect(t.Description).toBe('changed');
    expect(t.Policies).toEqual([{ ID: three, Name: 'up-three' }]);
    expect(names(t.Roles)).toEqual(['up-role']);
    expect(t.ServiceIdentities).toBeUndefined();

    // The deprecated -id and -merge-policies still work, with Consul's warnings on stderr.
    const merged = await cli(['acl', 'token', 'update', '-id', accessor, '-merge-policies', '-policy-name', 'up-three', '-policy-name', 'up-one', '-node-identity', 'n1:dc1'], env);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stderr).toBe(
      'Use the -accessor-id parameter to specify token by Accessor ID\n' +
        'merge-policies is deprecated and will be removed in a future Consul version. Use `append-policy-name` or `append-policy-id` instead.\n',
    );
    t = await read(`/acl/token/${accessor}`);
    expect(names(t.Policies)).toEqual(['up-three', 'up-one']);
    expect(t.NodeIdentities).toEqual([{ NodeName: 'n1', Datacenter: 'dc1' }]);

    // -format=json: Go's api.ACLToken field order; -meta adds the hash and indexes.
    const json = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-append-node-identity', 'n2:dc1', '-format', 'json'], env);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['CreateIndex', 'ModifyIndex', 'AccessorID', 'SecretID', 'Description', 'Policies', 'Roles', 'NodeIdentities', 'Local', 'CreateTime', 'Hash']);
    expect(parsed.NodeIdentities).toEqual([{ NodeName: 'n1', Datacenter: 'dc1' }, { NodeName: 'n2', Datacenter: 'dc1' }]);
    expect(json.stdout).toMatch(/^\{\n    "CreateIndex": \d+,\n/);
    const meta = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-append-node-identity', 'n2:dc1', '-meta'], env);
    expect(meta.stdout).toMatch(/\nCreate Time:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \+0000 UTC\nHash:             [0-9a-f]{64}\nCreate Index:     \d+\nModify Index:     \d+\nPolicies:\n/);
    expect(meta.stdout).toContain('Node Identities:\n   n1 (Datacenter: dc1)\n   n2 (Datacenter: dc1)\n');

    // Consul's error texts.
    expect((await cli(['acl', 'token', 'update'], env)).stderr).toBe('Cannot update a token without specifying the -accessor-id parameter\n');
    expect((await cli(['acl', 'token', 'update', '-accessor-id', 'zzzz'], env)).stderr).toBe('Error determining token ID: No such token ID with prefix: zzzz\n');
    expect((await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-policy-name', 'a', '-append-policy-name', 'b'], env)).stderr).toBe(
      'Cannot combine the use of policy-id/policy-name flags with append- variants. To set or overwrite existing policies, use -policy-id or -policy-name. To append to existing policies, use -append-policy-id or -append-policy-name.\n',
    );
    expect((await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-service-identity', 'a:b:c'], env)).stderr).toBe('Malformed -service-identity argument: "a:b:c"\n');
    const failed = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-policy-name', 'no-such-policy'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`^Failed to update token ${accessor}: Unexpected response code: 400 \\(.*no-such-policy.*\\)\\n$`));
    expect(names((await read<typeof t>(`/acl/token/${accessor}`)).Policies)).toEqual(['up-three', 'up-one']);
  });

  it('token clone: a new token with the original\'s links and the new description', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    const orig = await cli(['acl', 'token', 'create', '-description', 'to-clone', '-policy-name', 'up-two', '-role-name', 'up-role'], env);
    const accessor = idOf(orig.stdout, 'AccessorID');
    const c = await cli(['acl', 'token', 'clone', '-accessor-id', accessor.slice(0, 10), '-description', 'the copy'], env);
    expect(c.code, c.stderr).toBe(0);
    const copy = idOf(c.stdout, 'AccessorID');
    expect(copy).not.toBe(accessor);
    expect(c.stdout).toMatch(new RegExp(`^AccessorID:\\s+${copy}\\nSecretID:\\s+\\S+\\nDescription:\\s+the copy\\nLocal:\\s+false\\nCreate Time:\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? \\+0000 UTC\\nPolicies:\\n   ${policyIds['up-two']} - up-two\\nRoles:\\n   \\S+ - up-role\\n$`));
    const t = await read<{ Description: string; SecretID: string; Policies?: Array<{ Name: string }>; Roles?: Array<{ Name: string }> }>(`/acl/token/${copy}`);
    expect(t.Description).toBe('the copy');
    expect(names(t.Policies)).toEqual(['up-two']);
    expect(names(t.Roles)).toEqual(['up-role']);
    expect(t.SecretID).toBe(idOf(c.stdout, 'SecretID'));
    expect((await read<{ Description: string }>(`/acl/token/${accessor}`)).Description).toBe('to-clone');

    const json = await cli(['acl', 'token', 'clone', '-accessor-id', 'anonymous', '-format', 'json'], env);
    expect(json.code, json.stderr).toBe(0);
    const anon = JSON.parse(json.stdout) as { AccessorID: string; Description: string };
    expect(anon.AccessorID).not.toBe('00000000-0000-0000-0000-000000000002');
    expect(anon.Description).toBe('Anonymous Token');

    expect((await cli(['acl', 'token', 'clone'], env)).stderr).toBe('Cannot update a token without specifying the -accessor-id parameter\n');
    const missing = await cli(['acl', 'token', 'clone', '-accessor-id', '00000000-0000-0000-0000-00000000dead'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error cloning token: Unexpected response code: 403 (ACL not found)\n');
  });

  it('policy update: merges by default (rename, rules from @file or stdin, datacenters), -no-merge overwrites', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    const id = policyIds['up-two']!;
    const rulesFile = join(dir, 'rules.hcl');
    writeFileSync(rulesFile, 'key_prefix "two/" { policy = "write" }\n');
    const byName = await cli(['acl', 'policy', 'update', '-name', 'up-two', '-description', 'second', '-rules', `@${rulesFile}`], env);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toBe(`ID:           ${id}\nName:         up-two\nDescription:  second\nDatacenters:  \nRules:\nkey_prefix "two/" { policy = "write" }\n\n`);
    let p = await read<{ Name: string; Description: string; Rules: string; Datacenters?: string[] }>(`/acl/policy/${id}`);
    expect(p).toMatchObject({ Name: 'up-two', Description: 'second', Rules: 'key_prefix "two/" { policy = "write" }\n' });

    // -id (a prefix) finds it and -name renames it; what is not given is kept.
    const renamed = await cli(['acl', 'policy', 'update', '-id', id.slice(0, 8), '-name', 'up-two-renamed', '-valid-datacenter', 'dc1', '-valid-datacenter', 'dc2'], env);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain('Name:         up-two-renamed\nDescription:  second\nDatacenters:  dc1, dc2\n');
    p = await read(`/acl/policy/${id}`);
    expect(p).toMatchObject({ Name: 'up-two-renamed', Description: 'second', Rules: 'key_prefix "two/" { policy = "write" }\n', Datacenters: ['dc1', 'dc2'] });

    const stdin = await cli(['acl', 'policy', 'update', '-id', id, '-rules', '-'], env, 'key_prefix "two/" { policy = "read" }');
    expect(stdin.code, stdin.stderr).toBe(0);
    expect((await read<typeof p>(`/acl/policy/${id}`)).Rules).toBe('key_prefix "two/" { policy = "read" }');

    // -no-merge: the fields not given are emptied.
    const bare = await cli(['acl', 'policy', 'update', '-id', id, '-no-merge', '-name', 'up-two', '-rules', 'key "x" { policy = "read" }', '-format', 'json'], env);
    expect(bare.code, bare.stderr).toBe(0);
    const json = JSON.parse(bare.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['ID', 'Name', 'Description', 'Rules', 'Datacenters', 'Hash', 'CreateIndex', 'ModifyIndex']);
    expect(json).toMatchObject({ ID: id, Name: 'up-two', Description: '', Rules: 'key "x" { policy = "read" }', Datacenters: null });
    p = await read(`/acl/policy/${id}`);
    expect(p.Description).toBe('');
    expect(p.Datacenters ?? []).toEqual([]);
    const meta = await cli(['acl', 'policy', 'update', '-id', id, '-meta'], env);
    expect(meta.stdout).toMatch(/\nDatacenters:  \nHash:         [0-9a-f]{64}\nCreate Index: \d+\nModify Index: \d+\nRules:\n/);

    expect((await cli(['acl', 'policy', 'update'], env)).stderr).toBe('Must specify either the -id or -name parameters\n');
    expect((await cli(['acl', 'policy', 'update', '-name', 'no-such-policy'], env)).stderr).toBe(
      'Error determining policy ID: Failed to find policy with name no-such-policy: Unexpected response code: 404 (Requested policy does not exist: ACL not found)\n',
    );
    expect((await cli(['acl', 'policy', 'update', '-id', id, '-rules', `@${join(dir, 'nope.hcl')}`], env)).stderr).toBe(
      `Error loading data source: Failed to read file: open ${join(dir, 'nope.hcl')}: no such file or directory\n`,
    );
    const bad = await cli(['acl', 'policy', 'update', '-id', id, '-rules', 'key "a" { policy = "sudo" }'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`Error updating policy "${id}": Unexpected response code: 400 (Invalid Policy: Invalid key policy: "sudo")\n`);
  });

  it('role read and role update: merge adds policies and identities, -no-merge overwrites', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    const created = await cli(['acl', 'role', 'create', '-name', 'up-role-two', '-description', 'desc', '-policy-name', 'up-one'], env);
    expect(created.code, created.stderr).toBe(0);
    const id = idOf(created.stdout);
    const one = policyIds['up-one']!;
    const three = policyIds['up-three']!;

    const byName = await cli(['acl', 'role', 'read', '-name', 'up-role-two'], env);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toBe(`ID:           ${id}\nName:         up-role-two\nDescription:  desc\nPolicies:\n   ${one} - up-one\n`);
    expect((await cli(['acl', 'role', 'read', '-id', id.slice(0, 8)], env)).stdout).toBe(byName.stdout);
    const meta = await cli(['acl', 'role', 'read', '-id', id, '-meta'], env);
    expect(meta.stdout).toMatch(/^ID:.*\nName:.*\nDescription:  desc\nHash:         [0-9a-f]{64}\nCreate Index: \d+\nModify Index: \d+\nPolicies:\n/);
    const json = JSON.parse((await cli(['acl', 'role', 'read', '-name', 'up-role-two', '-format', 'json'], env)).stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['ID', 'Name', 'Description', 'Policies', 'Hash', 'CreateIndex', 'ModifyIndex']);

    // Merge: renamed, up-three added (up-one given again is not doubled), identities added.
    const merged = await cli(
      ['acl', 'role', 'update', '-id', id.slice(0, 8), '-name', 'up-role-renamed', '-policy-name', 'up-one', '-policy-id', three, '-service-identity', 'web:dc1,dc2', '-node-identity', 'n1:dc1'],
      env,
    );
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(
      `ID:           ${id}\nName:         up-role-renamed\nDescription:  desc\nPolicies:\n   ${one} - up-one\n   ${three} - up-three\n` +
        'Service Identities:\n   web (Datacenters: dc1, dc2)\nNode Identities:\n   n1 (Datacenter: dc1)\n',
    );
    type R = { Name: string; Description: string; Policies?: Array<{ ID: string; Name: string }>; ServiceIdentities?: unknown[]; NodeIdentities?: unknown[] };
    let r = await read<R>(`/acl/role/${id}`);
    expect(r).toMatchObject({ Name: 'up-role-renamed', Description: 'desc', ServiceIdentities: [{ ServiceName: 'web', Datacenters: ['dc1', 'dc2'] }], NodeIdentities: [{ NodeName: 'n1', Datacenter: 'dc1' }] });
    expect(names(r.Policies)).toEqual(['up-one', 'up-three']);

    // A service identity of the same name is replaced; a node identity in another datacenter is added.
    expect((await cli(['acl', 'role', 'update', '-id', id, '-service-identity', 'web', '-node-identity', 'n1:dc2'], env)).code).toBe(0);
    r = await read<R>(`/acl/role/${id}`);
    expect(r.ServiceIdentities).toEqual([{ ServiceName: 'web' }]);
    expect(r.NodeIdentities).toEqual([{ NodeName: 'n1', Datacenter: 'dc1' }, { NodeName: 'n1', Datacenter: 'dc2' }]);

    // -no-merge: only what is given.
    const bare = await cli(['acl', 'role', 'update', '-id', id, '-no-merge', '-name', 'up-role-bare', '-policy-id', policyIds['up-two']!], env);
    expect(bare.code, bare.stderr).toBe(0);
    r = await read<R>(`/acl/role/${id}`);
    expect(r).toMatchObject({ Name: 'up-role-bare', Description: '' });
    expect(r.Policies).toEqual([{ ID: policyIds['up-two'], Name: 'up-two' }]);
    expect(r.ServiceIdentities).toBeUndefined();
    expect(r.NodeIdentities).toBeUndefined();

    expect((await cli(['acl', 'role', 'read'], env)).stderr).toBe('Must specify either the -id or -name parameters\n');
    expect((await cli(['acl', 'role', 'read', '-name', 'no-such-role'], env)).stderr).toBe('Role not found with name "no-such-role"\n');
    expect((await cli(['acl', 'role', 'read', '-id', '00000000-0000-0000-0000-00000000beef'], env)).stderr).toBe('Role not found with ID "00000000-0000-0000-0000-00000000beef"\n');
    const format = await cli(['acl', 'role', 'read', '-id', id, '-format', 'yaml'], env);
    expect(format.code).toBe(1);
    expect(format.stderr).toBe('Unknown format: yaml\n');
    expect((await cli(['acl', 'role', 'update'], env)).stderr).toBe('Cannot update a role without specifying the -id parameter\n');
    expect((await cli(['acl', 'role', 'update', '-id', 'zz'], env)).stderr).toBe('Error determining role ID: No such role ID with prefix: zz\n');
    expect((await cli(['acl', 'role', 'update', '-id', id, '-node-identity', 'n1'], env)).stderr).toBe('Malformed -node-identity argument: "n1"\n');
    const failed = await cli(['acl', 'role', 'update', '-id', id, '-name', 'bad name'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(`Error updating role "${id}": Unexpected response code: 400 (Invalid Role: invalid Name "bad name")\n`);
  });

  it('templated policies: -templated-policy/-var/-templated-policy-file on create, -append-/-replace- on update', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    const t = await cli(['acl', 'token', 'create', '-description', 'tp', '-templated-policy', 'builtin/service', '-var', 'name:api'], env);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/\nCreate Time:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \+0000 UTC\nTemplated Policies:\n   builtin\/service\n      Name: api\n      Datacenters: all\n$/);
    const accessor = idOf(t.stdout, 'AccessorID');
    type T = { TemplatedPolicies?: unknown[] };
    expect((await read<T>(`/acl/token/${accessor}`)).TemplatedPolicies).toEqual([{ TemplateID: '00000000-0000-0000-0000-000000000003', TemplateName: 'builtin/service', TemplateVariables: { name: 'api' } }]);
    // The token may register api, not web.
    const register = (name: string) =>
      fetch(`${agent.url}/v1/agent/service/register`, { method: 'PUT', headers: { 'X-Consul-Token': idOf(t.stdout, 'SecretID') }, body: JSON.stringify({ Name: name, ID: `${name}-cli-tp` }) });
    expect((await register('api')).status).toBe(200);
    expect((await register('web')).status).toBe(403);

    // A file: each block its own, Datacenters kept; -append-* keeps what the token has.
    const file = join(dir, 'templated.hcl');
    writeFileSync(file, '# two more\nTemplatedPolicy "builtin/node" {\n  Name = "node-1"\n  Datacenters = ["dc1", "dc2"]\n}\nTemplatedPolicy "builtin/service" { name = "web" }\n');
    const appended = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-append-templated-policy-file', file], env);
    expect(appended.code, appended.stderr).toBe(0);
    expect(appended.stdout).toContain(
      'Templated Policies:\n   builtin/service\n      Name: api\n      Datacenters: all\n   builtin/node\n      Name: node-1\n      Datacenters: dc1, dc2\n   builtin/service\n      Name: web\n      Datacenters: all\n',
    );
    expect((await register('web')).status).toBe(200);
    // -append-templated-policy with -var; -format=json shows Go's api.ACLToken order and api.ACLTemplatedPolicy.
    const json = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-append-templated-policy', 'builtin/dns', '-format', 'json'], env);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['CreateIndex', 'ModifyIndex', 'AccessorID', 'SecretID', 'Description', 'TemplatedPolicies', 'Local', 'CreateTime', 'Hash']);
    expect(parsed.TemplatedPolicies).toEqual([
      { TemplateName: 'builtin/service', TemplateVariables: { Name: 'api' } },
      { TemplateName: 'builtin/node', TemplateVariables: { Name: 'node-1' }, Datacenters: ['dc1', 'dc2'] },
      { TemplateName: 'builtin/service', TemplateVariables: { Name: 'web' } },
      { TemplateName: 'builtin/dns' },
    ]);
    // -replace-templated-policy replaces them all; without any of the flags they are kept.
    const replaced = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-replace-templated-policy', 'builtin/node', '-var', 'name:n1'], env);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toMatch(/\nTemplated Policies:\n   builtin\/node\n      Name: n1\n      Datacenters: all\n$/);
    const kept = await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-description', 'still'], env);
    expect(kept.stdout).toMatch(/\nTemplated Policies:\n   builtin\/node\n      Name: n1\n      Datacenters: all\n$/);

    expect((await cli(['acl', 'token', 'update', '-accessor-id', accessor, '-append-templated-policy', 'builtin/dns', '-replace-templated-policy-file', file], env)).stderr).toBe(
      'Cannot combine the use of append-templated-policy flags with replace-templated-policy. To set or overwrite existing templated policies, use -replace-templated-policy or -replace-templated-policy-file. To append to existing templated policies, use -append-templated-policy or -append-templated-policy-file.\n',
    );
    expect((await cli(['acl', 'token', 'create', '-templated-policy', 'builtin/service', '-var', 'name'], env)).stderr).toBe('Malformed -var argument: "name", expecting VariableName:Value\n');
    const unknown = await cli(['acl', 'token', 'create', '-templated-policy', 'builtin/nope'], env);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'Failed to create new token: Unexpected response code: 400 (no such ACL templated policy with Name "builtin/nope")\n']);
    const missing = await cli(['acl', 'token', 'create', '-templated-policy', 'builtin/service'], env);
    expect(missing.stderr).toContain('(validation error for templated policy "builtin/service": 1 error occurred:\n\t* Invalid type. Expected: object, given: null');
    const bad = join(dir, 'bad.hcl');
    writeFileSync(bad, 'TemplatedPolicy "builtin/dns" {');
    expect((await cli(['acl', 'token', 'create', '-templated-policy-file', bad], env)).stderr).toBe("Failed to decode templated policy file: expected '}', got end of input\n");

    // Roles: create with a templated policy, update appends, -no-merge keeps only what is given.
    const role = await cli(['acl', 'role', 'create', '-name', 'tp-role', '-templated-policy', 'builtin/node', '-var', 'name:n7'], env);
    expect(role.code, role.stderr).toBe(0);
    const roleId = idOf(role.stdout);
    expect(role.stdout).toBe(`ID:           ${roleId}\nName:         tp-role\nDescription:  \nTemplated Policies:\n   builtin/node\n      Name: n7\n      Datacenters: all\n`);
    const roleUp = await cli(['acl', 'role', 'update', '-id', roleId, '-append-templated-policy', 'builtin/dns', '-format', 'json'], env);
    expect(roleUp.code, roleUp.stderr).toBe(0);
    const roleJson = JSON.parse(roleUp.stdout) as Record<string, unknown>;
    expect(Object.keys(roleJson)).toEqual(['ID', 'Name', 'Description', 'TemplatedPolicies', 'Hash', 'CreateIndex', 'ModifyIndex']);
    expect(roleJson.TemplatedPolicies).toEqual([{ TemplateName: 'builtin/node', TemplateVariables: { Name: 'n7' } }, { TemplateName: 'builtin/dns' }]);
    const roleBare = await cli(['acl', 'role', 'update', '-id', roleId, '-no-merge', '-name', 'tp-role', '-replace-templated-policy', 'builtin/service', '-var', 'name:billing'], env);
    expect(roleBare.code, roleBare.stderr).toBe(0);
    expect((await read<T>(`/acl/role/${roleId}`)).TemplatedPolicies).toEqual([{ TemplateID: '00000000-0000-0000-0000-000000000003', TemplateName: 'builtin/service', TemplateVariables: { name: 'billing' } }]);
  });

  it('acl templated-policy list, read and preview', async () => {
    const env = { CONSUL_HTTP_TOKEN: mgmt };
    const list = await cli(['acl', 'templated-policy', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe('builtin/dns\nbuiltin/node\nbuiltin/nomad-server\nbuiltin/service\nbuiltin/workload-identity\n');
    const listJson = JSON.parse((await cli(['acl', 'templated-policy', 'list', '-format', 'json'], env)).stdout) as Record<string, Record<string, string>>;
    expect(Object.keys(listJson['builtin/service']!)).toEqual(['TemplateName', 'Schema', 'Template']);
    expect((await cli(['acl', 'templated-policy', 'list'])).stderr).toMatch(/^Failed to retrieve the templated policies list: Unexpected response code: 403 \(Permission denied: .* lacks permission 'acl:read'\)\n$/);

    const read = await cli(['acl', 'templated-policy', 'read', '-name', 'builtin/service'], env);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe('Name:            builtin/service\nInput variables:\n\tName: String - Required - The name of the service.\nExample usage:\n\tconsul acl token create -templated-policy builtin/service -var name:api\n');
    const dns = await cli(['acl', 'templated-policy', 'read', '-name', 'builtin/dns', '-meta'], env);
    expect(dns.stdout).toBe(
      'Name:            builtin/dns\nInput variables: None\nExample usage:\n\tconsul acl token create -templated-policy builtin/dns\nRaw Template:\n\nnode_prefix "" {\n\tpolicy = "read"\n}\nservice_prefix "" {\n\tpolicy = "read"\n}\nquery_prefix "" {\n\tpolicy = "read"\n}\n',
    );
    const nodeMeta = await cli(['acl', 'templated-policy', 'read', '-name', 'builtin/node', '-meta'], env);
    expect(nodeMeta.stdout).toContain('Example usage:\n\tconsul acl token create -templated-policy builtin/node -var name:node-1\nSchema:\n{\n\t"type": "object",');
    expect(JSON.parse((await cli(['acl', 'templated-policy', 'read', '-name', 'builtin/node', '-format', 'json'], env)).stdout)).toMatchObject({ TemplateName: 'builtin/node' });
    expect((await cli(['acl', 'templated-policy', 'read'], env)).stderr).toBe('Must specify the -name parameter\n');
    expect((await cli(['acl', 'templated-policy', 'read', '-name', 'builtin/nope'], env)).stderr).toBe('Error reading templated policy "builtin/nope": Unexpected response code: 400 (Invalid templated policy Name: builtin/nope)\n');

    const preview = await cli(['acl', 'templated-policy', 'preview', '-name', 'builtin/service', '-var', 'name:api'], env);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(
      /^ID:           [0-9a-f]+\nName:         synthetic-policy-[0-9a-f]+\nDescription:  synthetic policy generated from templated policy: builtin\/service\nDatacenters:  \nRules:\n\nservice "api" \{\n\tpolicy = "write"\n\}\n/,
    );
    const file = join(dir, 'preview.hcl');
    writeFileSync(file, 'TemplatedPolicy "builtin/service" { Name = "web"}');
    const fromFile = await cli(['acl', 'templated-policy', 'preview', '-file', file, '-format', 'json'], env);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ Description: 'synthetic policy generated from templated policy: builtin/service', Datacenters: null });
    expect(JSON.parse(fromFile.stdout).Rules).toContain('service "web-sidecar-proxy" {');
    writeFileSync(file, 'TemplatedPolicy "builtin/service" { Name = "web"}\nTemplatedPolicy "builtin/node" { Name = "api"}\n');
    expect((await cli(['acl', 'templated-policy', 'preview', '-file', file], env)).stderr).toBe('Can only preview a single templated policy at a time.\n');
    expect((await cli(['acl', 'templated-policy', 'preview'], env)).stderr).toBe('Cannot preview a templated policy without specifying -name or -file\n');
    const noVars = await cli(['acl', 'templated-policy', 'preview', '-name', 'builtin/node'], env);
    expect(noVars.code).toBe(1);
    expect(noVars.stderr).toContain('Failed to generate the templated policy preview: Unexpected response code: 400 (validation error for templated policy: "builtin/node": 1 error occurred:\n\t* name is required');
  });
});
