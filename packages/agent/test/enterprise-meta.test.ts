// Every endpoint that a Consul CE agent scopes to a namespace or an admin partition, walked with a
// real agent (ACLs on, so the ACL endpoints answer too). Consul CE (agent/http_ce.go) refuses a
// namespace or partition named by query parameter or header with a 400, "default" included, in
// this order: X-Consul-Namespace, ?ns, X-Consul-Partition, ?partition (parseEntMeta); endpoints
// that take only a partition (parseEntMetaPartition) ignore a namespace. Each row names the Go
// handler it follows; each endpoint still answers without them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent, tempDir, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const IP = '127.0.133.10';
const MGMT = '4a1f6c3e-8d2b-4e7a-9c5d-1b3e5f7a9c0d';
const dir = tempDir('enterprise-meta-');
let agent: AgentProcess;
let node = '';

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${agent.url}${path}`, {
    method,
    headers: { 'X-Consul-Token': MGMT, ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

const NS_QUERY = 'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature';
const NS_HEADER = 'Invalid header: "X-Consul-Namespace" - Namespaces are a Consul Enterprise feature';
const PARTITION_QUERY = 'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature';
const PARTITION_HEADER = 'Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature';

/** One endpoint: what Consul parses (parseEntMeta* or parseEntMetaPartition) and how it answers without. */
interface Row {
  go: string;
  method: string;
  path: string;
  body?: unknown;
  scope: 'namespace' | 'partition';
  status: number;
}

let session = '';
let policy = '';
let accessor = '';
let legacyIntention = '';

beforeAll(async () => {
  const cfg = join(dir.path, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'allow', tokens: { initial_management: MGMT } } }));
  agent = await startAgent({ ip: IP, extraArgs: ['-config-file', cfg, '-log-level', 'warn'] });
  node = `test-${IP.replace(/\./g, '-')}`;
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, {}, body);
    expect(r.status, `${method} ${path}: ${r.text}`).toBe(200);
    return r.text;
  };
  await ok('PUT', '/v1/agent/service/register', { Name: 'web', ID: 'web1', Port: 80 });
  await ok('PUT', '/v1/agent/check/register', { Name: 'ttl', CheckID: 'c1', TTL: '10m' });
  await ok('PUT', '/v1/agent/check/pass/c1');
  await ok('PUT', '/v1/catalog/register', { Node: 'n1', Address: '10.0.0.1', Service: { Service: 'db', Port: 5432 } });
  await ok('PUT', '/v1/kv/app/a', 'one');
  session = (JSON.parse(await ok('PUT', '/v1/session/create', {})) as { ID: string }).ID;
  policy = (JSON.parse(await ok('PUT', '/v1/acl/policy', { Name: 'p1' })) as { ID: string }).ID;
  accessor = (JSON.parse(await ok('GET', '/v1/acl/token/self')) as { AccessorID: string }).AccessorID;
  legacyIntention = (JSON.parse(await ok('POST', '/v1/connect/intentions', { SourceName: 'x', DestinationName: 'y', Action: 'allow' })) as { ID: string }).ID;
}, 60_000);
afterAll(async () => {
  await agent?.stop();
  dir.remove();
});

/** The table, built once the fixtures' IDs are known. Order matters: writes come after the reads of what they remove. */
function rows(): Row[] {
  const ns = 'namespace' as const;
  const ap = 'partition' as const;
  const coord = { Node: node, Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } };
  return [
    // agent/agent_endpoint.go
    { go: 'AgentServices', method: 'GET', path: '/v1/agent/services', scope: ns, status: 200 },
    { go: 'AgentService', method: 'GET', path: '/v1/agent/service/web1', scope: ns, status: 200 },
    { go: 'AgentChecks', method: 'GET', path: '/v1/agent/checks', scope: ns, status: 200 },
    { go: 'AgentHealthServiceByID', method: 'GET', path: '/v1/agent/health/service/id/web1', scope: ns, status: 200 },
    { go: 'AgentHealthServiceByName', method: 'GET', path: '/v1/agent/health/service/name/web', scope: ns, status: 200 },
    { go: 'AgentMembers', method: 'GET', path: '/v1/agent/members', scope: ap, status: 200 },
    { go: 'AgentJoin', method: 'PUT', path: `/v1/agent/join/${IP}`, scope: ap, status: 200 },
    { go: 'AgentRegisterService', method: 'PUT', path: '/v1/agent/service/register', body: { Name: 'api', Port: 81 }, scope: ns, status: 200 },
    { go: 'AgentDeregisterService', method: 'PUT', path: '/v1/agent/service/deregister/api', scope: ns, status: 200 },
    { go: 'AgentRegisterCheck', method: 'PUT', path: '/v1/agent/check/register', body: { Name: 'ttl2', CheckID: 'c2', TTL: '30s' }, scope: ns, status: 200 },
    { go: 'AgentCheckPass (agentCheckUpdate)', method: 'PUT', path: '/v1/agent/check/pass/c2', scope: ns, status: 200 },
    { go: 'AgentCheckUpdate', method: 'PUT', path: '/v1/agent/check/update/c2', body: { Status: 'warning' }, scope: ns, status: 200 },
    { go: 'AgentDeregisterCheck', method: 'PUT', path: '/v1/agent/check/deregister/c2', scope: ns, status: 200 },
    { go: 'AgentServiceMaintenance', method: 'PUT', path: '/v1/agent/service/maintenance/web1?enable=false', scope: ns, status: 200 },
    { go: 'AgentConnectCALeafCert', method: 'GET', path: '/v1/agent/connect/ca/leaf/web', scope: ns, status: 200 },
    { go: 'AgentConnectAuthorize', method: 'POST', path: '/v1/agent/connect/authorize', body: { Target: 'db', ClientCertURI: 'spiffe://11111111-2222-4333-8444-555555555555.consul/ns/default/dc/dc1/svc/web' }, scope: ns, status: 200 },
    // agent/catalog_endpoint.go
    { go: 'CatalogRegister', method: 'PUT', path: '/v1/catalog/register', body: { Node: 'n2', Address: '10.0.0.2' }, scope: ns, status: 200 },
    { go: 'CatalogDeregister', method: 'PUT', path: '/v1/catalog/deregister', body: { Node: 'n2' }, scope: ns, status: 200 },
    { go: 'CatalogNodes', method: 'GET', path: '/v1/catalog/nodes', scope: ap, status: 200 },
    { go: 'CatalogServices', method: 'GET', path: '/v1/catalog/services', scope: ns, status: 200 },
    { go: 'CatalogServiceNodes', method: 'GET', path: '/v1/catalog/service/db', scope: ns, status: 200 },
    { go: 'CatalogConnectServiceNodes', method: 'GET', path: '/v1/catalog/connect/db', scope: ns, status: 200 },
    { go: 'CatalogNodeServices', method: 'GET', path: '/v1/catalog/node/n1', scope: ns, status: 200 },
    { go: 'CatalogNodeServiceList', method: 'GET', path: '/v1/catalog/node-services/n1', scope: ns, status: 200 },
    { go: 'CatalogGatewayServices', method: 'GET', path: '/v1/catalog/gateway-services/gw', scope: ns, status: 200 },
    // agent/health_endpoint.go
    { go: 'HealthNodeChecks', method: 'GET', path: '/v1/health/node/n1', scope: ns, status: 200 },
    { go: 'HealthServiceChecks', method: 'GET', path: '/v1/health/checks/db', scope: ns, status: 200 },
    { go: 'HealthServiceNodes', method: 'GET', path: '/v1/health/service/db', scope: ns, status: 200 },
    { go: 'HealthConnectServiceNodes', method: 'GET', path: '/v1/health/connect/db', scope: ns, status: 200 },
    { go: 'HealthIngressServiceNodes', method: 'GET', path: '/v1/health/ingress/db', scope: ns, status: 200 },
    { go: 'HealthChecksInState', method: 'GET', path: '/v1/health/state/any', scope: ns, status: 200 },
    // agent/kvs_endpoint.go
    { go: 'KVSGet', method: 'GET', path: '/v1/kv/app/a', scope: ns, status: 200 },
    { go: 'KVSGet (recurse)', method: 'GET', path: '/v1/kv/app?recurse', scope: ns, status: 200 },
    { go: 'KVSGetKeys', method: 'GET', path: '/v1/kv/?keys', scope: ns, status: 200 },
    { go: 'KVSPut', method: 'PUT', path: '/v1/kv/app/b', body: 'two', scope: ns, status: 200 },
    { go: 'KVSDelete', method: 'DELETE', path: '/v1/kv/app/b', scope: ns, status: 200 },
    // agent/session_endpoint.go
    { go: 'SessionCreate', method: 'PUT', path: '/v1/session/create', body: {}, scope: ns, status: 200 },
    { go: 'SessionRenew', method: 'PUT', path: `/v1/session/renew/${session}`, scope: ns, status: 200 },
    { go: 'SessionGet', method: 'GET', path: `/v1/session/info/${session}`, scope: ns, status: 200 },
    { go: 'SessionsForNode', method: 'GET', path: `/v1/session/node/${node}`, scope: ns, status: 200 },
    { go: 'SessionList', method: 'GET', path: '/v1/session/list', scope: ns, status: 200 },
    { go: 'SessionDestroy', method: 'PUT', path: `/v1/session/destroy/${session}`, scope: ns, status: 200 },
    // agent/coordinate_endpoint.go
    { go: 'CoordinateUpdate', method: 'PUT', path: '/v1/coordinate/update', body: coord, scope: ns, status: 200 },
    { go: 'CoordinateNodes', method: 'GET', path: '/v1/coordinate/nodes', scope: ap, status: 200 },
    { go: 'CoordinateNode', method: 'GET', path: '/v1/coordinate/node/nobody', scope: ap, status: 404 },
    // agent/operator_endpoint.go
    { go: 'OperatorUsage', method: 'GET', path: '/v1/operator/usage', scope: ns, status: 200 },
    { go: 'OperatorRaftTransferLeader', method: 'POST', path: '/v1/operator/raft/transfer-leader', scope: ap, status: 500 },
    // agent/peering_endpoint.go, agent/config_endpoint.go ExportedServices
    { go: 'PeeringList', method: 'GET', path: '/v1/peerings', scope: ap, status: 200 },
    { go: 'peeringRead', method: 'GET', path: '/v1/peering/none', scope: ap, status: 404 },
    { go: 'PeeringGenerateToken', method: 'POST', path: '/v1/peering/token', body: { PeerName: 'p1' }, scope: ap, status: 200 },
    { go: 'peeringDelete', method: 'DELETE', path: '/v1/peering/p1', scope: ap, status: 200 },
    { go: 'ExportedServices', method: 'GET', path: '/v1/exported-services', scope: ap, status: 200 },
    // agent/config_endpoint.go, agent/discovery_chain_endpoint.go
    { go: 'ConfigApply', method: 'PUT', path: '/v1/config', body: { Kind: 'service-defaults', Name: 'web', Protocol: 'http' }, scope: ns, status: 200 },
    { go: 'configGet (kind and name)', method: 'GET', path: '/v1/config/service-defaults/web', scope: ns, status: 200 },
    { go: 'configGet (kind)', method: 'GET', path: '/v1/config/service-defaults', scope: ns, status: 200 },
    { go: 'DiscoveryChainRead', method: 'GET', path: '/v1/discovery-chain/web', scope: ns, status: 200 },
    { go: 'DiscoveryChainRead (POST)', method: 'POST', path: '/v1/discovery-chain/web', body: {}, scope: ns, status: 200 },
    { go: 'configDelete', method: 'DELETE', path: '/v1/config/service-defaults/web', scope: ns, status: 200 },
    // agent/intentions_endpoint.go
    { go: 'IntentionList', method: 'GET', path: '/v1/connect/intentions', scope: ns, status: 200 },
    { go: 'IntentionCreate', method: 'POST', path: '/v1/connect/intentions', body: { SourceName: 'a', DestinationName: 'b', Action: 'allow' }, scope: ns, status: 200 },
    { go: 'IntentionSpecificUpdate', method: 'PUT', path: `/v1/connect/intentions/${legacyIntention}`, body: { SourceName: 'x', DestinationName: 'y', Action: 'deny' }, scope: ns, status: 200 },
    { go: 'IntentionPutExact', method: 'PUT', path: '/v1/connect/intentions/exact?source=web&destination=db', body: { Action: 'allow' }, scope: ns, status: 200 },
    { go: 'IntentionGetExact', method: 'GET', path: '/v1/connect/intentions/exact?source=web&destination=db', scope: ns, status: 200 },
    { go: 'IntentionMatch', method: 'GET', path: '/v1/connect/intentions/match?by=destination&name=db', scope: ns, status: 200 },
    { go: 'IntentionCheck', method: 'GET', path: '/v1/connect/intentions/check?source=web&destination=db', scope: ns, status: 200 },
    { go: 'IntentionDeleteExact', method: 'DELETE', path: '/v1/connect/intentions/exact?source=web&destination=db', scope: ns, status: 200 },
    // agent/acl_endpoint.go
    { go: 'ACLTokenList', method: 'GET', path: '/v1/acl/tokens', scope: ns, status: 200 },
    { go: 'ACLTokenGet', method: 'GET', path: `/v1/acl/token/${accessor}`, scope: ns, status: 200 },
    { go: 'ACLTokenCreate', method: 'PUT', path: '/v1/acl/token', body: { Description: 't' }, scope: ns, status: 200 },
    { go: 'ACLPolicyList', method: 'GET', path: '/v1/acl/policies', scope: ns, status: 200 },
    { go: 'ACLPolicyReadByID', method: 'GET', path: `/v1/acl/policy/${policy}`, scope: ns, status: 200 },
    { go: 'ACLPolicyReadByName', method: 'GET', path: '/v1/acl/policy/name/p1', scope: ns, status: 200 },
    { go: 'ACLPolicyCreate', method: 'PUT', path: '/v1/acl/policy', body: { Name: 'p2' }, scope: ns, status: 200 },
    { go: 'ACLRoleList', method: 'GET', path: '/v1/acl/roles', scope: ns, status: 200 },
    { go: 'ACLRoleCreate', method: 'PUT', path: '/v1/acl/role', body: { Name: 'r1' }, scope: ns, status: 200 },
    { go: 'ACLAuthMethodList', method: 'GET', path: '/v1/acl/auth-methods', scope: ns, status: 200 },
    { go: 'ACLBindingRuleList', method: 'GET', path: '/v1/acl/binding-rules', scope: ns, status: 200 },
    { go: 'ACLLogin', method: 'POST', path: '/v1/acl/login', body: { AuthMethod: 'none', BearerToken: 'x' }, scope: ns, status: 403 },
  ];
}

const withQuery = (path: string, q: string): string => `${path}${path.includes('?') ? '&' : '?'}${q}`;

describe('Consul CE refuses a namespace or partition on every endpoint that takes one', () => {
  it('walks the endpoints: 400 with CE text for each spelling, in parseEntMeta order; the same call answers without', async () => {
    for (const r of rows()) {
      const what = `${r.method} ${r.path} (${r.go})`;
      const send = (path: string, headers: Record<string, string> = {}) => call(r.method, path, headers, r.body);
      if (r.scope === 'namespace') {
        expect(await send(withQuery(r.path, 'ns=x')), what).toEqual({ status: 400, text: NS_QUERY });
        expect(await send(withQuery(r.path, 'ns=default')), what).toEqual({ status: 400, text: NS_QUERY });
        expect(await send(r.path, { 'X-Consul-Namespace': 'default' }), what).toEqual({ status: 400, text: NS_HEADER });
        // The header before the query, the namespace before the partition.
        expect(await send(withQuery(r.path, 'ns=x'), { 'X-Consul-Namespace': 'x' }), what).toEqual({ status: 400, text: NS_HEADER });
        expect(await send(withQuery(r.path, 'ns=x&partition=p'), { 'X-Consul-Partition': 'p' }), what).toEqual({ status: 400, text: NS_QUERY });
      }
      expect(await send(withQuery(r.path, 'partition=default')), what).toEqual({ status: 400, text: PARTITION_QUERY });
      expect(await send(r.path, { 'X-Consul-Partition': 'p' }), what).toEqual({ status: 400, text: PARTITION_HEADER });
      expect(await send(withQuery(r.path, 'partition=p'), { 'X-Consul-Partition': 'p' }), what).toEqual({ status: 400, text: PARTITION_HEADER });
      // Empty values name nothing (Go's Header.Get / Query().Get), and a partition-only endpoint
      // ignores a namespace: the call goes through.
      const path = withQuery(r.path, r.scope === 'partition' ? 'ns=x' : 'ns=&partition=');
      const plain = await send(path);
      expect(plain.status, `${what}: ${plain.text}`).toBe(r.status);
    }
  }, 120_000);

  it('other 400s of an endpoint come first where Consul checks them first', async () => {
    // KVSGet: a missing key before the namespace (KVSGetKeys parses the namespace first).
    expect(await call('GET', '/v1/kv/?ns=x')).toEqual({ status: 400, text: 'Missing key name' });
    // KVSEndpoint's s.parse runs before every method's namespace.
    expect(await call('PUT', '/v1/kv/app/c?ns=x&wait=soon', {}, 'v')).toEqual({ status: 400, text: 'Invalid wait time' });
    expect(await call('GET', `/v1/session/info/${session}?ns=x&wait=soon`)).toEqual({ status: 400, text: 'Invalid wait time' });
    expect(await call('PUT', '/v1/agent/service/maintenance/web1?ns=x')).toEqual({ status: 400, text: 'Missing value for enable' });
    expect(await call('PUT', '/v1/agent/check/update/c1?ns=x', {}, { Status: 'bogus' })).toEqual({ status: 400, text: "Invalid check status: 'bogus'" });
    expect(await call('GET', '/v1/agent/members?wan=1&segment=s&partition=p')).toEqual({ status: 400, text: 'Cannot provide a segment with wan=true' });
    expect((await call('PUT', '/v1/coordinate/update?ns=x', {}, '{')).text).toMatch(/^Request decode failed: /);
    expect((await call('PUT', '/v1/config?ns=x', {}, '{')).text).toMatch(/^Request decoding failed: /);
    expect(await call('POST', '/v1/peering/token?partition=p', {}, {})).toEqual({ status: 400, text: 'PeerName is required in the payload when generating a new peering token.' });
    // ...and the namespace before the body where Consul parses it first.
    expect(await call('PUT', '/v1/catalog/register?ns=x', {}, '{')).toEqual({ status: 400, text: NS_QUERY });
    expect(await call('PUT', '/v1/agent/service/register?ns=x', {}, '{')).toEqual({ status: 400, text: NS_QUERY });
  });

  it('a "Namespace" in the body is an Enterprise field where CE rewords the decode error', async () => {
    const reworded = 'json: unknown field "Namespace" - Namespaces are a Consul Enterprise feature';
    expect(await call('PUT', '/v1/catalog/register', {}, { Node: 'n3', Address: '10.0.0.3', Namespace: 'x' })).toEqual({ status: 400, text: `Request decode failed: ${reworded}` });
    expect(await call('PUT', '/v1/catalog/register', {}, { Node: 'n3', Address: '10.0.0.3', Service: { Service: 's', Namespace: 'default' } })).toEqual({ status: 400, text: `Request decode failed: ${reworded}` });
    expect(await call('PUT', '/v1/catalog/deregister', {}, { Node: 'n1', Namespace: 'x' })).toEqual({ status: 400, text: `Request decode failed: ${reworded}` });
    expect(await call('PUT', '/v1/session/create', {}, { Namespace: 'x' })).toEqual({ status: 400, text: `Request decode failed: ${reworded}` });
    expect(await call('PUT', '/v1/acl/binding-rule', {}, { AuthMethod: 'm', Namespace: 'x' })).toEqual({ status: 400, text: `BindingRule decoding failed: ${reworded}` });
    // agent_endpoint.go AgentRegisterService: structs.ServiceDefinition's strict decoding, not reworded.
    expect(await call('PUT', '/v1/agent/service/register', {}, { Name: 'n', Namespace: 'default' })).toEqual({ status: 400, text: 'Request decode failed: json: unknown field "Namespace"' });
    expect(await call('PUT', '/v1/agent/service/register', {}, { name: 'n', connect: { sidecar_service: { partition: 'p' } } })).toEqual({ status: 400, text: 'Request decode failed: json: unknown field "partition"' });
    expect((await call('GET', '/v1/agent/service/n')).status).toBe(404);
    // Only "Namespace" is reworded (http_ce.go rewordUnknownEnterpriseFieldError).
    expect(await call('PUT', '/v1/session/create', {}, { Partition: 'x' })).toEqual({ status: 400, text: 'Request decode failed: json: unknown field "Partition"' });
    expect((await call('GET', '/v1/catalog/node/n3')).text).toBe('null');
  });

  it('a refused write writes nothing', async () => {
    expect(await call('PUT', '/v1/kv/app/z?ns=x', {}, 'two')).toEqual({ status: 400, text: NS_QUERY });
    expect(await call('PUT', '/v1/agent/service/register?partition=p', {}, { Name: 'refused' })).toEqual({ status: 400, text: PARTITION_QUERY });
    expect((await call('GET', '/v1/kv/app/z')).status).toBe(404);
    expect((await call('GET', '/v1/agent/service/refused')).status).toBe(404);
    expect((await call('GET', '/v1/kv/app/a?raw')).text).toBe('one');
  });

  it('ACLTokenList refuses ?authmethod-ns (parseACLAuthMethodEnterpriseMeta)', async () => {
    expect(await call('GET', '/v1/acl/tokens?authmethod-ns=x')).toEqual({ status: 400, text: 'Invalid query parameter: "authmethod-ns" - Namespaces are a Consul Enterprise feature' });
  });

  it('endpoints Consul CE does not scope ignore a namespace and a partition', async () => {
    // status_endpoint.go, agent_endpoint.go AgentSelf, catalog_endpoint.go CatalogDatacenters,
    // event_endpoint.go EventList, acl_endpoint.go ACLTokenSelf, operator_endpoint.go
    // OperatorRaftConfiguration, txn_endpoint.go Txn: none of them parses an EnterpriseMeta.
    for (const path of ['/v1/status/leader', '/v1/agent/self', '/v1/catalog/datacenters', '/v1/event/list', '/v1/acl/token/self', '/v1/operator/raft/configuration']) {
      const r = await call('GET', `${path}?ns=x&partition=p`, { 'X-Consul-Namespace': 'x', 'X-Consul-Partition': 'p' });
      expect(r.status, `${path}: ${r.text}`).toBe(200);
    }
    expect((await call('PUT', '/v1/txn?ns=x&partition=p', {}, [{ KV: { Verb: 'get', Key: 'app/a' } }])).status).toBe(200);
  });
});
