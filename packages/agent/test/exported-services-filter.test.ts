// `GET /v1/exported-services?filter=` on a real agent (127.0.127.20): Consul 1.17 reads the
// query options (agent/config_endpoint.go ExportedServices, s.parse) but its gRPC
// GetResolvedExportedServices (agent/grpc-external/services/configentry/server.go) never
// evaluates `Filter`, and `consul services exported-services` filters on the client. So a
// filter, even one that does not parse, changes nothing: the whole list, 200.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, startAgentProcess, workDir, type AgentProcess } from './helpers.js';

const IP = '127.0.127.20';
const dir = workDir('exported-services-filter-');
let agent: AgentProcess;

beforeAll(async () => {
  agent = await startAgentProcess(['-dev', '-data-dir', join(dir.path, 'data'), '-bind', IP, '-client', IP, '-dns-port', '-1', '-log-level', 'warn'], `${IP}:8500`);
  for (const [name, port] of [['api', 8081], ['web', 8080]] as const) {
    expect((await http(agent.base, 'PUT', '/v1/agent/service/register', JSON.stringify({ Name: name, Port: port }))).status).toBe(200);
  }
  const entry = { Kind: 'exported-services', Name: 'default', Services: [{ Name: 'web', Consumers: [{ Peer: 'peer-a' }] }, { Name: 'api', Consumers: [{ Peer: 'peer-b' }] }] };
  expect((await http(agent.base, 'PUT', '/v1/config', JSON.stringify(entry))).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await agent?.kill9();
  dir.remove();
});

describe('/v1/exported-services?filter', () => {
  it('is not applied, as in Consul: the same list with a matching, a non-matching and a malformed filter', async () => {
    const all = await eventually(async () => {
      const r = await http(agent.base, 'GET', '/v1/exported-services');
      return r.status === 200 && (r.json() as unknown[]).length === 2 ? r : undefined;
    }, 'both services exported');
    expect(all.json()).toEqual([
      { Service: 'api', Consumers: { Peers: ['peer-b'] } },
      { Service: 'web', Consumers: { Peers: ['peer-a'] } },
    ]);
    for (const filter of ['Service == "web"', '"peer-x" in Consumers.Peers', 'Service ==']) {
      const r = await http(agent.base, 'GET', `/v1/exported-services?filter=${encodeURIComponent(filter)}`);
      expect([r.status, r.text], filter).toEqual([200, all.text]);
    }
  });
});
