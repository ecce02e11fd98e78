import { describe, expect, it } from 'vitest';
import { aliasHealth, type AliasedCheck } from './alias.js';

const chk = (Name: string, Status: string, ServiceID = '', Node = 'n1', Output = ''): AliasedCheck => ({ Node, Name, Status, Output, ServiceID });

describe("alias health (Consul's processChecks)", () => {
  const t = { node: 'n1', serviceId: 'web' };
  it('is the worst of the instance and node checks, ignoring other services and nodes', () => {
    expect(aliasHealth(t, [chk('a', 'passing', 'web'), chk('node', 'passing')], () => true)).toEqual({ status: 'passing', output: 'All checks passing.' });
    expect(aliasHealth(t, [chk('a', 'warning', 'web', 'n1', 'slow'), chk('b', 'passing', 'web')], () => true)).toEqual({ status: 'warning', output: 'Aliased check "a" failing: slow' });
    expect(aliasHealth(t, [chk('a', 'warning', 'web'), chk('node', 'critical', '', 'n1', 'down')], () => true)).toEqual({ status: 'critical', output: 'Aliased check "node" failing: down' });
    expect(aliasHealth(t, [chk('x', 'critical', 'other'), chk('y', 'critical', 'web', 'n2'), chk('a', 'passing', 'web')], () => true).status).toBe('passing');
  });
  it('has no checks found, or a missing instance as critical', () => {
    expect(aliasHealth(t, [], () => true)).toEqual({ status: 'passing', output: 'No checks found.' });
    expect(aliasHealth(t, [], () => false)).toEqual({ status: 'critical', output: 'Service web could not be found on node n1' });
  });
});
