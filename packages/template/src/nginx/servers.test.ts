import { describe, expect, it } from 'vitest';
import { AgentWeights, ServiceTags } from '../consul/data.js';
import { NO_INSTANCE, serverLine, upstreamServers } from './servers.js';

const inst = (o: { Address?: string; Port?: number; Tags?: string[]; Meta?: Record<string, string>; Passing?: number; ID?: string } = {}) => ({
  ID: o.ID ?? 'web-1',
  Address: o.Address ?? '172.20.0.3',
  Port: o.Port ?? 80,
  Tags: ServiceTags.from_(o.Tags ?? []),
  ServiceMeta: o.Meta ?? {},
  Weights: new AgentWeights(o.Passing ?? 1, 1),
});

describe('serverLine', () => {
  it('is address:port with no parameters by default', () => {
    expect(serverLine(inst())).toEqual({ line: '172.20.0.3:80', rejected: [] });
  });

  it('takes backup/down from tags or meta and weights from meta, else Weights.Passing', () => {
    expect(serverLine(inst({ Tags: ['backup'] }))!.line).toBe('172.20.0.3:80 backup');
    expect(serverLine(inst({ Meta: { nginx_down: 'true' } }))!.line).toBe('172.20.0.3:80 down');
    expect(serverLine(inst({ Passing: 5 }))!.line).toBe('172.20.0.3:80 weight=5');
    expect(serverLine(inst({ Passing: 5, Meta: { nginx_weight: '2', nginx_max_fails: '3', nginx_fail_timeout: '10s', nginx_max_conns: '100' } }))!.line)
      .toBe('172.20.0.3:80 weight=2 max_fails=3 fail_timeout=10s max_conns=100');
  });

  it('leaves out a value nginx would not accept (nothing can be injected into the file)', () => {
    expect(serverLine(inst({ Meta: { nginx_weight: '0', nginx_fail_timeout: '1s; return 200' } }))).toEqual({
      line: '172.20.0.3:80',
      rejected: ['nginx_weight="0"', 'nginx_fail_timeout="1s; return 200"'],
    });
    expect(serverLine(inst({ Address: 'a;b' }))).toBeUndefined();
    expect(serverLine(inst({ Port: 0 }))).toBeUndefined();
    expect(serverLine(inst({ Address: 'fd00::3' }))!.line).toBe('[fd00::3]:80');
  });
});

describe('upstreamServers', () => {
  it('sorts, de-duplicates, and reports what it skipped', () => {
    const skipped: string[] = [];
    const lines = upstreamServers([inst({ Address: '172.20.0.9' }), inst({ Address: 'bad addr', ID: 'x' }), inst(), inst({ ID: 'web-2' })] as never, (w) => skipped.push(w));
    expect(lines).toEqual(['172.20.0.3:80', '172.20.0.9:80']);
    expect(skipped).toEqual(['instance "x": address "bad addr" port 80 cannot be written as an nginx server']);
  });

  it('serves backups as primaries when no primary is left (nginx refuses an upstream of backups only)', () => {
    expect(upstreamServers([inst({ Tags: ['backup'] }), inst({ Address: '172.20.0.9', Meta: { nginx_weight: '2' } })] as never, () => undefined))
      .toEqual(['172.20.0.3:80 backup', '172.20.0.9:80 weight=2']);
    expect(upstreamServers([inst({ Tags: ['backup'], Meta: { nginx_max_fails: '2' } })] as never, () => undefined)).toEqual(['172.20.0.3:80 max_fails=2']);
  });

  it('is one server marked down when there is no instance (nginx refuses an empty upstream)', () => {
    expect(upstreamServers([], () => undefined)).toEqual([NO_INSTANCE]);
  });
});
