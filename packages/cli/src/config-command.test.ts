import { describe, expect, it } from 'vitest';
import { parseConfigEntryText } from './commands/config.js';

describe('config entry files (helpers.ParseConfigEntry)', () => {
  it('reads HCL with snake_case keys and blocks, and JSON', async () => {
    const hcl = await parseConfigEntryText('kind = "proxy-defaults"\nname = "global"\nconfig {\n  protocol = "http"\n}\nmesh_gateway {\n  mode = "local"\n}\n');
    expect(hcl).toEqual({ kind: 'proxy-defaults', name: 'global', body: { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' }, MeshGateway: { Mode: 'local' } } });
    const json = await parseConfigEntryText('{"Kind":"mesh","TransparentProxy":{"MeshDestinationsOnly":true}}');
    expect(json).toEqual({ kind: 'mesh', name: 'mesh', body: { Kind: 'mesh', TransparentProxy: { MeshDestinationsOnly: true } } });
  });
  it('sends a kind this agent does not decode as written', async () => {
    expect(await parseConfigEntryText('{"kind":"bound-api-gateway","name":"g1","listeners":[]}')).toEqual({ kind: 'bound-api-gateway', name: 'g1', body: { kind: 'bound-api-gateway', name: 'g1', listeners: [] } });
  });
  it('decodes a sameness-group as Consul does (the agent then refuses it, as CE does)', async () => {
    expect(await parseConfigEntryText('kind = "sameness-group"\nname = "g1"\ninclude_local = true\nmembers = [{ peer = "dc2" }]\n')).toEqual({
      kind: 'sameness-group', name: 'g1', body: { Kind: 'sameness-group', Name: 'g1', IncludeLocal: true, Members: [{ Peer: 'dc2' }] },
    });
    await expect(parseConfigEntryText('{"kind":"sameness-group","name":"g1","members":[],"bogus":1}')).rejects.toThrow('invalid config key "bogus"');
  });
  it('reads a service-resolver in HCL: subsets and failover maps, durations', async () => {
    const hcl = 'kind = "service-resolver"\nname = "api"\nconnect_timeout = "15s"\nsubsets = {\n  v1 = {\n    filter = "Service.Meta.version == v1"\n  }\n}\nfailover = {\n  "*" = {\n    datacenters = ["dc2"]\n  }\n}\n';
    expect(await parseConfigEntryText(hcl)).toEqual({
      kind: 'service-resolver', name: 'api',
      body: { Kind: 'service-resolver', Name: 'api', ConnectTimeout: 15e9, Subsets: { v1: { Filter: 'Service.Meta.version == v1' } }, Failover: { '*': { Datacenters: ['dc2'] } } },
    });
  });
  it('refuses what Consul refuses', async () => {
    await expect(parseConfigEntryText('name = "x"')).rejects.toThrow('Payload does not contain a kind/Kind key at the top level');
    await expect(parseConfigEntryText('kind = "service-defaults"\nname = "x"\nport = 1\n')).rejects.toThrow('invalid config key "port"');
  });
});
