/**
 * `proconsul acl auth-method ...`, `acl binding-rule ...`, `login` and `logout` against a real agent
 * with ACLs on, default deny (127.0.63.21): a jwt auth method whose key pair the test makes, a
 * binding rule giving a service identity from a claim, and the token a login mints.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.js';
import { startAgent, type AgentProcess } from '@proconsul/testing';

let agent: AgentProcess;
const dir = mkdtempSync(join(tmpdir(), 'proconsul-cli-login-'));

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { addr: agent.httpAddr, env });

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** An RS256 JWT (the jwt auth method's default algorithm) with the given claims. */
function jwt(key: KeyObject, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ iat: now, nbf: now - 5, exp: now + 300, ...claims }))}`;
  return `${head}.${b64url(sign('sha256', Buffer.from(head), key))}`;
}

beforeAll(async () => {
  const cfg = join(dir, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny' } }));
  agent = await startAgent({ ip: '127.0.63.21', extraArgs: ['-config-file', cfg] });
}, 40_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('proconsul acl auth-method / binding-rule, login and logout', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const env: Record<string, string> = {};

  it('bootstraps the ACL system', async () => {
    const r = await cli(['acl', 'bootstrap']);
    expect(r.code, r.stderr).toBe(0);
    env['CONSUL_HTTP_TOKEN'] = /SecretID:\s+(\S+)/.exec(r.stdout)![1]!;
  });

  it('auth-method create (-config @file), list, read, update', async () => {
    const config = join(dir, 'jwt.json');
    writeFileSync(config, JSON.stringify({ JWTValidationPubKeys: [pem], ClaimMappings: { name: 'name' } }));
    const created = await cli(['acl', 'auth-method', 'create', '-type', 'jwt', '-name', 'jwt-test', '-description', 'test jwt', '-max-token-ttl', '10m', '-config', `@${config}`], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Name:          jwt-test\nType:          jwt\nDescription:   test jwt\nMaxTokenTTL:   10m0s\nConfig:\n\{\n  "ClaimMappings": \{\n    "name": "name"\n  \},\n  "JWTValidationPubKeys": \[\n    "-----BEGIN PUBLIC KEY-----\\n/);
    expect(created.stdout.endsWith('\n  ]\n}\n')).toBe(true);

    const list = await cli(['acl', 'auth-method', 'list'], env);
    expect([list.code, list.stdout]).toEqual([0, 'jwt-test:\n   Type:         jwt\n   Description:  test jwt\n\n']);
    const listJson = JSON.parse((await cli(['acl', 'auth-method', 'list', '-format', 'json'], env)).stdout) as Array<Record<string, unknown>>;
    expect(listJson.map((m) => Object.keys(m))).toEqual([['MaxTokenTTL', 'Name', 'Type', 'Description', 'CreateIndex', 'ModifyIndex']]);

    const read = await cli(['acl', 'auth-method', 'read', '-name', 'jwt-test', '-format', 'json'], env);
    expect(read.code, read.stderr).toBe(0);
    const m = JSON.parse(read.stdout) as Record<string, unknown>;
    expect(Object.keys(m)).toEqual(['MaxTokenTTL', 'Name', 'Type', 'Description', 'Config', 'CreateIndex', 'ModifyIndex']);
    expect(m).toMatchObject({ MaxTokenTTL: '10m0s', Name: 'jwt-test', Type: 'jwt', Config: { JWTValidationPubKeys: [pem], ClaimMappings: { name: 'name' } } });

    // Merge: the description changes, the config (not given) stays; -meta shows the indexes.
    const up = await cli(['acl', 'auth-method', 'update', '-name', 'jwt-test', '-description', 'updated', '-display-name', 'JWT', '-meta'], env);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^Name:          jwt-test\nType:          jwt\nDisplayName:   JWT\nDescription:   updated\nMaxTokenTTL:   10m0s\nCreate Index:  \d+\nModify Index:  \d+\nConfig:\n\{\n  "ClaimMappings"/);

    expect((await cli(['acl', 'auth-method', 'read', '-name', 'nope'], env)).stderr).toBe('Auth method not found with name "nope"\n');
    const denied = await cli(['acl', 'auth-method', 'list']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^Failed to retrieve the auth method list: Unexpected response code: 403 \(Permission denied: .*'acl:read'.*\)\n$/);
  });

  let ruleId = '';

  it('binding-rule create, list, read (by prefix), update', async () => {
    const created = await cli(['acl', 'binding-rule', 'create', '-method', 'jwt-test', '-bind-type', 'service', '-bind-name', '${value.name}', '-selector', 'value.name==web', '-description', 'web rule'], env);
    expect(created.code, created.stderr).toBe(0);
    ruleId = /^ID:\s+(\S+)/.exec(created.stdout)![1]!;
    const pretty = (desc: string) => `ID:           ${ruleId}\nAuthMethod:   jwt-test\nDescription:  ${desc}\nBindType:     service\nBindName:     \${value.name}\nSelector:     value.name==web\n\n`;
    expect(created.stdout).toBe(pretty('web rule'));

    const list = await cli(['acl', 'binding-rule', 'list', '-method', 'jwt-test'], env);
    expect(list.stdout).toBe(`${ruleId}:\n   AuthMethod:   jwt-test\n   Description:  web rule\n   BindType:     service\n   BindName:     \${value.name}\n   Selector:     value.name==web\n\n`);
    expect((await cli(['acl', 'binding-rule', 'list', '-method', 'other'], env)).stdout).toBe('');

    const read = await cli(['acl', 'binding-rule', 'read', '-id', ruleId.slice(0, 8)], env);
    expect([read.code, read.stdout]).toEqual([0, pretty('web rule')]);
    const json = JSON.parse((await cli(['acl', 'binding-rule', 'read', '-id', ruleId, '-format', 'json'], env)).stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['ID', 'Description', 'AuthMethod', 'Selector', 'BindType', 'BindName', 'CreateIndex', 'ModifyIndex']);

    const up = await cli(['acl', 'binding-rule', 'update', '-id', ruleId.slice(0, 8), '-description', 'still web'], env);
    expect([up.code, up.stdout]).toEqual([0, pretty('still web')]);
    expect((await cli(['acl', 'binding-rule', 'read', '-id', 'zzzz'], env)).stderr).toBe('Error determining binding rule ID: no such rule ID with prefix: zzzz: ACL not found\n');
  });

  it('login writes the secret to the sink; the token carries its auth method; logout destroys it once', async () => {
    const bearer = join(dir, 'bearer');
    const sink = join(dir, 'sink');
    writeFileSync(bearer, `${jwt(privateKey, { sub: 'u1', name: 'web' })}\n`);
    const r = await cli(['login', '-method', 'jwt-test', '-bearer-token-file', bearer, '-token-sink-file', sink, '-meta', 'who=test']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    const secret = readFileSync(sink, 'utf8');
    expect(secret).toMatch(/^[0-9a-f-]{36}$/);

    const self = await cli(['acl', 'token', 'read', '-self', '-token-file', sink]);
    expect(self.code, self.stderr).toBe(0);
    expect(self.stdout).toMatch(new RegExp(`^AccessorID:\\s+\\S+\\nSecretID:\\s+${secret}\\nDescription:\\s+.*\\nLocal:\\s+true\\nAuth Method:      jwt-test \\(Namespace: \\)\\nCreate Time:\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? \\+0000 UTC\\nExpiration Time:\\s+\\d{4}-\\d\\d-\\d\\d \\S+ \\+0000 UTC`));
    expect(self.stdout).toContain('Service Identities:\n   web (Datacenters: all)\n');
    expect((await cli(['acl', 'token', 'list'], env)).stdout).toContain('Auth Method:      jwt-test (Namespace: )\n');

    // A JWT the selector does not match gets no token.
    writeFileSync(bearer, jwt(privateKey, { sub: 'u2', name: 'db' }));
    const no = await cli(['login', '-method', 'jwt-test', '-bearer-token-file', bearer, '-token-sink-file', join(dir, 'sink2')]);
    expect([no.code, no.stderr]).toEqual([1, 'Error logging in: Unexpected response code: 403 (Permission denied)\n']);

    const out = await cli(['logout', '-token-file', sink]);
    expect([out.code, out.stdout, out.stderr]).toEqual([0, '', '']);
    const again = await cli(['logout'], { CONSUL_HTTP_TOKEN: secret });
    expect([again.code, again.stderr]).toEqual([1, 'Error destroying token: Unexpected response code: 403 (ACL not found)\n']);
  });

  it('binding-rule and auth-method delete', async () => {
    const del = await cli(['acl', 'binding-rule', 'delete', '-id', ruleId.slice(0, 8)], env);
    expect([del.code, del.stdout]).toEqual([0, `Binding rule "${ruleId}" deleted successfully\n`]);
    expect((await cli(['acl', 'binding-rule', 'list'], env)).stdout).toBe('');
    const gone = await cli(['acl', 'auth-method', 'delete', '-name', 'jwt-test'], env);
    expect([gone.code, gone.stdout]).toEqual([0, 'Auth method "jwt-test" deleted successfully\n']);
    expect((await cli(['acl', 'auth-method', 'list', '-format', 'json'], env)).stdout).toBe('[]\n');
  });
});
