import { describe, expect, it } from 'vitest';
import { devConfig } from '../testing/dev-config.js';
import { MemberStatus, type AgentMember } from './lan.js';
import { consulServer, memberTags } from './tags.js';

const ID = '6a4d3e0c-8a5b-4b8e-9a3f-1c2d3e4f5a6b';
const asMember = (tags: Record<string, string>): AgentMember => ({
  Name: 'n1', Addr: '10.0.0.1', Port: 8301, Tags: tags, Status: MemberStatus.alive,
  ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
});

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

  it('tell servers apart as metadata.IsConsulServer does', () => {
    const parts = consulServer(asMember(memberTags(devConfig({ dev: false, server: true, bootstrap: false, bootstrapExpect: 3 }), ID)));
    expect(parts).toMatchObject({ name: 'n1', id: ID, addr: '10.0.0.1', port: 8300, expect: 3, bootstrap: false, raftVersion: 3, datacenter: 'dc1', status: 1 });
    expect(parts?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(consulServer(asMember(memberTags(devConfig({ dev: false, server: false, bootstrap: false }), ID)))).toBeUndefined();
    expect(consulServer(asMember({ role: 'consul', port: 'x' }))).toBeUndefined();
    expect(consulServer(asMember({ role: 'consul', port: '8300', expect: '-1' }))).toBeUndefined();
  });
});
