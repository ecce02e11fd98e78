import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authMethodJson,
  authMethodLines,
  authMethodListJson,
  authMethodListLines,
  bindingRuleJson,
  bindingRuleLines,
  bindingRuleListLines,
  type BindingRule,
} from './commands/acl-auth-format.js';
import { tokenJson, tokenLines, type Token } from './commands/acl-format.js';
import { parseAuthMethodConfig } from './commands/acl-auth-method.js';
import { writeSink } from './commands/login.js';
import type { Io } from './io.js';
import { main } from './main.js';

// ---- a fake agent: answers from a table and records what was sent

interface Seen {
  method: string;
  url: string;
  token: string | undefined;
  body: unknown;
}
let server: Server;
let addr = '';
const seen: Seen[] = [];
let answers: Record<string, { status: number; body: unknown }> = {};
const dir = mkdtempSync(join(tmpdir(), 'proconsul-authmethod-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, token: req.headers['x-consul-token'] as string | undefined, body: raw ? JSON.parse(raw) : undefined });
      const a = answers[`${req.method} ${req.url}`] ?? { status: 404, body: 'no route' };
      res.writeHead(a.status, { 'Content-Type': 'application/json' });
      res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string> = {}, stdin = '') {
  let out = '';
  let err = '';
  const io: Io = {
    write: (c) => (out += typeof c === 'string' ? c : new TextDecoder().decode(c)),
    writeErr: (t) => (err += t),
    readStdin: async () => new TextEncoder().encode(stdin),
    env: { CONSUL_HTTP_ADDR: addr, ...env },
  };
  seen.length = 0;
  const code = await main(argv, io);
  return { code, out, err };
}

const jwtMethod = { Name: 'jwt', Type: 'jwt', Description: 'd', Config: { b: 1, JWTValidationPubKeys: ['k'], a: { z: true, y: '<&>' } }, CreateIndex: 7, ModifyIndex: 9 };

describe('auth method and binding rule formatters (Consul 1.17)', () => {
  it('prints an auth method: optional lines only when set, the config with sorted keys and two spaces', () => {
    expect(authMethodLines(jwtMethod)).toEqual([
      'Name:          jwt',
      'Type:          jwt',
      'Description:   d',
      'Config:',
      '{\n  "JWTValidationPubKeys": [\n    "k"\n  ],\n  "a": {\n    "y": "\\u003c\\u0026\\u003e",\n    "z": true\n  },\n  "b": 1\n}',
    ]);
    const full = authMethodLines({ ...jwtMethod, DisplayName: 'J', MaxTokenTTL: '1h0m0s', TokenLocality: 'global', Config: null }, true);
    expect(full).toEqual([
      'Name:          jwt',
      'Type:          jwt',
      'DisplayName:   J',
      'Description:   d',
      'MaxTokenTTL:   1h0m0s',
      'TokenLocality: global',
      'Create Index:  7',
      'Modify Index:  9',
      'Config:',
      'null',
    ]);
    // A zero TTL is not shown (Go: MaxTokenTTL > 0).
    expect(authMethodLines({ ...jwtMethod, MaxTokenTTL: '0s' }).some((l) => l.startsWith('MaxTokenTTL'))).toBe(false);
  });

  it('lists auth methods with a trailing empty line, nothing for none', () => {
    expect(authMethodListLines([{ Name: 'a', Type: 'jwt', DisplayName: 'A' }, { Name: 'b', Type: 'kubernetes', Description: 'x', CreateIndex: 1, ModifyIndex: 2 }], true)).toEqual([
      'a:',
      '   Type:         jwt',
      '   DisplayName:  A',
      '   Description:  ',
      '   Create Index: 0',
      '   Modify Index: 0',
      'b:',
      '   Type:         kubernetes',
      '   Description:  x',
      '   Create Index: 1',
      '   Modify Index: 2',
      '',
    ]);
    expect(authMethodListLines([])).toEqual([]);
    expect(authMethodListLines(null)).toEqual([]);
  });

  it('writes auth method JSON in api.ACLAuthMethod order: MaxTokenTTL first, omitempty fields left out', () => {
    const j = authMethodJson({ ...jwtMethod, MaxTokenTTL: '10m0s', DisplayName: '' }) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['MaxTokenTTL', 'Name', 'Type', 'Description', 'Config', 'CreateIndex', 'ModifyIndex']);
    expect(Object.keys(j.Config as object)).toEqual(['JWTValidationPubKeys', 'a', 'b']);
    expect(Object.keys(authMethodJson({ Name: 'n', Type: 't' }))).toEqual(['Name', 'Type', 'Config', 'CreateIndex', 'ModifyIndex']);
    expect(authMethodListJson(null)).toBeNull();
    expect(authMethodListJson([{ Name: 'n', Type: 't', TokenLocality: 'local' }])).toEqual([{ Name: 'n', Type: 't', TokenLocality: 'local', CreateIndex: 0, ModifyIndex: 0 }]);
  });

  const rule: BindingRule = { ID: 'r1', Description: 'desc', AuthMethod: 'jwt', Selector: 'value.name==web', BindType: 'service', BindName: '${value.name}', CreateIndex: 3, ModifyIndex: 4 };

  it('prints a binding rule and a list of them, each text followed by an empty line', () => {
    expect(bindingRuleLines(rule)).toEqual([
      'ID:           r1',
      'AuthMethod:   jwt',
      'Description:  desc',
      'BindType:     service',
      'BindName:     ${value.name}',
      'Selector:     value.name==web',
      '',
    ]);
    expect(bindingRuleLines({ ...rule, BindType: 'templated-policy', BindVars: { Name: 'api' } }, true)).toEqual([
      'ID:           r1',
      'AuthMethod:   jwt',
      'Description:  desc',
      'BindType:     templated-policy',
      'BindName:     ${value.name}',
      'BindVars:     ',
      '     - Name: api',
      'Selector:     value.name==web',
      'Create Index: 3',
      'Modify Index: 4',
      '',
    ]);
    expect(bindingRuleListLines([rule, { ...rule, ID: 'r2', Namespace: 'ns' }])).toEqual([
      'r1:',
      '   AuthMethod:   jwt',
      '   Description:  desc',
      '   BindType:     service',
      '   BindName:     ${value.name}',
      '   Selector:     value.name==web',
      'r2:',
      '   Namespace:    ns',
      '   AuthMethod:   jwt',
      '   Description:  desc',
      '   BindType:     service',
      '   BindName:     ${value.name}',
      '   Selector:     value.name==web',
      '',
    ]);
    expect(bindingRuleListLines(null)).toEqual([]);
    expect(Object.keys(bindingRuleJson({ ...rule, BindVars: { Name: 'x' } }))).toEqual(['ID', 'Description', 'AuthMethod', 'Selector', 'BindType', 'BindName', 'BindVars', 'CreateIndex', 'ModifyIndex']);
  });

  it('shows a token\'s auth method as Consul 1.17 does, with the (empty in OSS) namespace', () => {
    const t: Token = { AccessorID: 'a', SecretID: 's', Description: 'token created via login', Local: true, CreateTime: '2024-01-01T00:00:00Z', AuthMethod: 'jwt' };
    expect(tokenLines(t).slice(3, 6)).toEqual(['Local:            true', 'Auth Method:      jwt (Namespace: )', 'Create Time:      2024-01-01 00:00:00 +0000 UTC']);
    expect(tokenLines({ ...t, AuthMethod: undefined }).some((l) => l.startsWith('Auth Method'))).toBe(false);
    expect(Object.keys(tokenJson(t))).toEqual(['CreateIndex', 'ModifyIndex', 'AccessorID', 'SecretID', 'Description', 'Local', 'AuthMethod', 'CreateTime']);
  });
});

describe('auth method, binding rule and login flags', () => {
  it('reads -config JSON as Go decodes it into a map', () => {
    expect(parseAuthMethodConfig('{"a": 1}')).toEqual({ a: 1 });
    expect(parseAuthMethodConfig('null')).toBeNull();
    expect(() => parseAuthMethodConfig('[1]')).toThrow('json: cannot unmarshal array into Go value of type map[string]interface {}');
    expect(() => parseAuthMethodConfig('true')).toThrow('json: cannot unmarshal bool into Go value of type map[string]interface {}');
    expect(() => parseAuthMethodConfig('{')).toThrow();
  });

  it('checks required flags before any request, with the help after Consul\'s line', async () => {
    let r = await run(['acl', 'auth-method', 'create', '-name', 'x']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Missing required '-type' flag\nUsage: proconsul acl auth-method create -name NAME -type TYPE \[options\]\n/);
    expect(r.err).toContain('  -kubernetes-service-account-jwt=<value>\n');
    r = await run(['acl', 'auth-method', 'create', '-type', 'jwt', '-max-token-ttl', '5 minutes']);
    expect([r.code, r.err]).toEqual([1, 'invalid value "5 minutes" for flag -max-token-ttl: parse error\n']);
    r = await run(['acl', 'auth-method', 'create', '-type', 'kubernetes', '-name', 'k', '-kubernetes-host', 'h', '-config', '{}']);
    expect([r.code, r.err]).toEqual([1, "Cannot use command line arguments with '-config' flags\n"]);
    r = await run(['acl', 'auth-method', 'create', '-type', 'kubernetes', '-name', 'k', '-kubernetes-host', 'h']);
    expect(r.err).toBe("Missing required '-kubernetes-ca-cert' flag\n");
    r = await run(['acl', 'auth-method', 'create', '-type', 'jwt', '-name', 'j', '-config', `@${join(dir, 'missing.json')}`]);
    expect(r.err).toBe(`Error loading configuration file: Failed to read file: open ${join(dir, 'missing.json')}: no such file or directory\n`);
    r = await run(['acl', 'auth-method', 'create', '-type', 'jwt', '-name', 'j', '-config', '-'], {}, '[]');
    expect(r.err).toBe('Error parsing JSON configuration file: json: cannot unmarshal array into Go value of type map[string]interface {}\n');
    expect((await run(['acl', 'auth-method', 'read'])).err).toBe('Must specify the -name parameter\n');
    expect((await run(['acl', 'auth-method', 'update'])).err).toBe('Cannot update an auth method without specifying the -name parameter\n');
    expect((await run(['acl', 'binding-rule', 'create', '-method', 'jwt'])).err).toMatch(/^Missing required '-bind-name' flag\nUsage: proconsul acl binding-rule create/);
    expect((await run(['acl', 'binding-rule', 'create', '-method', 'jwt', '-bind-type=', '-bind-name', 'x'])).err).toMatch(/^Missing required '-bind-type' flag\n/);
    expect((await run(['acl', 'binding-rule', 'read'])).err).toBe('Must specify the -id parameter.\n');
    expect((await run(['acl', 'binding-rule', 'delete'])).err).toBe('Must specify the -id parameter\n');
    expect((await run(['acl', 'binding-rule', 'update'])).err).toBe('Cannot update a binding rule without specifying the -id parameter\n');
    expect(seen).toEqual([]);
  });

  it('login: required flags, aws flag checks, the bearer token file; logout takes no arguments', async () => {
    const sink = join(dir, 'sink');
    expect((await run(['login', 'x'])).err).toBe('Should have no non-flag arguments.\n');
    expect((await run(['login', '-token-sink-file', sink])).err).toBe("Missing required '-method' flag\n");
    expect((await run(['login', '-method', 'm'])).err).toBe("Missing required '-token-sink-file' flag\n");
    expect((await run(['login', '-method', 'm', '-token-sink-file', sink])).err).toBe("Missing required '-bearer-token-file' flag\n");
    expect((await run(['login', '-method', 'm', '-token-sink-file', sink, '-aws-region', 'x'])).err).toBe("Missing '-aws-auto-bearer-token' flag\n");
    expect((await run(['login', '-method', 'm', '-token-sink-file', sink, '-aws-auto-bearer-token', '-aws-access-key-id', 'k'])).err).toBe("Missing '-aws-secret-access-key' flag\n");
    const missing = join(dir, 'nope');
    expect((await run(['login', '-method', 'm', '-token-sink-file', sink, '-bearer-token-file', missing])).err).toBe(`open ${missing}: no such file or directory\n`);
    const blank = join(dir, 'blank');
    writeFileSync(blank, ' \n');
    expect((await run(['login', '-method', 'm', '-token-sink-file', sink, '-bearer-token-file', blank])).err).toBe(`No bearer token found in ${blank}\n`);
    expect((await run(['logout', 'x'])).err).toBe('Should have no non-flag arguments.\n');
    expect(seen).toEqual([]);
  });

  it('login sends no token and the -meta given; the secret goes to the sink with mode 0600', async () => {
    const bearer = join(dir, 'bearer');
    writeFileSync(bearer, 'eyJ.x.y\n');
    answers = { 'POST /v1/acl/login': { status: 200, body: { AccessorID: 'a', SecretID: 'secret-1' } } };
    const sink = join(dir, 'sub', 'sink');
    const r = await run(['login', '-method', 'jwt', '-bearer-token-file', bearer, '-token-sink-file', sink, '-meta', 'k=v', '-token', 'mine'], { CONSUL_HTTP_TOKEN: 'env' });
    expect([r.code, r.err, r.out]).toEqual([0, '', '']);
    expect(seen).toEqual([{ method: 'POST', url: '/v1/acl/login', token: undefined, body: { AuthMethod: 'jwt', BearerToken: 'eyJ.x.y', Meta: { k: 'v' } } }]);
    expect(readFileSync(sink, 'utf8')).toBe('secret-1');
    expect(statSync(sink).mode & 0o777).toBe(0o600);
    answers = { 'POST /v1/acl/login': { status: 403, body: 'Permission denied' } };
    const denied = await run(['login', '-method', 'jwt', '-bearer-token-file', bearer, '-token-sink-file', sink]);
    expect([denied.code, denied.err]).toEqual([1, 'Error logging in: Unexpected response code: 403 (Permission denied)\n']);
    expect(seen[0]!.body).toEqual({ AuthMethod: 'jwt', BearerToken: 'eyJ.x.y' });
  });

  it('writeSink replaces the file whole', async () => {
    const sink = join(dir, 'replace');
    writeFileSync(sink, 'a much longer old secret');
    await writeSink(sink, 'new');
    expect(readFileSync(sink, 'utf8')).toBe('new');
  });

  it('auth-method update merges: empty flags keep, -config replaces whole; -no-merge sends only what is given', async () => {
    const current = { Name: 'jwt', Type: 'jwt', Description: 'old', DisplayName: 'J', TokenLocality: 'global', MaxTokenTTL: '1h0m0s', Config: { BoundIssuer: 'i', X: 1 } };
    answers = { 'GET /v1/acl/auth-method/jwt': { status: 200, body: current }, 'PUT /v1/acl/auth-method/jwt': { status: 200, body: current } };
    let r = await run(['acl', 'auth-method', 'update', '-name', 'jwt', '-description', 'new', '-config', '{"JWTValidationPubKeys": ["k"]}']);
    expect(r.code, r.err).toBe(0);
    expect(seen[1]!.body).toEqual({ MaxTokenTTL: '1h0m0s', Name: 'jwt', Type: 'jwt', DisplayName: 'J', Description: 'new', TokenLocality: 'global', Config: { JWTValidationPubKeys: ['k'] } });
    r = await run(['acl', 'auth-method', 'update', '-name', 'jwt', '-no-merge', '-max-token-ttl', '10m']);
    expect(seen[1]!.body).toEqual({ MaxTokenTTL: '10m', Name: 'jwt', Type: 'jwt', Config: null });
    answers = { 'GET /v1/acl/auth-method/gone': { status: 404, body: 'ACL not found' } };
    r = await run(['acl', 'auth-method', 'update', '-name', 'gone']);
    expect([r.code, r.err]).toEqual([1, 'Auth method not found with name "gone"\n']);
  });

  it('binding-rule: a unique ID prefix is resolved from the list; merge update keeps fields but resets -bind-type to its default', async () => {
    const id = '5e1b1a4c-0000-4000-8000-000000000001';
    const r1 = { ID: id, Description: 'd', AuthMethod: 'jwt', Selector: 's', BindType: 'role', BindName: 'n', CreateIndex: 1, ModifyIndex: 1 };
    const r2 = { ...r1, ID: '5e2b1a4c-0000-4000-8000-000000000002' };
    answers = {
      'GET /v1/acl/binding-rules': { status: 200, body: [r1, r2] },
      [`GET /v1/acl/binding-rule/${id}`]: { status: 200, body: r1 },
      [`PUT /v1/acl/binding-rule/${id}`]: { status: 200, body: r1 },
      'GET /v1/acl/binding-rules?authmethod=jwt': { status: 200, body: [] },
    };
    expect((await run(['acl', 'binding-rule', 'read', '-id', '5e'])).err).toBe('Error determining binding rule ID: Partial rule ID is not unique\n');
    expect((await run(['acl', 'binding-rule', 'read', '-id', 'ff'])).err).toBe('Error determining binding rule ID: no such rule ID with prefix: ff: ACL not found\n');
    const read = await run(['acl', 'binding-rule', 'read', '-id', '5e1']);
    expect([read.code, read.out]).toEqual([0, `ID:           ${id}\nAuthMethod:   jwt\nDescription:  d\nBindType:     role\nBindName:     n\nSelector:     s\n\n`]);
    const up = await run(['acl', 'binding-rule', 'update', '-id', '5e1', '-selector', '']);
    expect(up.code, up.err).toBe(0);
    expect(seen.at(-1)!.body).toEqual({ ...r1, BindType: 'service', Selector: '' });
    // An empty list prints nothing; -method filters with ?authmethod=.
    expect(await run(['acl', 'binding-rule', 'list', '-method', 'jwt'])).toEqual({ code: 0, out: '', err: '' });
  });
});
