import { describe, expect, it } from 'vitest';
import { devConfig } from '../testing/dev-config.js';
import { memberTags } from './tags.js';

const ID = '6a4d3e0c-8a5b-4b8e-9a3f-1c2d3e4f5a6b';

describe('member tags', () => {
  it("are Consul's for a server (server_serf.go) and for a client (client_serf.go)", () => {
    const server = memberTags(devConfig({ dev: false, server: true, bootstrap: false, bootstrapExpect: 3 }), ID);
    expect(Object.keys(server).sort()).toEqual(['acls', 'build', 'dc', 'expect', 'ft_fs', 'ft_si', 'id', 'port', 'raft_vsn', 'role', 'segment', 'vsn', 'vsn_max', 'vsn_min', 'wan_join_port']);
    expect(server).toMatchObject({ role: 'consul', expect: '3', port: '8300', raft_vsn: '3', id: ID, dc: 'dc1', wan_join_port: '8302' });
    expect(memberTags(devConfig(), ID)['bootstrap']).toBe('1');
    const client = memberTags(devConfig({ dev: false, server: false, bootstrap: false }), ID);
    expect(Object.keys(client).sort()).toEqual(['acls', 'build', 'dc', 'id', 'role', 'segment', 'vsn', 'vsn_max', 'vsn_min']);
    expect(client['role']).toBe('node');
  });
});
