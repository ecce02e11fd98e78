// PUT /v1/txn with Node, Service and Check operations on a real agent (127.0.66.101), in the
// shapes Consul's Go client sends (every field of api.Node, api.AgentService and
// api.HealthCheck, zero values included): what a transaction registers is in the catalog, in
// health and in DNS at once; one that fails leaves all three as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, http, startAgentProcess, type AgentProcess } from './helpers.js';

const IP = '127.0.66.101';
const DNS_PORT = 8600;
let agent: AgentProcess;

const txn = (ops: unknown[], query = '') => http(agent.base, 'PUT', `/v1/txn${query}`, JSON.stringify(ops));

/** api.Node as encoding/json writes it. */
const goNode = (node: string, address: string, modifyIndex = 0) => ({
  ID: '', Node: node, Address: address, Datacenter: '', TaggedAddresses: null, Meta: { team: 'db' }, CreateIndex: 0, ModifyIndex: modifyIndex,
});
/** api.AgentService as encoding/json writes it (Weights left at their zero value). */
const goService = (id: string, name: string, port: number) => ({
  Kind: '', ID: id, Service: name, Tags: ['primary'], Meta: null, Port: port, Address: '', Weights: { Passing: 0, Warning: 0 },
  EnableTagOverride: false, CreateIndex: 0, ModifyIndex: 0,
});
/** api.HealthCheck with its Definition as the Go client marshals it. */
const goCheck = (node: string, id: string, serviceID: string, definition: Record<string, unknown>) => ({
  Node: node, CheckID: id, Name: `${id} check`, Status: 'passing', Notes: '', Output: '', ServiceID: serviceID, ServiceName: '', ServiceTags: null,
  Type: '', ExposedPort: 0,
  Definition: { Interval: '0s', Timeout: '0s', DeregisterCriticalServiceAfter: '0s', HTTP: '', Header: null, Method: '', Body: '', TLSServerName: '', TLSSkipVerify: false, TCP: '', TCPUseTLS: false, UDP: '', GRPC: '', OSService: '', GRPCUseTLS: false, ...definition },
  CreateIndex: 0, ModifyIndex: 0,
});

beforeAll(async () => {
  agent = await startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-dns-port', String(DNS_PORT), '-log-level', 'warn'], `${IP}:8500`);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
});

describe('transactions on the catalog', () => {
  it('registers an external node, its service and a check in one transaction: catalog, health and DNS see them', async () => {
    const r = await txn([
      { Node: { Verb: 'set', Node: goNode('ext-db', '10.9.0.1') } },
      { Service: { Verb: 'set', Node: 'ext-db', Service: goService('pg1', 'pg', 5432) } },
      { Check: { Verb: 'set', Check: goCheck('ext-db', 'pg-tcp', 'pg1', { Interval: '10s', Timeout: '2s', TCP: '10.9.0.1:5432' }) } },
    ]);
    expect(r.status, r.text).toBe(200);
    const index = Number(r.headers.get('x-consul-index'));
    const body = r.json();
    expect(body.Errors).toBeNull();
    expect(body.Results[0]).toEqual({
      Node: { ID: '', Node: 'ext-db', Address: '10.9.0.1', Datacenter: 'dc1', TaggedAddresses: null, Meta: { team: 'db' }, CreateIndex: index, ModifyIndex: index },
    });
    expect(body.Results[1].Service).toMatchObject({ ID: 'pg1', Service: 'pg', Tags: ['primary'], Port: 5432, Weights: { Passing: 0, Warning: 0 }, ModifyIndex: index });
    expect(body.Results[2].Check).toMatchObject({
      Node: 'ext-db', CheckID: 'pg-tcp', Status: 'passing', ServiceID: 'pg1', ServiceName: 'pg', ServiceTags: ['primary'],
      Definition: { Interval: '10s', Timeout: '2s', TCP: '10.9.0.1:5432' },
    });
    expect(Object.keys(body.Results[2].Check.Definition)).toEqual(['Interval', 'Timeout', 'TCP']);

    const health = (await http(agent.base, 'GET', '/v1/health/service/pg?passing')).json();
    expect(health.map((e: { Node: { Node: string }; Checks: { CheckID: string }[] }) => [e.Node.Node, e.Checks.map((c) => c.CheckID)])).toEqual([['ext-db', ['pg-tcp']]]);
    expect(dig(IP, DNS_PORT, 'pg.service.consul', 'A')).toEqual(['10.9.0.1']);
  });

  it('a transaction that fails at its last op leaves catalog, health, DNS and their indexes as they were', async () => {
    const before = await http(agent.base, 'GET', '/v1/health/service/pg');
    const r = await txn([
      { Service: { Verb: 'set', Node: 'ext-db', Service: goService('pg1', 'pg', 6432) } },
      { Check: { Verb: 'delete', Check: goCheck('ext-db', 'pg-tcp', 'pg1', {}) } },
      { Node: { Verb: 'set', Node: goNode('ext-db2', '10.9.0.2') } },
      { KV: { Verb: 'set', Key: 'pg/primary', Value: Buffer.from('ext-db2').toString('base64') } },
      { Node: { Verb: 'cas', Node: goNode('ext-db', '10.9.0.3', 1) } },
    ]);
    expect(r.status, r.text).toBe(409);
    expect(r.json()).toEqual({ Results: null, Errors: [{ OpIndex: 4, What: 'failed to set node "ext-db", index is stale' }] });
    const after = await http(agent.base, 'GET', '/v1/health/service/pg');
    expect(after.text).toBe(before.text);
    expect(after.headers.get('x-consul-index')).toBe(before.headers.get('x-consul-index'));
    expect((await http(agent.base, 'GET', '/v1/catalog/node/ext-db2')).text).toBe('null');
    expect((await http(agent.base, 'GET', '/v1/kv/pg/primary')).status).toBe(404);
    expect(dig(IP, DNS_PORT, 'pg.service.consul', 'SRV').map((l) => l.split(' ')[2])).toEqual(['5432']);
  });

  it('reads Node, Service and Check entries without the log, ?stale too; a missing one is a 409 naming it', async () => {
    const reads = [
      { Node: { Verb: 'get', Node: { Node: 'ext-db' } } },
      { Service: { Verb: 'get', Node: 'ext-db', Service: { ID: 'pg1' } } },
      { Check: { Verb: 'get', Check: { Node: 'ext-db', CheckID: 'pg-tcp' } } },
    ];
    for (const q of ['', '?stale']) {
      const r = await txn(reads, q);
      expect(r.status, r.text).toBe(200);
      expect(r.json().Results.map((x: Record<string, { Node?: string; ID?: string; CheckID?: string }>) => Object.keys(x)[0])).toEqual(['Node', 'Service', 'Check']);
    }
    const missing = await txn([{ Service: { Verb: 'get', Node: 'ext-db', Service: { ID: 'nope' } } }]);
    expect(missing.status).toBe(409);
    expect(missing.json().Errors).toEqual([{ OpIndex: 0, What: 'service "nope" on node "ext-db" doesn\'t exist' }]);
  });

  it('answers bad input with a 400 and a 409, and deletes with CAS', async () => {
    const badDuration = await txn([{ Check: { Verb: 'set', Check: goCheck('ext-db', 'c', '', { Interval: 'ten' }) } }]);
    expect(badDuration.status).toBe(400);
    expect(badDuration.text).toBe('Failed to parse body: time: invalid duration "ten"');
    const unknownField = await txn([{ Service: { Verb: 'set', Node: 'ext-db', Service: { Service: 'x', Colour: 'red' } } }]);
    expect(unknownField.status).toBe(400);
    expect(unknownField.text).toBe('Failed to parse body: json: unknown field "Colour"');
    const noNode = await txn([{ Service: { Verb: 'set', Node: 'nowhere', Service: goService('x', 'x', 1) } }]);
    expect(noNode.status).toBe(409);
    expect(noNode.json().Errors).toEqual([{ OpIndex: 0, What: 'Missing node registration' }]);

    const node = (await http(agent.base, 'GET', '/v1/catalog/node/ext-db')).json().Node;
    const stale = await txn([{ Node: { Verb: 'delete-cas', Node: goNode('ext-db', '', node.ModifyIndex - 1) } }]);
    expect(stale.json().Errors).toEqual([{ OpIndex: 0, What: 'failed to delete node "ext-db", index is stale' }]);
    const del = await txn([{ Node: { Verb: 'delete-cas', Node: goNode('ext-db', '', node.ModifyIndex) } }]);
    expect(del.status, del.text).toBe(200);
    expect(del.json()).toEqual({ Results: [], Errors: null });
    expect((await http(agent.base, 'GET', '/v1/health/service/pg')).json()).toEqual([]);
    expect(dig(IP, DNS_PORT, 'pg.service.consul', 'A')).toEqual([]);
  });
});
