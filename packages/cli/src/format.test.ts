import { describe, expect, it } from 'vitest';
import type { AgentMember, KVPair, Node } from '@proconsul/api';
import { goJson, goTimeString, policyJson, roleLines, tokenJson, tokenLines } from './commands/acl-format.js';
import { formatNodes, formatServices } from './commands/catalog.js';
import { formatStats } from './commands/info.js';
import { exportJson } from './commands/kv-export.js';
import { prettyKVPair } from './commands/kv-get.js';
import { detailedOutput, sortMembers, standardOutput } from './commands/members.js';
import { formatPeers } from './commands/operator-raft.js';

const member = (name: string, role: string, status = 1): AgentMember => ({
  Name: name,
  Addr: '127.0.2.1',
  Port: 8301,
  Tags: { role, dc: 'dc1', vsn: '2', build: '0.1.0:abc', id: 'x' },
  Status: status,
  ProtocolMin: 1,
  ProtocolMax: 5,
  ProtocolCur: 2,
  DelegateMin: 2,
  DelegateMax: 5,
  DelegateCur: 4,
});

describe('members output', () => {
  it('prints Consul\'s columns with servers first', () => {
    const out = standardOutput(sortMembers([member('zeta', 'node', 4), member('alpha', 'consul')]));
    expect(out.split('\n')).toEqual([
      'Node   Address         Status  Type    Build  Protocol  DC   Partition  Segment',
      'alpha  127.0.2.1:8301  alive   server  0.1.0  2         dc1  default    <all>',
      'zeta   127.0.2.1:8301  failed  client  0.1.0  2         dc1  default    <default>',
    ]);
  });
  it('prints sorted tags with -detailed', () => {
    expect(detailedOutput([member('alpha', 'consul')]).split('\n')[1]).toBe('alpha  127.0.2.1:8301  alive   build=0.1.0:abc,dc=dc1,id=x,role=consul,vsn=2');
  });
});

describe('catalog output', () => {
  const node: Node = { ID: '40e4a748-2192-161a-0510-9bf59fe950b5', Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: { wan: '1.2.3.4', lan: '10.0.0.1' }, Meta: { rack: 'r1' }, CreateIndex: 1, ModifyIndex: 1 };
  it('shortens node IDs to their first group', () => {
    expect(formatNodes([node], false).split('\n')).toEqual(['Node  ID        Address   DC', 'n1    40e4a748  10.0.0.1  dc1']);
  });
  it('shows tagged addresses and meta with -detailed', () => {
    expect(formatNodes([node], true).split('\n')[1]).toBe('n1    40e4a748-2192-161a-0510-9bf59fe950b5  10.0.0.1  dc1  lan=10.0.0.1, wan=1.2.3.4  rack=r1');
  });
  it('lists services sorted, with -tags in a tabwriter column', () => {
    const svcs = { web: ['v2', 'v1'], consul: [] };
    expect(formatServices(svcs, false)).toBe('consul\nweb');
    expect(formatServices(svcs, true)).toBe('consul      \nweb         v1,v2');
  });
});

describe('kv get -detailed', () => {
  it('prints the fields in Consul\'s order and layout', () => {
    const pair: KVPair = { LockIndex: 0, Key: 'redis/config/minconns', Flags: 0, Value: Buffer.from('1').toString('base64'), CreateIndex: 6, ModifyIndex: 6 };
    expect(new TextDecoder().decode(prettyKVPair(pair, false))).toBe(
      ['CreateIndex      6', 'Flags            0', 'Key              redis/config/minconns', 'LockIndex        0', 'ModifyIndex      6', 'Session          -', 'Value            1'].join('\n'),
    );
    expect(new TextDecoder().decode(prettyKVPair(pair, true)).endsWith('Value            MQ==')).toBe(true);
  });
});

describe('kv export', () => {
  it('writes Go\'s tab-indented JSON with exact uint64 flags', () => {
    expect(exportJson([{ key: 'a', flags: 3304740253564472344n, value: 'eA==' }])).toBe('[\n\t{\n\t\t"key": "a",\n\t\t"flags": 3304740253564472344,\n\t\t"value": "eA=="\n\t}\n]');
    expect(exportJson([])).toBe('[]');
  });
});

describe('info and raft output', () => {
  it('sorts sections and keys', () => {
    expect(formatStats({ raft: { state: 'Leader', applied_index: '5' }, agent: { checks: '0' } })).toEqual(['agent:', '\tchecks = 0', 'raft:', '\tapplied_index = 5', '\tstate = Leader']);
  });
  it('prints the list-peers table', () => {
    const out = formatPeers({ Index: 1, Servers: [{ ID: 'id1', Node: 'n1', Address: '127.0.2.1:8300', Leader: true, Voter: true, ProtocolVersion: '3' }] });
    expect(out.split('\n')).toEqual([
      'Node  ID   Address         State   Voter  RaftProtocol  Commit Index  Trails Leader By',
      'n1    id1  127.0.2.1:8300  leader  true   3             _',
    ]);
  });
  it('fills commit columns from autopilot health', () => {
    const conf = {
      Index: 1,
      Servers: [
        { ID: 'a', Node: 'n1', Address: '127.0.2.1:8300', Leader: true, Voter: true, ProtocolVersion: '3' },
        { ID: 'b', Node: 'n2', Address: '127.0.2.2:8300', Leader: false, Voter: true, ProtocolVersion: '3' },
        { ID: 'c', Node: 'n3', Address: '127.0.2.3:8300', Leader: false, Voter: false, ProtocolVersion: '3' },
      ],
    };
    const srv = (ID: string, LastIndex: number) => ({ ID, Name: ID, Address: '', SerfStatus: 'alive', Version: '', Leader: false, LastContact: '0s', LastTerm: 2, LastIndex, Healthy: true, Voter: true, StableSince: '' });
    const out = formatPeers(conf, { Healthy: true, FailureTolerance: 1, Servers: [srv('a', 100), srv('b', 99), srv('c', 90)] });
    expect(out.split('\n').slice(1)).toEqual([
      'n1    a   127.0.2.1:8300  leader    true   3             100           _',
      'n2    b   127.0.2.2:8300  follower  true   3             99            1 Commit',
      'n3    c   127.0.2.3:8300  follower  false  3             90            10 Commits',
    ]);
  });
});

describe('ACL output', () => {
  const token = { AccessorID: 'a', SecretID: 's', Description: 'd', Local: false, CreateTime: '2024-05-01T10:00:00.120Z', Hash: 'AAEC/w==', CreateIndex: 7, ModifyIndex: 9 };

  it('-format=json follows Go: api struct order, omitempty lists, trimmed time fraction, nil slices as null, HTML escapes', () => {
    expect(Object.keys(tokenJson(token))).toEqual(['CreateIndex', 'ModifyIndex', 'AccessorID', 'SecretID', 'Description', 'Local', 'CreateTime', 'Hash']);
    expect((tokenJson(token) as { CreateTime: string }).CreateTime).toBe('2024-05-01T10:00:00.12Z');
    expect((tokenJson({ ...token, CreateTime: '2024-05-01T10:00:00.000Z' }) as { CreateTime: string }).CreateTime).toBe('2024-05-01T10:00:00Z');
    expect(policyJson({ ID: 'p', Name: 'n', Description: '' })).toEqual({ ID: 'p', Name: 'n', Description: '', Rules: '', Datacenters: null, Hash: null, CreateIndex: 0, ModifyIndex: 0 });
    expect(goJson({ Rules: 'a < b && c > d' })).toBe('{\n    "Rules": "a \\u003c b \\u0026\\u0026 c \\u003e d"\n}');
  });

  it('-meta prints the hash in hex and the indexes; identities show their datacenters', () => {
    expect(tokenLines(token, true).slice(5)).toEqual(['Hash:             000102ff', 'Create Index:     7', 'Modify Index:     9']);
    expect(roleLines({ ID: 'r', Name: 'n', Description: '', ServiceIdentities: [{ ServiceName: 'web', Datacenters: ['dc1', 'dc2'] }, { ServiceName: 'db' }], NodeIdentities: [{ NodeName: 'n1', Datacenter: 'dc1' }] })).toEqual([
      'ID:           r',
      'Name:         n',
      'Description:  ',
      'Service Identities:',
      '   web (Datacenters: dc1, dc2)',
      '   db (Datacenters: all)',
      'Node Identities:',
      '   n1 (Datacenter: dc1)',
    ]);
  });
});

describe('goTimeString: Go\'s %v of a time.Time from the API', () => {
  it('prints the date, the time with the fraction trimmed, and the zone as Go does', () => {
    expect(goTimeString('2026-12-07T09:16:54.813Z')).toBe('2026-12-07 09:16:54.813 +0000 UTC');
    expect(goTimeString('2026-12-07T09:16:54.810000Z')).toBe('2026-12-07 09:16:54.81 +0000 UTC');
    expect(goTimeString('2026-12-07T09:16:54.000Z')).toBe('2026-12-07 09:16:54 +0000 UTC');
    expect(goTimeString('2026-12-07T09:16:54Z')).toBe('2026-12-07 09:16:54 +0000 UTC');
    expect(goTimeString('2019-04-25T14:36:51.279616-04:00')).toBe('2019-04-25 14:36:51.279616 -0400 -0400');
    expect(goTimeString('not a time')).toBe('not a time');
  });
});
