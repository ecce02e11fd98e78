import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import { parseHcl } from '../config/hcl.js';
import { bootstrapConfigEntries } from './agent-config.js';

describe('config_entries.bootstrap', () => {
  it('decodes entries as the API does', () => {
    expect(bootstrapConfigEntries({ bootstrap: [{ kind: 'proxy-defaults', name: 'global', config: [{ protocol: 'http' }] }] })).toEqual([
      { Kind: 'proxy-defaults', Name: 'global', Config: { protocol: 'http' }, TransparentProxy: {}, MeshGateway: {}, Expose: {}, AccessLogs: {}, CreateIndex: 0, ModifyIndex: 0 },
    ]);
    expect(bootstrapConfigEntries(undefined)).toEqual([]);
  });
  it('names the entry and Consul\'s error', () => {
    expect(() => bootstrapConfigEntries({ bootstrap: [{ kind: 'mesh' }, { kind: 'proxy-defaults', name: 'web' }] })).toThrow(
      new ConfigError('config_entries.bootstrap[1]: invalid name ("web"), only "global" is supported'),
    );
    expect(() => bootstrapConfigEntries({ bootstrap: [{ kind: 'service-defaults', name: 'a', bogus: true }] })).toThrow(
      'config_entries.bootstrap[0]: 1 error occurred:\n\t* invalid config key "bogus"\n\n',
    );
  });
  it('takes HCL bootstrap blocks, one or several, as a list (Consul leaves the tree unpatched)', () => {
    const one = parseHcl('config_entries {\n  bootstrap {\n    kind = "proxy-defaults"\n    name = "global"\n  }\n}\n') as { config_entries: { bootstrap: unknown } };
    expect(bootstrapConfigEntries(one.config_entries)).toHaveLength(1);
    const two = parseHcl('config_entries {\n  bootstrap {\n    kind = "mesh"\n  }\n  bootstrap {\n    kind = "service-defaults"\n    name = "web"\n  }\n}\n') as { config_entries: { bootstrap: unknown } };
    expect(bootstrapConfigEntries(two.config_entries).map((e) => e.Kind)).toEqual(['mesh', 'service-defaults']);
  });
});
