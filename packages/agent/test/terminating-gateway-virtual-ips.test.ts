// Virtual IPs of the services a terminating gateway links (Consul's state/catalog.go
// updateTerminatingGatewayVirtualIPs), against a real -dev agent (127.0.123.10): the gateway's
// instance carries `consul-virtual:<service>` for each linked service, `<service>.virtual.consul`
// answers it over DNS (dig), and a service the entry no longer links gives its address back.
import { afterAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, startAgentProcess, type AgentProcess } from './helpers.js';

const IP = '127.0.123.10';
let agent: AgentProcess | undefined;
afterAll(async () => {
  await agent?.stop();
});

type Json = any;
const put = (path: string, body: unknown) => http(agent!.base, 'PUT', path, JSON.stringify(body));
const gatewayAddresses = async (): Promise<Json> => (await (await http(agent!.base, 'GET', '/v1/catalog/service/tgw')).json())[0]?.ServiceTaggedAddresses;

describe('virtual IPs of a terminating gateway’s services', () => {
  it('puts them on the gateway, answers them over DNS and frees a dropped one', async () => {
    agent = await startAgentProcess(['-dev', '-bind', IP, '-client', IP, '-node', 'tgw-dev', '-dns-port', '8600', '-log-level', 'warn'], `${IP}:8500`);
    expect((await put('/v1/agent/service/register', { Name: 'tgw', Kind: 'terminating-gateway', Port: 8443 })).status).toBe(200);
    expect((await put('/v1/agent/service/register', { Name: 'legacy', Port: 9000 })).status).toBe(200);
    await eventually(async () => (await http(agent!.base, 'GET', '/v1/catalog/service/tgw')).json().length === 1, 'the gateway in the catalog');
    expect((await put('/v1/config', { Kind: 'terminating-gateway', Name: 'tgw', Services: [{ Name: 'legacy' }, { Name: 'billing' }] })).status).toBe(200);

    expect(await gatewayAddresses()).toEqual({
      'consul-virtual:legacy': { Address: '240.0.0.1', Port: 0 },
      'consul-virtual:billing': { Address: '240.0.0.2', Port: 0 },
    });
    expect(dig(IP, 8600, 'legacy.virtual.consul', 'A')).toEqual(['240.0.0.1']);
    expect(dig(IP, 8600, 'billing.virtual.consul', 'A')).toEqual(['240.0.0.2']);
    // A re-registration through the agent (and its sync) keeps the server-set addresses.
    expect((await put('/v1/agent/service/register', { Name: 'tgw', Kind: 'terminating-gateway', Port: 8443 })).status).toBe(200);
    expect(Object.keys(await gatewayAddresses())).toEqual(['consul-virtual:legacy', 'consul-virtual:billing']);

    expect((await put('/v1/config', { Kind: 'terminating-gateway', Name: 'tgw', Services: [{ Name: 'legacy' }] })).status).toBe(200);
    expect(await gatewayAddresses()).toEqual({ 'consul-virtual:legacy': { Address: '240.0.0.1', Port: 0 } });
    expect(dig(IP, 8600, 'billing.virtual.consul', 'A')).toEqual([]);
    expect(dig(IP, 8600, 'legacy.virtual.consul', 'A')).toEqual(['240.0.0.1']);
  }, 60_000);
});
