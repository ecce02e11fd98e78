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
    expect(await parseConfigEntryText('{"kind":"service-router","name":"web","routes":[]}')).toEqual({ kind: 'service-router', name: 'web', body: { kind: 'service-router', name: 'web', routes: [] } });
  });
  it('refuses what Consul refuses', async () => {
    await expect(parseConfigEntryText('name = "x"')).rejects.toThrow('Payload does not contain a kind/Kind key at the top level');
    await expect(parseConfigEntryText('kind = "service-defaults"\nname = "x"\nport = 1\n')).rejects.toThrow('invalid config key "port"');
  });
});
