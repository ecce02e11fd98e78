// Cluster peering between two Proconsul clusters, each a single -bootstrap server: cluster A
// (127.0.110.1, dc1) accepts, cluster B (127.0.111.1, dc2) dials with A's token. Each exports a
// service to the other; the importer reads it with `?peer=`, never mixed into local reads, and
// follows register/deregister/health changes; removing the export or deleting the peering
// removes the imports. Also Consul's 400/404s, and a peering that survives a restart (Raft).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, RUN_JS, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const CLI_JS = resolve(RUN_JS, '../../../cli/dist/bin.js');
const cli = (...argv: string[]) => spawnSync(process.execPath, [CLI_JS, ...argv], { encoding: 'utf8', timeout: 30_000 });

const A_IP = '127.0.110.1';
const B_IP = '127.0.111.1';
const dir = tempDir('peering-');
let a: AgentProcess | undefined;
let b: AgentProcess | undefined;

const args = (ip: string, dc: string, name: string): string[] => [
  '-server', '-bootstrap', '-data-dir', join(dir.path, name), '-bind', ip, '-client', ip, '-node', name, '-datacenter', dc, '-log-level', 'warn',
];
const call = (base: string, method: string, path: string, body?: unknown) => http(base, method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
const A = (): string => a!.base;
const B = (): string => b!.base;

const register = (base: string, node: string, address: string, id: string, service: string, status: string) =>
  call(base, 'PUT', '/v1/catalog/register', {
    Node: node, Address: address,
    Service: { ID: id, Service: service, Port: 8080, Tags: ['v1'] },
    Checks: [{ CheckID: `${id}-check`, Name: `${id} check`, ServiceID: id, Status: status }],
  });
const exportTo = (base: string, services: Array<{ Name: string; peer: string }>) =>
  call(base, 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: services.map((s) => ({ Name: s.Name, Consumers: [{ Peer: s.peer }] })) });
const imported = async (base: string, svc: string, peer: string): Promise<any[]> => {
  const r = await call(base, 'GET', `/v1/health/service/${svc}?peer=${peer}`);
  if (r.status !== 200) throw new Error(`${r.status} ${r.text}`);
  return r.json();
};

beforeAll(async () => {
  [a, b] = await Promise.all([startAgentProcess(args(A_IP, 'dc1', 'alpha'), `${A_IP}:8500`), startAgentProcess(args(B_IP, 'dc2', 'beta'), `${B_IP}:8500`)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  dir.remove();
});

describe('cluster peering between two clusters', () => {
  it('refuses bad requests with Consul texts', async () => {
    let r = await call(A(), 'POST', '/v1/peering/token', {});
    expect([r.status, r.text]).toEqual([400, 'PeerName is required in the payload when generating a new peering token.']);
    r = await call(A(), 'POST', '/v1/peering/token', { PeerName: 'Not_Valid' });
    expect(r.status).toBe(400);
    expect(r.text).toBe("Not_Valid is not a valid peer name: a valid DNS label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
    r = await call(A(), 'POST', '/v1/peering/token', '{"PeerName":');
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^Body decoding failed: /);
    r = await call(B(), 'POST', '/v1/peering/establish', { PeerName: 'x' });
    expect([r.status, r.text]).toEqual([400, 'PeeringToken is required in the payload when establishing a peering.']);
    r = await call(B(), 'POST', '/v1/peering/establish', { PeerName: 'x', PeeringToken: Buffer.from('{}').toString('base64') });
    expect([r.status, r.text]).toEqual([400, 'peering token server addresses value is empty']);
    r = await call(B(), 'GET', '/v1/peering/nope');
    expect([r.status, r.text]).toEqual([404, 'Peering not found for "nope"']);
    r = await call(A(), 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: [{ Name: 'web', Consumers: [{ Peer: '*' }] }] });
    expect([r.status, r.text]).toEqual([400, 'Services[0].Consumers[0]: exporting to all peers (wildcard) is not supported']);
    r = await call(A(), 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'other', Services: [] });
    expect([r.status, r.text]).toEqual([400, 'exported-services Name must be "default"']);
  });

  it('generates a token, establishes, and both sides become ACTIVE', async () => {
    const t = await call(A(), 'POST', '/v1/peering/token', { PeerName: 'cluster-b', Meta: { env: 'test' } });
    expect(t.status).toBe(200);
    const token = t.json().PeeringToken as string;
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    expect(decoded.ServerAddresses).toEqual([`${A_IP}:8300`]);
    expect(decoded.PeerID).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call(A(), 'GET', '/v1/peering/cluster-b')).json().State).toBe('PENDING');
    // A token cannot be used by the cluster that generated it.
    const self = await call(A(), 'POST', '/v1/peering/establish', { PeerName: 'myself', PeeringToken: token });
    expect([self.status, self.text]).toEqual([400, 'cannot create a peering within the same partition (ENT) or cluster (OSS)']);
    const e = await call(B(), 'POST', '/v1/peering/establish', { PeerName: 'cluster-a', PeeringToken: token });
    expect([e.status, e.text]).toEqual([200, '{}']);
    // The establishment secret is spent: a second dialer with the same token is refused.
    const again = await call(B(), 'POST', '/v1/peering/establish', { PeerName: 'cluster-a2', PeeringToken: token });
    expect(again.status).toBe(400);
    expect(again.text).toContain('invalid peering establishment secret');
    const onB = await eventually(async () => {
      const p = (await call(B(), 'GET', '/v1/peering/cluster-a')).json();
      return p.State === 'ACTIVE' && p.Remote.Datacenter === 'dc1' && p;
    }, 'B sees the peering ACTIVE', 100, 100);
    expect(onB.PeerServerAddresses).toEqual([`${A_IP}:8300`]);
    expect(onB.PeerID).toBe(decoded.PeerID);
    const onA = await eventually(async () => {
      const p = (await call(A(), 'GET', '/v1/peering/cluster-b')).json();
      return p.State === 'ACTIVE' && p.Remote.Datacenter === 'dc2' && p;
    }, 'A sees the peering ACTIVE', 100, 100);
    expect(onA.Meta).toEqual({ env: 'test' });
    expect(onA.StreamStatus.LastHeartbeat).not.toBeNull();
    const list = (await call(A(), 'GET', '/v1/peerings')).json();
    expect(list.map((p: any) => p.Name)).toEqual(['cluster-b']);
    expect(JSON.stringify(list)).not.toContain('Secret');
    // A name used to accept cannot dial, and the other way round.
    const fromB = (await call(B(), 'POST', '/v1/peering/token', { PeerName: 'spare' })).json().PeeringToken;
    const clash = await call(A(), 'POST', '/v1/peering/establish', { PeerName: 'cluster-b', PeeringToken: fromB });
    expect(clash.text).toBe('cannot create peering with name: "cluster-b"; there is an existing peering expecting to be dialed');
    const clash2 = await call(B(), 'POST', '/v1/peering/token', { PeerName: 'cluster-a' });
    expect(clash2.text).toBe('cannot create peering with name: "cluster-a"; there is already an established peering');
    expect((await call(B(), 'DELETE', '/v1/peering/spare')).status).toBe(200);
    await eventually(async () => (await call(B(), 'GET', '/v1/peering/spare')).status === 404, 'the spare peering deleted', 50, 100);
  });

  it('replicates exported services both ways, kept apart from local reads, and follows changes', async () => {
    expect((await register(A(), 'web-node-1', '10.0.0.1', 'web-1', 'web', 'passing')).status).toBe(200);
    expect((await register(B(), 'api-node-1', '10.1.0.1', 'api-1', 'api', 'passing')).status).toBe(200);
    expect((await exportTo(A(), [{ Name: 'web', peer: 'cluster-b' }])).status).toBe(200);
    expect((await exportTo(B(), [{ Name: 'api', peer: 'cluster-a' }])).status).toBe(200);

    const web = await eventually(async () => {
      const l = await imported(B(), 'web', 'cluster-a');
      return l.length === 1 && l;
    }, 'B imports web', 100, 100);
    expect(web[0].Node.Node).toBe('web-node-1');
    expect(web[0].Node.PeerName).toBe('cluster-a');
    expect(web[0].Service.PeerName).toBe('cluster-a');
    // The exporter folds an instance's checks into one (peerstream subscription_manager.go flattenChecks).
    expect(web[0].Checks.map((c: any) => [c.CheckID, c.Name, c.Status, c.ServiceID, c.PeerName])).toEqual([['web-1:overall-check', 'overall-check', 'passing', 'web-1', 'cluster-a']]);
    const api = await eventually(async () => {
      const l = await imported(A(), 'api', 'cluster-b');
      return l.length === 1 && l;
    }, 'A imports api', 100, 100);
    expect(api[0].Service.Service).toBe('api');

    const catalogWeb = (await call(B(), 'GET', '/v1/catalog/service/web?peer=cluster-a')).json();
    expect(catalogWeb.map((s: any) => [s.Node, s.ServiceID, s.PeerName])).toEqual([['web-node-1', 'web-1', 'cluster-a']]);
    expect((await call(B(), 'GET', '/v1/catalog/services?peer=cluster-a')).json()).toEqual({ web: ['v1'] });
    // Not mixed into local reads; an unknown peer reads empty.
    expect((await call(B(), 'GET', '/v1/catalog/services')).json()).not.toHaveProperty('web');
    expect((await call(B(), 'GET', '/v1/health/service/web')).json()).toEqual([]);
    expect((await call(B(), 'GET', '/v1/health/service/web?peer=other')).json()).toEqual([]);

    // Health change, a new instance, a deregistration: each reaches the importer within seconds.
    expect((await register(A(), 'web-node-1', '10.0.0.1', 'web-1', 'web', 'critical')).status).toBe(200);
    await eventually(async () => (await imported(B(), 'web', 'cluster-a'))[0]?.Checks[0]?.Status === 'critical', 'the critical check on B', 80, 100);
    expect((await call(B(), 'GET', '/v1/health/service/web?peer=cluster-a&passing')).json()).toEqual([]);
    expect((await register(A(), 'web-node-2', '10.0.0.2', 'web-2', 'web', 'passing')).status).toBe(200);
    await eventually(async () => (await imported(B(), 'web', 'cluster-a')).length === 2, 'two web instances on B', 80, 100);
    expect((await call(A(), 'PUT', '/v1/catalog/deregister', { Node: 'web-node-1' })).status).toBe(200);
    const left = await eventually(async () => {
      const l = await imported(B(), 'web', 'cluster-a');
      return l.length === 1 && l;
    }, 'one web instance left on B', 80, 100);
    expect(left[0].Service.ID).toBe('web-2');
    const status = (await call(B(), 'GET', '/v1/peering/cluster-a')).json().StreamStatus;
    expect(status.ImportedServices).toEqual(['web']);
    expect(status.ExportedServices).toEqual(['api']);

    // Removing the export removes the import.
    expect((await exportTo(A(), [])).status).toBe(200);
    await eventually(async () => (await imported(B(), 'web', 'cluster-a')).length === 0, 'web no longer imported on B', 80, 100);
  });

  it('keeps the peering and its imports across a restart of the dialing server', async () => {
    await b!.stop();
    b = await startAgentProcess(args(B_IP, 'dc2', 'beta'), `${B_IP}:8500`);
    expect((await call(B(), 'GET', '/v1/peering/cluster-a')).status).toBe(200);
    await eventually(async () => (await call(B(), 'GET', '/v1/peering/cluster-a')).json().State === 'ACTIVE', 'the stream back after the restart', 100, 100);
    expect((await imported(A(), 'api', 'cluster-b')).length).toBe(1);
  }, 60_000);

  it('the CLI lists and reads peerings, with Consul texts', async () => {
    const list = cli('peering', 'list', `-http-addr=${B_IP}:8500`);
    expect(list.status).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Name\s+State\s+Imported Svcs\s+Exported Svcs\s+Meta$/);
    expect(lines[1]).toMatch(/^cluster-a\s+ACTIVE\s+0\s+1\s*$/);
    const read = cli('peering', 'read', '-name=cluster-a', `-http-addr=${B_IP}:8500`);
    expect(read.status).toBe(0);
    expect(read.stdout).toContain('Name:         cluster-a\nID:           ');
    expect(read.stdout).toContain(`Peer Server Addresses:\n    ${A_IP}:8300\n`);
    const json = JSON.parse(cli('peering', 'read', '-name=cluster-a', '-format=json', `-http-addr=${B_IP}:8500`).stdout);
    expect(json.State).toBe('ACTIVE');
    const missing = cli('peering', 'read', '-name=nope', `-http-addr=${B_IP}:8500`);
    expect([missing.status, missing.stderr]).toEqual([1, 'No peering with name nope found.\n']);
    const noName = cli('peering', 'delete', `-http-addr=${B_IP}:8500`);
    expect([noName.status, noName.stderr]).toEqual([1, 'Missing the required -name flag\n']);
    const badToken = cli('peering', 'establish', '-name=x', '-peering-token=@@@', `-http-addr=${B_IP}:8500`);
    expect(badToken.status).toBe(1);
    expect(badToken.stderr).toMatch(/^Error establishing peering for x: .*failed to decode token/);
  });

  it('deleting the peering removes it and its imports on both sides', async () => {
    const d = cli('peering', 'delete', '-name=cluster-a', `-http-addr=${B_IP}:8500`);
    expect([d.status, d.stdout]).toEqual([0, 'Successfully submitted peering connection, cluster-a, for deletion\n']);
    await eventually(async () => (await call(B(), 'GET', '/v1/peering/cluster-a')).status === 404, 'the peering gone on B', 80, 100);
    const onA = await eventually(async () => {
      const p = (await call(A(), 'GET', '/v1/peering/cluster-b')).json();
      return p.State === 'TERMINATED' && p;
    }, 'A sees the peering TERMINATED', 80, 100);
    expect(onA.StreamStatus.ImportedServices).toBeNull();
    expect(await imported(A(), 'api', 'cluster-b')).toEqual([]);
    const d2 = await call(A(), 'DELETE', '/v1/peering/cluster-b');
    expect([d2.status, d2.text]).toEqual([200, '']);
    await eventually(async () => (await call(A(), 'GET', '/v1/peerings')).json().length === 0, 'no peerings left on A', 80, 100);
  });

  it('peers again after a deletion, and the dialer sees TERMINATED when the acceptor deletes', async () => {
    const token = (await call(A(), 'POST', '/v1/peering/token', { PeerName: 'cluster-b' })).json().PeeringToken;
    expect((await call(B(), 'POST', '/v1/peering/establish', { PeerName: 'cluster-a', PeeringToken: token })).status).toBe(200);
    await eventually(async () => (await call(B(), 'GET', '/v1/peering/cluster-a')).json().State === 'ACTIVE', 'B ACTIVE again', 100, 100);
    expect((await call(A(), 'DELETE', '/v1/peering/cluster-b')).status).toBe(200);
    await eventually(async () => (await call(B(), 'GET', '/v1/peering/cluster-a')).json().State === 'TERMINATED', 'B sees TERMINATED', 100, 100);
    expect((await call(A(), 'GET', '/v1/peering/cluster-b')).status).toBe(404);
  });
});
