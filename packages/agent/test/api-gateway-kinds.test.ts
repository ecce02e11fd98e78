// The API gateway config entry kinds and jwt-provider against a real server (127.0.117.1):
// each kind written with `proconsul config write` from HCL and from JSON, read back with
// `config read` and `GET /v1/config/:kind`, kept across a restart; a refusal is exit 1 with
// Consul's text. With ACLs (127.0.117.2): the kinds' CanRead/CanWrite.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.117.1';
const ACL_IP = '127.0.117.2';
const MGMT = '3b1f6a2e-7c4d-4e5f-8a9b-0c1d2e3f4a5b';
const CLI_JS = resolve(RUN_JS, '../../../cli/dist/bin.js');
const dir = tempDir('api-gateway-kinds-');
let agent: AgentProcess | undefined;
let aclAgent: AgentProcess | undefined;

const args = ['-server', '-bootstrap', '-data-dir', join(dir.path, 'data'), '-bind', IP, '-client', IP, '-node', 'apigw-server', '-log-level', 'warn'];
const cli = (...rest: string[]) => spawnSync(process.execPath, [CLI_JS, rest[0]!, rest[1]!, `-http-addr=${IP}:8500`, ...rest.slice(2)], { encoding: 'utf8' });
const read = (kind: string, name: string) => {
  const r = cli('config', 'read', '-kind', kind, '-name', name);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};
const write = (file: string, text: string, kindName: string) => {
  writeFileSync(join(dir.path, file), text);
  const r = cli('config', 'write', join(dir.path, file));
  expect([r.status, r.stdout.trim()], r.stderr).toEqual([0, `Config entry written: ${kindName}`]);
};

afterAll(async () => {
  await agent?.kill9();
  await aclAgent?.kill9();
  dir.remove();
});

describe('api-gateway, http-route, tcp-route, inline-certificate and jwt-provider entries', () => {
  it('are written from HCL and JSON with the CLI, read back in Consul\'s shape, listed and kept across a restart', async () => {
    agent = await startAgentProcess(args, `${IP}:8500`);
    // A certificate for the gateway, made with the system's openssl.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=gw.example.com', '-keyout', join(dir.path, 'key.pem'), '-out', join(dir.path, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir.path, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir.path, 'key.pem'), 'utf8');

    write('cert.hcl', `Kind = "inline-certificate"\nName = "gw-cert"\nCertificate = <<EOF\n${cert}EOF\nPrivateKey = <<EOF\n${key}EOF\n`, 'inline-certificate/gw-cert');
    write('cert.json', JSON.stringify({ Kind: 'inline-certificate', Name: 'gw-cert-2', Certificate: cert, PrivateKey: key }), 'inline-certificate/gw-cert-2');
    expect(read('inline-certificate', 'gw-cert')).toMatchObject({ Kind: 'inline-certificate', Name: 'gw-cert', Certificate: cert, PrivateKey: key });

    write('gw.hcl', `
Kind = "api-gateway"
Name = "gw"
Listeners = [
  {
    Name     = "https"
    Port     = 8443
    Protocol = "HTTP"
    TLS = {
      Certificates = [{ Name = "gw-cert" }]
    }
  },
  {
    Name     = "db"
    Port     = 5432
    Protocol = "tcp"
  }
]
`, 'api-gateway/gw');
    write('gw.json', JSON.stringify({ kind: 'api-gateway', name: 'gw2', listeners: [{ name: 'web', port: 8080, protocol: 'http' }] }), 'api-gateway/gw2');
    expect(read('api-gateway', 'gw')).toMatchObject({
      Kind: 'api-gateway', Name: 'gw', Status: { Conditions: null },
      Listeners: [
        { Name: 'https', Port: 8443, Protocol: 'http', TLS: { Certificates: [{ Kind: 'inline-certificate', Name: 'gw-cert', SectionName: '' }] } },
        { Name: 'db', Port: 5432, Protocol: 'tcp', Hostname: '' },
      ],
    });

    write('route.hcl', `
Kind = "http-route"
Name = "web-route"
Parents = [{ Name = "gw", SectionName = "https" }]
Hostnames = ["gw.example.com"]
Rules = [
  {
    Matches  = [{ Method = "get", Path = { Match = "prefix", Value = "/api" } }]
    Services = [{ Name = "api", Weight = 90 }, { Name = "api-canary" }]
  }
]
`, 'http-route/web-route');
    write('route.json', JSON.stringify({ Kind: 'http-route', Name: 'other-route', Parents: [{ Name: 'gw2' }] }), 'http-route/other-route');
    const route = read('http-route', 'web-route');
    expect(route).toMatchObject({ Parents: [{ Kind: 'api-gateway', Name: 'gw', SectionName: 'https' }], Hostnames: ['gw.example.com'] });
    expect((route.Rules as Record<string, unknown>[])[0]).toMatchObject({
      Matches: [{ Method: 'GET', Path: { Match: 'prefix', Value: '/api' } }],
      Services: [{ Name: 'api', Weight: 90 }, { Name: 'api-canary', Weight: 1 }],
    });

    write('tcp.hcl', 'Kind = "tcp-route"\nName = "db-route"\nParents = [{ Name = "gw", SectionName = "db" }]\nServices = [{ Name = "db" }]\n', 'tcp-route/db-route');
    write('tcp.json', JSON.stringify({ Kind: 'tcp-route', Name: 'db-route-2', Services: [{ Name: 'db' }] }), 'tcp-route/db-route-2');
    expect(read('tcp-route', 'db-route')).toMatchObject({ Parents: [{ Kind: 'api-gateway', Name: 'gw', SectionName: 'db' }], Services: [{ Name: 'db' }] });

    write('jwt.hcl', `
Kind = "jwt-provider"
Name = "okta"
Issuer = "okta"
JSONWebKeySet = {
  Remote = {
    URI = "https://okta.example.com/oauth2/default/v1/keys"
    FetchAsynchronously = true
  }
}
Locations = [{ Header = { Name = "Authorization", ValuePrefix = "Bearer " } }]
`, 'jwt-provider/okta');
    write('jwt.json', JSON.stringify({ kind: 'jwt-provider', name: 'local', json_web_key_set: { local: { filename: '/etc/jwks.json' } }, clock_skew_seconds: 10 }), 'jwt-provider/local');
    expect(read('jwt-provider', 'okta')).toMatchObject({
      Kind: 'jwt-provider', Name: 'okta', Issuer: 'okta', ClockSkewSeconds: 30,
      JSONWebKeySet: { Remote: { URI: 'https://okta.example.com/oauth2/default/v1/keys', FetchAsynchronously: true } },
      Locations: [{ Header: { Name: 'Authorization', ValuePrefix: 'Bearer ' } }],
    });
    expect(read('jwt-provider', 'local')).toMatchObject({ JSONWebKeySet: { Local: { Filename: '/etc/jwks.json' } }, ClockSkewSeconds: 10 });

    // A refusal: exit 1, one line, Consul's text.
    writeFileSync(join(dir.path, 'bad.hcl'), 'Kind = "tcp-route"\nName = "bad"\nServices = [{ Name = "a" }, { Name = "b" }]\n');
    const bad = cli('config', 'write', join(dir.path, 'bad.hcl'));
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('tcp-route currently only supports one service');
    const badCert = await http(agent.base, 'PUT', '/v1/config', JSON.stringify({ Kind: 'inline-certificate', Name: 'x', Certificate: cert, PrivateKey: 'nope' }));
    expect([badCert.status, badCert.text]).toEqual([400, 'failed to parse private key PEM']);
    // bound-api-gateway is written by Consul's controller only: not stored here.
    const bound = await http(agent.base, 'PUT', '/v1/config', JSON.stringify({ Kind: 'bound-api-gateway', Name: 'gw' }));
    expect(bound.status).toBe(400);
    expect(bound.text).toContain('jwt-provider');

    // An intention may name only jwt-providers that exist (validateJWTProvidersExist).
    const ixn = (provider: string) => JSON.stringify({ Kind: 'service-intentions', Name: 'api', JWT: { Providers: [{ Name: provider }] }, Sources: [{ Name: 'web', Action: 'allow' }] });
    const missing = await http(agent.base, 'PUT', '/v1/config', ixn('auth0'));
    expect([missing.status, missing.text]).toEqual([400, '1 error occurred:\n\t* Referenced JWT Provider does not exist. Provider Name: auth0\n\n']);
    expect((await http(agent.base, 'PUT', '/v1/config', ixn('okta'))).status).toBe(200);

    const names = async (kind: string) => ((await http(agent!.base, 'GET', `/v1/config/${kind}`)).json() as { Name: string }[]).map((e) => e.Name);
    expect(await names('api-gateway')).toEqual(['gw', 'gw2']);
    expect(await names('http-route')).toEqual(['other-route', 'web-route']);
    const listed = cli('config', 'list', '-kind', 'tcp-route');
    expect(listed.stdout.trim().split('\n')).toEqual(['db-route', 'db-route-2']);

    await agent.stop();
    agent = await startAgentProcess(args, `${IP}:8500`);
    expect(read('inline-certificate', 'gw-cert')).toMatchObject({ Certificate: cert });
    expect(await names('jwt-provider')).toEqual(['local', 'okta']);
    const del = cli('config', 'delete', '-kind', 'http-route', '-name', 'other-route');
    expect(del.status, del.stderr).toBe(0);
    expect(await names('http-route')).toEqual(['web-route']);
  }, 120_000);

  it('checks each kind\'s ACL: mesh for routes and certificates, service:read to read an api-gateway', async () => {
    writeFileSync(join(dir.path, 'acl.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
    aclAgent = await startAgentProcess(
      ['-server', '-bootstrap', '-data-dir', join(dir.path, 'acl'), '-bind', ACL_IP, '-client', ACL_IP, '-node', 'apigw-acl', '-config-file', join(dir.path, 'acl.json'), '-log-level', 'warn'],
      `${ACL_IP}:8500`,
    );
    const call = (method: string, path: string, token: string, body?: unknown) =>
      http(aclAgent!.base, method, path, body === undefined ? undefined : JSON.stringify(body), { 'X-Consul-Token': token });
    expect((await call('PUT', '/v1/config', MGMT, { Kind: 'tcp-route', Name: 'r', Services: [{ Name: 'db' }] })).status).toBe(200);
    expect((await call('PUT', '/v1/config', MGMT, { Kind: 'api-gateway', Name: 'gw', Listeners: [{ Name: 'l', Port: 80, Protocol: 'tcp' }] })).status).toBe(200);

    expect((await call('PUT', '/v1/acl/policy', MGMT, { Name: 'gw-reader', Rules: 'service "gw" { policy = "write" }' })).status).toBe(200);
    const token = ((await call('PUT', '/v1/acl/token', MGMT, { Policies: [{ Name: 'gw-reader' }] })).json() as { SecretID: string }).SecretID;
    expect((await call('GET', '/v1/config/api-gateway/gw', token)).status).toBe(200);
    expect((await call('GET', '/v1/config/tcp-route/r', token)).status).toBe(403);
    const denied = await call('PUT', '/v1/config', token, { Kind: 'api-gateway', Name: 'gw', Listeners: [{ Name: 'l', Port: 81, Protocol: 'tcp' }] });
    expect(denied.status).toBe(403);
    // jwt-provider: a token that may write some service reads it (sidecars do).
    expect((await call('PUT', '/v1/config', MGMT, { Kind: 'jwt-provider', Name: 'okta', JSONWebKeySet: { Local: { Filename: '/k' } } })).status).toBe(200);
    expect((await call('GET', '/v1/config/jwt-provider/okta', token)).status).toBe(200);
  }, 120_000);
});
