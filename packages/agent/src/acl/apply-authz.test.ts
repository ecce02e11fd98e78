import { Catalog, type Command } from '@proconsul/catalog';
import { describe, expect, it } from 'vitest';
import { vetClientCommand } from './apply-authz.js';
import { Authorizer } from './authorizer.js';
import { parseRules } from './rules.js';

const catalog = new Catalog({ datacenter: 'dc1' });
catalog.apply(1, { Type: 'Register', Node: 'c1', Address: '10.0.0.1', Service: { ID: 'web1', Service: 'web', Port: 80 }, Check: { CheckID: 'web-check', Name: 'w', ServiceID: 'web1' } });
const token = (rules: string) => new Authorizer(parseRules(rules), 'deny');
const vet = (cmd: Command, rules: string) => vetClientCommand(cmd, token(rules), catalog);

describe('vetClientCommand (a client agent\'s own writes)', () => {
  const serviceSync: Command = { Type: 'Register', Node: 'c1', SkipNodeUpdate: true, Service: { ID: 'web1', Service: 'web', Port: 81 }, Checks: [{ CheckID: 'web-check', ServiceID: 'web1' }] };

  it('lets a service token sync its service and checks onto an existing node', () => {
    expect(vet(serviceSync, 'service "web" { policy = "write" }')).toBeUndefined();
    expect(vet(serviceSync, 'service "db" { policy = "write" }')).toEqual({ resource: 'service', need: 'write', name: 'web' });
  });

  it('needs node:write for node info, and for a service on a node not in the catalog', () => {
    const nodeInfo: Command = { Type: 'Register', Node: 'c1', Address: '10.0.0.1', NodeMeta: { a: 'b' } };
    expect(vet(nodeInfo, 'service_prefix "" { policy = "write" }')).toEqual({ resource: 'node', need: 'write', name: 'c1' });
    expect(vet(nodeInfo, 'node "c1" { policy = "write" }')).toBeUndefined();
    expect(vet({ ...serviceSync, Node: 'c2' } as Command, 'service "web" { policy = "write" }')).toEqual({ resource: 'node', need: 'write', name: 'c2' });
  });

  it('needs write on the old name when a service ID changes name, and node:write for a node check', () => {
    const rename: Command = { Type: 'Register', Node: 'c1', SkipNodeUpdate: true, Service: { ID: 'web1', Service: 'api', Port: 80 } };
    expect(vet(rename, 'service "api" { policy = "write" }')).toEqual({ resource: 'service', need: 'write', name: 'web' });
    const nodeCheck: Command = { Type: 'Register', Node: 'c1', SkipNodeUpdate: true, Check: { CheckID: 'mem', Name: 'mem' } };
    expect(vet(nodeCheck, 'service_prefix "" { policy = "write" }')).toEqual({ resource: 'node', need: 'write', name: 'c1' });
  });

  it('deregisters with node:write, or with service:write on what goes', () => {
    const dereg: Command = { Type: 'Deregister', Node: 'c1', ServiceID: 'web1' };
    expect(vet(dereg, 'node "c1" { policy = "write" }')).toBeUndefined();
    expect(vet(dereg, 'service "web" { policy = "write" }')).toBeUndefined();
    expect(vet(dereg, 'service "db" { policy = "write" }')).toEqual({ resource: 'service', need: 'write', name: 'web' });
    expect(vet({ Type: 'Deregister', Node: 'c1', CheckID: 'web-check' }, 'service "web" { policy = "write" }')).toBeUndefined();
    expect(vet({ Type: 'Deregister', Node: 'c1' }, 'service "web" { policy = "write" }')).toEqual({ resource: 'node', need: 'write', name: 'c1' });
  });

  it('refuses every other command, even with broad rules; management passes', () => {
    const kv: Command = { Type: 'KV', Verb: 'set', Key: 'a', Value: 'eA==' };
    expect(vet(kv, 'key_prefix "" { policy = "write" }\nnode_prefix "" { policy = "write" }')).toEqual({ resource: 'acl', need: 'write' });
    expect(vetClientCommand(kv, Authorizer.manageAll(), catalog)).toBeUndefined();
  });
});
