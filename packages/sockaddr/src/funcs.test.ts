import { describe, expect, it } from 'vitest';
import { FLAG, ifAddrText, type IfAddr } from './ifaddrs.js';
import * as fns from './funcs.js';
import { addressText, parseIPAddr, sockText } from './ip.js';

/** An IfAddr as go-sockaddr's tests build them: an address, and a zero net.Interface unless given. */
function ifa(addr: string, name = '', flags = 0): IfAddr {
  return { addr: parseIPAddr(addr), name, index: 0, mtu: 0, mac: '', flags };
}

const env = (all: IfAddr[], defaultInterface?: string): fns.SockaddrEnv => ({ all: () => all, defaultInterface: () => defaultInterface });
const texts = (list: readonly IfAddr[]): string[] => list.map((a) => sockText(a.addr));

// Cases from go-sockaddr's ifaddrs_test.go: each input has one address that the flag must match.
describe('flags (TestFilterIfByFlags)', () => {
  const cases: Array<[string, IfAddr]> = [
    ['broadcast', ifa('1.2.3.1', '', FLAG.broadcast)],
    ['down', ifa('1.2.3.2')],
    ['forwardable', ifa('1.2.3.3')],
    ['forwardable', ifa('cc::1/128')],
    ['global unicast', ifa('cc::2')],
    ['interface-local multicast', ifa('ff01::2')],
    ['link-local multicast', ifa('ff02::3')],
    ['link-local unicast', ifa('169.254.1.101')],
    ['link-local unicast', ifa('fe80::3')],
    ['loopback', ifa('127.0.0.1', '', FLAG.loopback)],
    ['loopback', ifa('::1', '', FLAG.loopback)],
    ['multicast', ifa('224.0.0.1', '', FLAG.multicast)],
    ['multicast', ifa('ff05::3', '', FLAG.multicast)],
    ['point-to-point', ifa('cc::3', '', FLAG.pointtopoint)],
    ['unspecified', ifa('::')],
    ['up', ifa('cc::3', '', FLAG.up)],
  ];
  it.each(cases)('%s matches %o', (flag, addr) => {
    expect(fns.include('flags', flag, [addr])).toHaveLength(1);
    expect(fns.exclude('flags', flag, [addr])).toHaveLength(0);
  });

  it('refuses an unknown flag', () => {
    expect(() => fns.include('flags', 'foo', [ifa('cc::3')])).toThrow('unknown interface flag: "foo"');
  });

  it('requires interface flags together, and any address property', () => {
    const list = [ifa('10.0.0.1', 'a', FLAG.up | FLAG.broadcast), ifa('10.0.0.2', 'b', FLAG.up), ifa('127.0.0.1', 'c', 0)];
    expect(fns.include('flags', 'up|broadcast', list).map((a) => a.name)).toEqual(['a']);
    // "forwardable|up" matches when either holds, as go-sockaddr's IfByFlag does.
    expect(fns.include('flags', 'forwardable|up', list).map((a) => a.name)).toEqual(['a', 'b']);
    // The `loopback` flag or a loopback address.
    expect(fns.include('flags', 'loopback', list).map((a) => a.name)).toEqual(['c']);
  });
});

describe('include / exclude (TestIncludeExcludeIfs)', () => {
  const cases: Array<{ name: string; list: IfAddr[]; sel: string; inc: string; incN: number; exc: string; excN: number }> = [
    { name: 'address', list: [ifa('1.2.3.4'), ifa('2.3.4.5'), ifa('3.4.5.6')], sel: 'address', inc: '^1\\.2\\.3\\.', incN: 1, exc: '^1\\..*\\.4$', excN: 2 },
    {
      name: 'flag',
      list: [ifa('::', '', FLAG.up | FLAG.loopback), ifa('::', '', FLAG.loopback), ifa('::', '', FLAG.multicast)],
      sel: 'flags',
      inc: 'loopback',
      incN: 2,
      exc: 'up|loopback',
      excN: 2,
    },
    { name: 'name', list: [ifa('::', 'abc0'), ifa('::', 'xyz0'), ifa('::', 'docker666')], sel: 'name', inc: '^([a-z]+)0$', incN: 2, exc: '^docker[\\d]+$', excN: 2 },
    { name: 'network', list: [ifa('10.2.3.4/24'), ifa('10.255.255.4/24'), ifa('::1')], sel: 'network', inc: '::/127', incN: 1, exc: '10.0.0.0/8', excN: 1 },
    { name: 'port', list: [ifa('1.2.3.4:8600'), ifa('2.3.4.5:4646'), ifa('3.4.5.6:4647')], sel: 'port', inc: '^46[\\d]{2}$', incN: 2, exc: '0$', excN: 2 },
    { name: 'rfc', list: [ifa('10.2.3.4/24'), ifa('::1/127'), ifa('::/127'), ifa('203.0.113.0/24')], sel: 'rfc', inc: '3330', incN: 1, exc: '6890', excN: 2 },
    { name: 'rfc IPv4 exclude', list: [ifa('192.169.1.1')], sel: 'rfc', inc: '1918', incN: 0, exc: '1918', excN: 1 },
    { name: 'rfc IPv4 include', list: [ifa('192.168.1.1')], sel: 'rfc', inc: '1918', incN: 1, exc: '1918', excN: 0 },
    { name: 'rfc IPv4 excluded RFCs', list: [ifa('192.168.1.1')], sel: 'rfc', inc: '4291', incN: 0, exc: '4291', excN: 1 },
    { name: 'rfc IPv6 exclude', list: [ifa('cc::1/127')], sel: 'rfc', inc: '4291', incN: 0, exc: '4291', excN: 1 },
    { name: 'rfc IPv6 include', list: [ifa('::1/127')], sel: 'rfc', inc: '4291', incN: 1, exc: '4291', excN: 0 },
    { name: 'rfc empty list', list: [], sel: 'rfc', inc: '1918', incN: 0, exc: '4291', excN: 0 },
    { name: 'size', list: [ifa('10.2.3.4/24'), ifa('203.0.113.0/24'), ifa('::1/24')], sel: 'size', inc: '24', incN: 3, exc: '24', excN: 0 },
    { name: 'type', list: [ifa('10.2.3.4/24'), ifa('203.0.113.0/24'), ifa('::1/127')], sel: 'type', inc: 'ipv4', incN: 2, exc: 'ipv6', excN: 2 },
  ];
  it.each(cases)('$name', (c) => {
    expect(fns.include(c.sel, c.inc, c.list)).toHaveLength(c.incN);
    expect(fns.exclude(c.sel, c.exc, c.list)).toHaveLength(c.excN);
  });

  const failures: Array<[string, string, string]> = [
    ['address', '[', 'unable to compile address regexp "[": '],
    ['name', '*', 'unable to compile name regexp "*": '],
    ['port', '[', 'unable to compile port regexp "[": '],
    ['rfc', 'rfcOneTwoThree', 'unable to lookup RFC number "rfcOneTwoThree": unable to parse RFC number "rfcOneTwoThree": strconv.ParseUint: parsing "rfcOneTwoThree": invalid syntax'],
    ['rfc', '99999999999999', 'unable to lookup RFC number "99999999999999": unsupported RFC 99999999999999'],
    ['size', '-1', 'invalid exclude size argument ("-1"): strconv.ParseUint: parsing "-1": invalid syntax'],
    ['size', '33', 'mask size out of bounds for IPv4 address: 33'],
    ['type', '[', 'unsupported type "[" "["'],
    ['network', '[:]', 'unable to create an IP address from "[:]": invalid IPAddr [:]'],
    ['foo', 'bar', 'invalid include selector "foo"'],
  ];
  it.each(failures)('%s %s fails', (sel, param, message) => {
    expect(() => fns.include(sel, param, [ifa('10.2.3.4/24'), ifa('::1/128')])).toThrow(message);
  });
  it('names the right function in an unknown-selector error', () => {
    expect(() => fns.exclude('foo', 'bar', [])).toThrow('invalid exclude selector "foo"');
  });

  it('keeps go-sockaddr\'s per-alternative results for | lists', () => {
    const list = [ifa('10.0.0.1'), ifa('192.168.0.1'), ifa('8.8.8.8')];
    // Each network is applied to the whole list: an address outside either one is "excluded".
    expect(texts(fns.exclude('network', '10.0.0.0/8|192.168.0.0/16', list))).toEqual(['192.168.0.1', '8.8.8.8', '10.0.0.1', '8.8.8.8']);
    expect(texts(fns.include('network', '10.0.0.0/8|192.168.0.0/16', list))).toEqual(['10.0.0.1', '192.168.0.1']);
    expect(texts(fns.include('rfc', '1918|6890', list))).toEqual(['10.0.0.1', '192.168.0.1', '10.0.0.1', '192.168.0.1']);
    expect(texts(fns.include('type', 'IPv4|IPv6', [ifa('10.0.0.1'), ifa('::1')]))).toEqual(['10.0.0.1', '::1']);
    expect(texts(fns.exclude('type', 'IPv4|IPv6', [ifa('10.0.0.1'), ifa('::1')]))).toEqual(['10.0.0.1', '::1']);
    // `down` clears a bit of an empty mask: it matches everything.
    expect(fns.include('flags', 'down', [ifa('10.0.0.1', 'x', FLAG.up)])).toHaveLength(1);
  });
});

// TestSortIfBy (the `default` cases need a host; here the default interface is injected).
describe('sort (TestSortIfBy)', () => {
  const cases: Array<[string, IfAddr[], IfAddr[]]> = [
    ['address', [ifa('1.2.3.4'), ifa('1.2.3.3')], [ifa('1.2.3.3'), ifa('1.2.3.4')]],
    ['+address', [ifa('1.2.3.4'), ifa('1.2.3.3')], [ifa('1.2.3.3'), ifa('1.2.3.4')]],
    ['-address', [ifa('1.2.3.3'), ifa('1.2.3.4')], [ifa('1.2.3.4'), ifa('1.2.3.3')]],
    ['default', [ifa('1.2.3.4', 'en0'), ifa('1.2.3.3', 'other0')], [ifa('1.2.3.4', 'en0'), ifa('1.2.3.3', 'other0')]],
    ['+default', [ifa('1.2.3.4', 'other0'), ifa('1.2.3.3', 'en0')], [ifa('1.2.3.3', 'en0'), ifa('1.2.3.4', 'other0')]],
    ['-default', [ifa('1.2.3.3', 'en0'), ifa('1.2.3.4', 'other0')], [ifa('1.2.3.4', 'other0'), ifa('1.2.3.3', 'en0')]],
    ['name', [ifa('::', 'foo'), ifa('::', 'bar')], [ifa('::', 'bar'), ifa('::', 'foo')]],
    ['+name', [ifa('::', 'foo'), ifa('::', 'bar')], [ifa('::', 'bar'), ifa('::', 'foo')]],
    ['-name', [ifa('::', 'bar'), ifa('::', 'foo')], [ifa('::', 'foo'), ifa('::', 'bar')]],
    ['port', [ifa('1.2.3.4:80'), ifa('[::1]:53')], [ifa('[::1]:53'), ifa('1.2.3.4:80')]],
    ['+port', [ifa('1.2.3.4:80'), ifa('[::1]:53')], [ifa('[::1]:53'), ifa('1.2.3.4:80')]],
    ['-port', [ifa('[::1]:53'), ifa('1.2.3.4:80')], [ifa('1.2.3.4:80'), ifa('[::1]:53')]],
    ['private', [ifa('1.2.3.4:80'), ifa('192.168.1.1')], [ifa('192.168.1.1'), ifa('1.2.3.4:80')]],
    ['+private', [ifa('1.2.3.4:80'), ifa('192.168.1.1')], [ifa('192.168.1.1'), ifa('1.2.3.4:80')]],
    ['-private', [ifa('192.168.1.1'), ifa('1.2.3.4:80')], [ifa('1.2.3.4:80'), ifa('192.168.1.1')]],
    ['size', [ifa('192.168.1.1/27'), ifa('1.2.3.4:80')], [ifa('192.168.1.1/27'), ifa('1.2.3.4:80')]],
    ['+size', [ifa('192.168.1.1/27'), ifa('1.2.3.4:80')], [ifa('192.168.1.1/27'), ifa('1.2.3.4:80')]],
    ['-size', [ifa('192.168.1.1/27'), ifa('1.2.3.4:80')], [ifa('1.2.3.4:80'), ifa('192.168.1.1/27')]],
    ['type', [ifa('::1'), ifa('192.168.1.1/27')], [ifa('192.168.1.1/27'), ifa('::1')]],
    ['+type', [ifa('::1'), ifa('192.168.1.1/27')], [ifa('192.168.1.1/27'), ifa('::1')]],
    ['-type', [ifa('::1'), ifa('1.2.3.4:80')], [ifa('::1'), ifa('1.2.3.4:80')]],
  ];
  it.each(cases)('%s', (key, input, output) => {
    expect(fns.sortBy(key, input, env(input, 'en0'))).toEqual(output);
  });

  it('sorts by comma-separated keys and refuses unknown ones', () => {
    const list = [ifa('10.0.0.2/24', 'b'), ifa('::1', 'a'), ifa('10.0.0.1/16', 'b'), ifa('10.0.0.3/24', 'a')];
    expect(texts(fns.sortBy('type,size,-address', list, env(list)))).toEqual(['10.0.0.1/16', '10.0.0.3/24', '10.0.0.2/24', '::1']);
    expect(texts(fns.sortBy(' Name , -TYPE', list, env(list)))).toEqual(['::1', '10.0.0.3/24', '10.0.0.2/24', '10.0.0.1/16']);
    expect(() => fns.sortBy('ENOENT', list, env(list))).toThrow('unknown sort type: "ENOENT"');
  });

  it('leaves the order to the next key without a default route', () => {
    const list = [ifa('1.2.3.4', 'other0'), ifa('1.2.3.3', 'en0')];
    expect(fns.sortBy('default', list, env(list))).toEqual(list);
  });
});

describe('unique, join, limit, offset, attr (TestUniqueIfAddrsBy, TestJoinIfAddrsBy, TestLimitOffset)', () => {
  it('unique', () => {
    const byAddress = fns.unique('address', [ifa('203.0.113.0/24', 'abc0'), ifa('203.0.113.0/24', 'abc0'), ifa('10.2.3.4', 'foo1')]);
    expect(byAddress.map(ifAddrText)).toEqual(['203.0.113.0/24 {0 0 abc0  0}', '10.2.3.4 {0 0 foo1  0}']);
    const byName = fns.unique('name', [ifa('::1', 'lo0'), ifa('fe80::1', 'lo0'), ifa('127.0.0.1', 'foo1')]);
    expect(byName.map(ifAddrText)).toEqual(['::1 {0 0 lo0  0}', '127.0.0.1 {0 0 foo1  0}']);
    expect(() => fns.unique('goozfraba', [ifa('::1')])).toThrow('unsupported unique constraint "goozfraba"');
  });

  it('join', () => {
    expect(fns.joinAttrs('address', ' ', [ifa('203.0.113.0/24', 'abc0'), ifa('203.0.113.1', 'abc0'), ifa('10.2.3.4', 'foo1')])).toBe(
      '203.0.113.0 203.0.113.1 10.2.3.4',
    );
    expect(fns.joinAttrs('name', '-/-', [ifa('::1', 'lo0'), ifa('fe80::1', 'foo0'), ifa('127.0.0.1', 'bar2')])).toBe('lo0-/-foo0-/-bar2');
    expect(() => fns.joinAttrs('goozfraba', ' ', [ifa('127.0.0.1', 'bar2')])).toThrow('unsupported attribute name "goozfraba"');
  });

  it('limit and offset', () => {
    const list = ['203.0.113.0/24', '203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map((a) => ifa(a));
    expect(texts(fns.limit(2n, fns.offset(1n, list)))).toEqual(['203.0.113.1', '203.0.113.2']);
    expect(texts(fns.limit(2n, fns.offset(-3n, list)))).toEqual(['203.0.113.2', '203.0.113.3']);
    expect(texts(fns.limit(100n, fns.offset(3n, list)))).toEqual(['203.0.113.3', '203.0.113.4']);
    expect(fns.offset(5n, list)).toEqual([]);
    expect(() => fns.offset(-6n, list)).toThrow(
      'unable to seek past the end of the interface array: offset (6) exceeds the number of interfaces (5)',
    );
  });

  it('attr: the first element, name and flags from the interface', () => {
    expect(fns.attrOf('name', [ifa('::1', 'abc0')])).toBe('abc0');
    expect(fns.attrOf('name', [])).toBe('');
    expect(fns.attrOf('FLAGS', [ifa('::1', 'lo', FLAG.up | FLAG.loopback | FLAG.running)])).toBe('up|loopback|running');
    expect(fns.attrOf('flags', [ifa('::1', 'lo')])).toBe('0');
    expect(fns.attrOf('Address', [ifa('10.0.0.1/8'), ifa('10.0.0.2/8')])).toBe('10.0.0.1');
  });

  it('math on every address, failing as a whole', () => {
    expect(texts(fns.math('address', '+1', [ifa('10.0.0.1/8'), ifa('::1')]))).toEqual(['10.0.0.2/8', '::2']);
    expect(() => fns.math('address', '1', [ifa('10.0.0.1/8', 'eth0')])).toThrow(
      'unable to perform an IPMath operation on 10.0.0.1/8 {0 0 eth0  0}: sign (+/-) is required for operation "address"',
    );
  });
});

describe('source functions', () => {
  const UP = FLAG.up | FLAG.running;
  const host = [
    ifa('127.0.0.1/8', 'lo', UP | FLAG.loopback),
    ifa('::1', 'lo', UP | FLAG.loopback),
    ifa('192.0.2.2/24', 'eth0', UP | FLAG.broadcast), // TEST-NET-1: in RFC 6890, not forwardable
    ifa('fd00::2/64', 'eth0', UP | FLAG.broadcast),
    ifa('fe80::1/64', 'eth0', UP | FLAG.broadcast),
    ifa('203.0.114.7/24', 'eth1', UP),
    ifa('10.1.2.3/16', 'eth1', UP),
    ifa('10.9.0.1/8', 'eth1', UP),
    ifa('172.17.0.1/16', 'docker0', FLAG.up), // up, not running
    ifa('192.168.7.7/24', 'wlan0', 0), // down
  ];
  const e = env(host, 'eth1');

  it('private and public interfaces: forwardable, up, default interface first, IPv4 first, larger networks first', () => {
    expect(texts(fns.getPrivateInterfaces(e))).toEqual(['10.9.0.1/8', '10.1.2.3/16', '172.17.0.1/16', 'fd00::2/64']);
    expect(texts(fns.getPublicInterfaces(e))).toEqual(['203.0.114.7/24']);
    expect(fns.getPrivateIP(e)).toBe('10.9.0.1');
    expect(fns.getPublicIP(e)).toBe('203.0.114.7');
    expect(fns.getPrivateIP(env(host))).toBe('10.9.0.1'); // no default route: type, then size
    expect(fns.getPrivateIP(env([host[0] as IfAddr]))).toBe('');
  });

  it('private and public IP lists: any interface, up or down', () => {
    expect(fns.getPrivateIPs(e)).toBe('10.9.0.1 10.1.2.3 172.17.0.1 192.168.7.7 fd00::2');
    expect(fns.getPublicIPs(e)).toBe('203.0.114.7');
  });

  it('interface IPs: the name is a regexp; GetInterfaceIP takes the first forwardable address', () => {
    expect(fns.getInterfaceIP('eth0', e)).toBe('fd00::2');
    expect(fns.getInterfaceIPs('eth0', e)).toBe('192.0.2.2 fd00::2 fe80::1');
    expect(fns.getInterfaceIP('eth1', e)).toBe('10.9.0.1');
    expect(fns.getInterfaceIP('^eth', e)).toBe('10.9.0.1');
    expect(fns.getInterfaceIP('lo', e)).toBe('');
    expect(fns.getInterfaceIPs('lo', e)).toBe('127.0.0.1 ::1');
    expect(fns.getInterfaceIP('nothing', e)).toBe('');
    expect(() => fns.getInterfaceIP('[', e)).toThrow('unable to compile name regexp "["');
  });

  it('default interfaces need a default route', () => {
    expect(fns.getDefaultInterfaces(e).map((a) => addressText(a.addr))).toEqual(['203.0.114.7', '10.1.2.3', '10.9.0.1']);
    expect(() => fns.getDefaultInterfaces(env(host))).toThrow('no default interface found');
  });
});
