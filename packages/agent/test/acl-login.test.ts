// Auth methods, binding rules, login and logout against real agents: a server (127.0.66.111)
// and a client agent (127.0.66.112) with ACLs on, default deny. JWTs are signed here with keys
// made by node:crypto; the JWKS URL and the Kubernetes API (an external system: TokenReview and
// the service account read) are small HTTPS servers on 127.0.66.113 with a CA made by openssl.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { startAgent, tempDir, freePort, waitFor, type AgentProcess } from '@proconsul/testing';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVER_IP = '127.0.66.111';
const CLIENT_IP = '127.0.66.112';
const STANDIN_IP = '127.0.66.113';
const MGMT = '3f6b1c2d-8e4a-4b7c-9d1e-2a3b4c5d6e7f';
const dir = tempDir('acl-login-');
const f = (name: string): string => join(dir.path, name);

let server: AgentProcess;
let client: AgentProcess;
let standin: Server;
let standinUrl = '';
const asMgmt = { 'X-Consul-Token': MGMT };

const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwksKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: KeyObject): string => k.export({ type: 'spki', format: 'pem' }).toString();

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as any };
}
const onServer = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(server.url, method, path, body, headers);

interface Claims {
  [k: string]: unknown;
}
async function jwt(claims: Claims, opts: { key?: KeyObject; alg?: string; kid?: string; expSec?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: 'https://issuer.test', aud: 'proconsul', iat: now, exp: now + (opts.expSec ?? 300), ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', ...(opts.kid ? { kid: opts.kid } : {}) })
    .sign(opts.key ?? signing.privateKey);
}

function makeCerts(): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=standin-ca');
  writeFileSync(f('standin.ext'), `subjectAltName=IP:${STANDIN_IP}\n`);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('standin.key'), '-out', f('standin.csr'), '-subj', '/CN=standin');
  openssl('x509', '-req', '-in', f('standin.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('standin.pem'), '-days', '2', '-extfile', f('standin.ext'));
}

/** The service account JWT the auth method presents to the Kubernetes API, and the pod's token it reviews. */
let saJwt = '';
let podJwt = '';
const reviews: unknown[] = [];

async function startStandin(): Promise<void> {
  const jwk = { ...(await exportJWK(jwksKey.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  standin = createServer({ key: readFileSync(f('standin.key')), cert: readFileSync(f('standin.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/jwks') return send(200, { keys: [jwk] });
      if (req.headers.authorization !== `Bearer ${saJwt}`) return send(401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 });
      if (req.method === 'POST' && req.url === '/apis/authentication.k8s.io/v1/tokenreviews') {
        const review = JSON.parse(Buffer.concat(chunks).toString()) as { spec: { token: string } };
        reviews.push(review);
        const ok = review.spec.token === podJwt;
        return send(201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', status: ok ? { authenticated: true, user: { username: 'system:serviceaccount:apps:api-sa', uid: 'uid-123' } } : { authenticated: false } });
      }
      if (req.method === 'GET' && req.url === '/api/v1/namespaces/apps/serviceaccounts/api-sa') {
        return send(200, { kind: 'ServiceAccount', metadata: { name: 'api-sa', namespace: 'apps', annotations: { 'consul.hashicorp.com/service-name': 'api' } } });
      }
      return send(404, { kind: 'Status', message: `${req.url} not found`, code: 404 });
    });
  });
  const port = await freePort(STANDIN_IP);
  await new Promise<void>((r) => standin.listen(port, STANDIN_IP, r));
  standinUrl = `https://${STANDIN_IP}:${port}`;
}

beforeAll(async () => {
  makeCerts();
  await startStandin();
  saJwt = await jwt({ sub: 'system:serviceaccount:kube-system:consul' });
  podJwt = await jwt({ sub: 'system:serviceaccount:apps:api-sa' }, { key: stranger.privateKey });
  writeFileSync(f('server.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  writeFileSync(f('client.json'), JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { agent: MGMT } } }));
  server = await startAgent({ ip: SERVER_IP, dev: false, nodeName: 's1', extraArgs: ['-server', '-bootstrap', '-data-dir', f('s1'), '-config-file', f('server.json'), '-log-level', 'warn'] });
  client = await startAgent({ ip: CLIENT_IP, dev: false, nodeName: 'c1', extraArgs: ['-data-dir', f('c1'), '-retry-join', SERVER_IP, '-retry-interval', '1s', '-config-file', f('client.json'), '-log-level', 'warn'] });
}, 120_000);

afterAll(async () => {
  await client?.stop();
  await server?.stop();
  await new Promise((r) => standin?.close(r));
  dir.remove();
});

const jwtMethod = (name: string, extra: Record<string, unknown> = {}) => ({
  Name: name,
  Type: 'jwt',
  MaxTokenTTL: '1h',
  Config: { JWTValidationPubKeys: [pem(signing.publicKey)], BoundIssuer: 'https://issuer.test', BoundAudiences: ['proconsul'], ClaimMappings: { svc: 'name' }, ListClaimMappings: { groups: 'groups' } },
  ...extra,
});

describe('jwt auth method with static keys', () => {
  it('creates, reads and lists the method; binds a service identity by a selector; the token works', async () => {
    const m = await onServer('PUT', '/v1/acl/auth-method', jwtMethod('keys', { DisplayName: 'Keys' }), asMgmt);
    expect(m.status, m.text).toBe(200);
    expect(m.json()).toMatchObject({ Name: 'keys', Type: 'jwt', DisplayName: 'Keys', MaxTokenTTL: '1h0m0s', Config: { BoundIssuer: 'https://issuer.test' } });
    expect(m.json().CreateIndex).toBeGreaterThan(0);
    const list = await onServer('GET', '/v1/acl/auth-methods', undefined, asMgmt);
    expect(list.json()).toEqual([{ MaxTokenTTL: '1h0m0s', Name: 'keys', Type: 'jwt', DisplayName: 'Keys', CreateIndex: m.json().CreateIndex, ModifyIndex: m.json().ModifyIndex }]);
    const r = await onServer('PUT', '/v1/acl/binding-rule', { AuthMethod: 'keys', BindType: 'service', BindName: '${value.name}', Selector: '"deploy" in list.groups' }, asMgmt);
    expect(r.status, r.text).toBe(200);
    expect(r.json()).toMatchObject({ AuthMethod: 'keys', BindType: 'service', BindName: '${value.name}', Selector: '"deploy" in list.groups', Description: '' });
    expect((await onServer('GET', `/v1/acl/binding-rule/${r.json().ID}`, undefined, asMgmt)).json()).toEqual(r.json());
    expect((await onServer('GET', '/v1/acl/binding-rules?authmethod=keys', undefined, asMgmt)).json()).toEqual([r.json()]);

    const login = await onServer('POST', '/v1/acl/login', { AuthMethod: 'keys', BearerToken: await jwt({ svc: 'Web', groups: ['deploy', 'ops'] }), Meta: { pod: 'web-1', node: '<n>' } });
    expect(login.status, login.text).toBe(200);
    const t = login.json();
    expect(t).toMatchObject({ AuthMethod: 'keys', Local: true, ServiceIdentities: [{ ServiceName: 'web' }], Description: 'token created via login: {"node":"\\u003cn\\u003e","pod":"web-1"}' });
    const ttlMs = Date.parse(t.ExpirationTime) - Date.parse(t.CreateTime);
    expect(ttlMs).toBeGreaterThan(3_590_000);
    expect(ttlMs).toBeLessThanOrEqual(3_600_000);
    const asLogin = { 'X-Consul-Token': t.SecretID };
    expect((await onServer('PUT', '/v1/agent/service/register', { Name: 'web', Port: 80 }, asLogin)).status).toBe(200);
    const denied = await onServer('PUT', '/v1/agent/service/register', { Name: 'db', Port: 5432 }, asLogin);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("lacks permission 'service:write' on \"db\"");
    const byMethod = await onServer('GET', '/v1/acl/tokens?authmethod=keys', undefined, asMgmt);
    expect(byMethod.json().map((x: any) => x.AccessorID)).toEqual([t.AccessorID]);
    expect(byMethod.json()[0].AuthMethod).toBe('keys');
  });

  it('refuses a wrong signature, an expired token, a wrong audience and an unknown method with Consul texts', async () => {
    const login = (token: string, method = 'keys') => onServer('POST', '/v1/acl/login', { AuthMethod: method, BearerToken: token });
    const foreign = await login(await jwt({ svc: 'web', groups: ['deploy'] }, { key: stranger.privateKey }));
    expect([foreign.status, foreign.text]).toEqual([400, 'no known key successfully validated the token signature']);
    const expired = await login(await jwt({ svc: 'web', groups: ['deploy'], iat: Math.floor(Date.now() / 1000) - 3600 }, { expSec: -600 }));
    expect([expired.status, expired.text]).toEqual([400, 'error validating claims: go-jose/go-jose/jwt: validation failed, token is expired (exp)']);
    const audience = await login(await jwt({ svc: 'web', groups: ['deploy'], aud: 'someone-else' }));
    expect([audience.status, audience.text]).toEqual([400, 'error validating claims: aud claim does not match any bound audience']);
    const issuer = await login(await jwt({ svc: 'web', groups: ['deploy'], iss: 'https://evil.test' }));
    expect(issuer.text).toBe('error validating claims: go-jose/go-jose/jwt: validation failed, invalid issuer claim (iss)');
    const malformed = await login('not-a-jwt');
    expect(malformed.text).toBe('error parsing token: go-jose/go-jose: compact JWS format must have three parts');
    const noRule = await login(await jwt({ svc: 'web', groups: ['ops'] }));
    expect([noRule.status, noRule.text]).toEqual([403, 'Permission denied']);
    const unknown = await login(await jwt({ svc: 'web', groups: ['deploy'] }), 'nope');
    expect([unknown.status, unknown.text]).toEqual([403, 'ACL not found']);
  });

  it('logs out a login token, and refuses to log out any other', async () => {
    const t = (await onServer('POST', '/v1/acl/login', { AuthMethod: 'keys', BearerToken: await jwt({ svc: 'web', groups: ['deploy'] }) })).json();
    const out = await onServer('POST', '/v1/acl/logout', undefined, { 'X-Consul-Token': t.SecretID });
    expect([out.status, out.text]).toEqual([200, 'true']);
    const gone = await onServer('GET', '/v1/acl/token/self', undefined, { 'X-Consul-Token': t.SecretID });
    expect([gone.status, gone.text]).toEqual([403, 'ACL not found']);
    const mgmt = await onServer('POST', '/v1/acl/logout', undefined, asMgmt);
    expect([mgmt.status, mgmt.text]).toEqual([403, "Permission denied: token wasn't created via login"]);
    const none = await onServer('POST', '/v1/acl/logout');
    expect([none.status, none.text]).toEqual([401, 'Supplied token does not exist']);
  });

  it('validates methods and rules with Consul texts, and needs acl:write', async () => {
    const put = (body: unknown, headers = asMgmt) => onServer('PUT', '/v1/acl/auth-method', body, headers);
    expect((await put({ Name: 'o', Type: 'oidc', Config: {} })).text).toBe('Invalid Auth Method: Type should be one of: [aws-iam jwt kubernetes]');
    expect((await put({ Name: 'x', Type: 'jwt', Config: {} })).text).toBe(`Invalid Auth Method: exactly one of 'JWTValidationPubKeys', 'JWKSURL', or 'OIDCDiscoveryURL' must be set for type "jwt"`);
    expect((await put({ Name: 'x', Type: 'jwt', Config: { JWTValidationPubKeys: ['garbage'] } })).text).toBe('Invalid Auth Method: error parsing public key JWTValidationPubKeys[0]: data does not contain any valid RSA, ECDSA, or ED25519 public keys');
    expect((await put({ Name: 'bad name!', Type: 'jwt' })).text).toBe("Invalid Auth Method: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
    expect((await put(jwtMethod('x', { MaxTokenTTL: '48h' }))).text).toBe('MaxTokenTTL 48h0m0s cannot be more than 24h0m0s');
    expect((await put(jwtMethod('x', { Bogus: 1 }))).text).toBe('AuthMethod decoding failed: json: unknown field "Bogus"');
    expect((await put(jwtMethod('keys', { Type: 'kubernetes' }))).text).toBe('the Type field of an Auth Method is immutable');
    const anon = await put(jwtMethod('x'), {} as typeof asMgmt);
    expect(anon.status).toBe(403);
    expect(anon.text).toContain("lacks permission 'acl:write'");
    expect((await onServer('GET', '/v1/acl/auth-methods')).status).toBe(403);
    const rule = (body: unknown) => onServer('PUT', '/v1/acl/binding-rule', body, asMgmt);
    expect((await rule({ AuthMethod: 'keys', BindType: 'policy', BindName: 'x' })).text).toBe('Invalid Binding Rule: unknown BindType "policy"');
    expect((await rule({ AuthMethod: 'nope', BindType: 'service', BindName: 'x' })).text).toBe('cannot find auth method with name "nope"');
    expect((await rule({ AuthMethod: 'keys', BindType: 'service' })).text).toBe('Invalid Binding Rule: no BindName is set');
    expect((await rule({ AuthMethod: 'keys', BindType: 'service', BindName: '${value.nope}' })).text).toBe('Invalid Binding Rule: invalid BindName or BindVars: 1:3: unknown variable accessed: value.nope');
    expect((await rule({ AuthMethod: 'keys', BindType: 'service', BindName: 'Not_Valid!' })).text).toBe('Invalid Binding Rule: invalid BindName or BindVars');
    expect((await rule({ AuthMethod: 'keys', BindType: 'templated-policy', BindName: 'builtin/nope' })).text).toBe('Invalid Binding Rule: invalid BindName or BindVars: Bind name for templated-policy bind type does not match existing template name: builtin/nope');
    expect((await onServer('GET', '/v1/acl/auth-method/nope', undefined, asMgmt)).text).toBe('Requested auth method does not exist: ACL not found');
  });

  it('binds roles that exist (others skipped), node identities and templated policies', async () => {
    expect((await onServer('PUT', '/v1/acl/auth-method', jwtMethod('multi', { TokenLocality: 'global' }), asMgmt)).status).toBe(200);
    expect((await onServer('PUT', '/v1/acl/role', { Name: 'readers', ServiceIdentities: [{ ServiceName: 'x' }] }, asMgmt)).status).toBe(200);
    for (const body of [
      { BindType: 'role', BindName: 'readers' },
      { BindType: 'role', BindName: 'missing-role' },
      { BindType: 'node', BindName: 'node-${value.name}' },
      { BindType: 'templated-policy', BindName: 'builtin/service', BindVars: { Name: '${value.name}' } },
    ]) {
      const r = await onServer('PUT', '/v1/acl/binding-rule', { AuthMethod: 'multi', ...body }, asMgmt);
      expect(r.status, r.text).toBe(200);
    }
    const t = await onServer('POST', '/v1/acl/login', { AuthMethod: 'multi', BearerToken: await jwt({ svc: 'cart' }) });
    expect(t.status, t.text).toBe(200);
    expect(t.json()).toMatchObject({
      Local: false,
      Description: 'token created via login',
      Roles: [{ Name: 'readers' }],
      NodeIdentities: [{ NodeName: 'node-cart', Datacenter: 'dc1' }],
      TemplatedPolicies: [{ TemplateName: 'builtin/service', TemplateVariables: { name: 'cart' } }],
    });
    expect(t.json().ServiceIdentities).toBeUndefined();
  });

  it('deleting a method deletes its binding rules and every token it issued', async () => {
    expect((await onServer('PUT', '/v1/acl/auth-method', jwtMethod('doomed'), asMgmt)).status).toBe(200);
    expect((await onServer('PUT', '/v1/acl/binding-rule', { AuthMethod: 'doomed', BindType: 'service', BindName: '${value.name}' }, asMgmt)).status).toBe(200);
    const secrets: string[] = [];
    for (let i = 0; i < 2; i++) secrets.push((await onServer('POST', '/v1/acl/login', { AuthMethod: 'doomed', BearerToken: await jwt({ svc: 'web' }) })).json().SecretID);
    expect((await onServer('GET', '/v1/acl/tokens?authmethod=doomed', undefined, asMgmt)).json()).toHaveLength(2);
    const del = await onServer('DELETE', '/v1/acl/auth-method/doomed', undefined, asMgmt);
    expect([del.status, del.text]).toEqual([200, 'true']);
    expect((await onServer('GET', '/v1/acl/tokens?authmethod=doomed', undefined, asMgmt)).json()).toEqual([]);
    expect((await onServer('GET', '/v1/acl/binding-rules?authmethod=doomed', undefined, asMgmt)).json()).toEqual([]);
    expect((await onServer('GET', '/v1/acl/token/self', undefined, { 'X-Consul-Token': secrets[0]! })).status).toBe(403);
    expect((await onServer('GET', '/v1/acl/auth-methods', undefined, asMgmt)).json().map((m: any) => m.Name)).not.toContain('doomed');
  });
});

describe('jwt auth method with a JWKS URL over HTTPS', () => {
  it('needs the CA to reach the URL, then validates tokens signed with the set key', async () => {
    const cfg = { JWKSURL: `${standinUrl}/jwks`, BoundAudiences: ['proconsul'], ClaimMappings: { svc: 'name' } };
    const noCa = await onServer('PUT', '/v1/acl/auth-method', { Name: 'jwks', Type: 'jwt', Config: cfg }, asMgmt);
    expect(noCa.status).toBe(400);
    expect(noCa.text).toMatch(/^Invalid Auth Method: error checking JWKSURL: fetching keys oidc: get keys failed: /);
    const m = await onServer('PUT', '/v1/acl/auth-method', { Name: 'jwks', Type: 'jwt', Config: { ...cfg, JWKSCACert: readFileSync(f('ca.pem'), 'utf8') } }, asMgmt);
    expect(m.status, m.text).toBe(200);
    expect((await onServer('PUT', '/v1/acl/binding-rule', { AuthMethod: 'jwks', BindType: 'service', BindName: '${value.name}', Selector: 'value.name == "pay"' }, asMgmt)).status).toBe(200);
    const ok = await onServer('POST', '/v1/acl/login', { AuthMethod: 'jwks', BearerToken: await jwt({ svc: 'pay' }, { key: jwksKey.privateKey, alg: 'ES256', kid: 'k1' }) });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json().ServiceIdentities).toEqual([{ ServiceName: 'pay' }]);
    const wrong = await onServer('POST', '/v1/acl/login', { AuthMethod: 'jwks', BearerToken: await jwt({ svc: 'pay' }) });
    expect([wrong.status, wrong.text]).toEqual([400, 'error verifying token: failed to verify id token signature']);
    const other = await onServer('POST', '/v1/acl/login', { AuthMethod: 'jwks', BearerToken: await jwt({ svc: 'cart' }, { key: jwksKey.privateKey, alg: 'ES256', kid: 'k1' }) });
    expect([other.status, other.text]).toEqual([403, 'Permission denied']);
  });
});

describe('kubernetes auth method', () => {
  it('reviews the token with the Kubernetes API and takes the service name annotation', async () => {
    const config = { Host: standinUrl, CACert: readFileSync(f('ca.pem'), 'utf8'), ServiceAccountJWT: saJwt };
    expect((await onServer('PUT', '/v1/acl/auth-method', { Name: 'k8s', Type: 'kubernetes', Config: { ...config, CACert: '' } }, asMgmt)).text).toBe('Invalid Auth Method: Config.CACert is required');
    expect((await onServer('PUT', '/v1/acl/auth-method', { Name: 'k8s', Type: 'kubernetes', Config: config }, asMgmt)).status).toBe(200);
    const rule = { AuthMethod: 'k8s', BindType: 'service', BindName: '${serviceaccount.name}', Selector: 'serviceaccount.namespace == apps' };
    expect((await onServer('PUT', '/v1/acl/binding-rule', rule, asMgmt)).status).toBe(200);
    const ok = await onServer('POST', '/v1/acl/login', { AuthMethod: 'k8s', BearerToken: podJwt });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json()).toMatchObject({ AuthMethod: 'k8s', ServiceIdentities: [{ ServiceName: 'api' }] });
    expect(reviews.at(-1)).toMatchObject({ kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: { token: podJwt } });
    const bad = await onServer('POST', '/v1/acl/login', { AuthMethod: 'k8s', BearerToken: await jwt({ sub: 'x' }) });
    expect([bad.status, bad.text]).toEqual([400, 'lookup failed: service account jwt not valid']);
  });
});

describe('through a client agent', () => {
  it('manages rules, logs in (validated on the server) and out', async () => {
    await waitFor(async () => (await call(client.url, 'GET', '/v1/acl/auth-methods', undefined, asMgmt)).status === 200, 'the client reaching a server', 30_000);
    const r = await call(client.url, 'PUT', '/v1/acl/binding-rule', { AuthMethod: 'keys', BindType: 'service', BindName: 'client-${value.name}', Selector: 'value.name == "viaclient"' }, asMgmt);
    expect(r.status, r.text).toBe(200);
    const login = await call(client.url, 'POST', '/v1/acl/login', { AuthMethod: 'keys', BearerToken: await jwt({ svc: 'viaclient', groups: [] }) });
    expect(login.status, login.text).toBe(200);
    expect(login.json().ServiceIdentities).toEqual([{ ServiceName: 'client-viaclient' }]);
    const self = await call(client.url, 'GET', '/v1/acl/token/self', undefined, { 'X-Consul-Token': login.json().SecretID });
    expect(self.json().AuthMethod).toBe('keys');
    const refused = await call(client.url, 'POST', '/v1/acl/login', { AuthMethod: 'keys', BearerToken: await jwt({ svc: 'viaclient' }, { key: stranger.privateKey }) });
    expect([refused.status, refused.text]).toEqual([400, 'no known key successfully validated the token signature']);
    const out = await call(client.url, 'POST', '/v1/acl/logout', undefined, { 'X-Consul-Token': login.json().SecretID });
    expect([out.status, out.text]).toEqual([200, 'true']);
    expect((await onServer('GET', `/v1/acl/token/${login.json().AccessorID}`, undefined, asMgmt)).status).toBe(404);
    const notLogin = await call(client.url, 'POST', '/v1/acl/logout', undefined, asMgmt);
    expect([notLogin.status, notLogin.text]).toEqual([403, "Permission denied: token wasn't created via login"]);
  });
});
