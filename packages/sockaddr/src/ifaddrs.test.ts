import { existsSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  collectIfAddrs,
  FLAG,
  flagsText,
  ifAddrText,
  LINUX_READERS,
  linuxLinkFlags,
  parseProcNetRoute,
  readLinuxDefaultInterface,
  readLinuxLink,
  type Interfaces,
} from './ifaddrs.js';
import { getInterfaceIP, getInterfaceIPs, getPrivateIP, getPrivateIPs } from './funcs.js';
import { sockaddrEnv } from './template.js';

type Info = NonNullable<Interfaces[string]>[number];
interface Extra {
  internal?: boolean;
  mac?: string;
  netmask?: string;
  cidr?: string | null;
  scopeid?: number;
}
const v4 = (address: string, prefix: number, extra: Omit<Extra, 'scopeid'> = {}): Info => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '02:00:00:00:00:01',
  internal: false,
  cidr: `${address}/${prefix}`,
  ...extra,
});
const v6 = (address: string, prefix: number, extra: Extra = {}): Info => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac: '02:00:00:00:00:01',
  internal: false,
  cidr: `${address}/${prefix}`,
  scopeid: 0,
  ...extra,
});

describe('Linux link flags', () => {
  it('maps sysfs IFF_* bits to Go net.Flags, with running from operstate', () => {
    expect(flagsText(linuxLinkFlags('0x1003\n', 'up\n'))).toBe('up|broadcast|multicast|running');
    expect(flagsText(linuxLinkFlags('0x1003', 'down'))).toBe('up|broadcast|multicast'); // no carrier
    expect(flagsText(linuxLinkFlags('0x9', 'unknown'))).toBe('up|loopback|running'); // lo
    expect(flagsText(linuxLinkFlags('0x1091', 'unknown'))).toBe('up|pointtopoint|multicast|running'); // tun (IFF_NOARP too)
    expect(flagsText(linuxLinkFlags('0x82', 'down'))).toBe('broadcast'); // an ifb that is down
    expect(linuxLinkFlags('garbage', 'up')).toBe(0);
  });

  it('reads /sys/class/net/<name> through an injectable reader', () => {
    const files: Record<string, string> = {
      '/sys/class/net/eth0/flags': '0x1003\n',
      '/sys/class/net/eth0/operstate': 'up\n',
      '/sys/class/net/eth0/ifindex': '4\n',
      '/sys/class/net/eth0/mtu': '1400\n',
    };
    const read = (path: string): string | undefined => files[path];
    expect(readLinuxLink('eth0', read)).toEqual({ flags: FLAG.up | FLAG.broadcast | FLAG.multicast | FLAG.running, index: 4, mtu: 1400 });
    expect(readLinuxLink('eth1', read)).toBeUndefined();
    expect(readLinuxLink('../../etc', read)).toBeUndefined();
  });
});

describe('default route', () => {
  const ROUTE = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
    'wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0', // "default dev wg0": no gateway, which go-sockaddr skips
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
  ].join('\n');

  it('is the first up route to 0.0.0.0/0 through a gateway (`default via ... dev NAME`)', () => {
    expect(parseProcNetRoute(ROUTE)).toBe('eth0');
    expect(parseProcNetRoute(ROUTE.split('\n').filter((l) => !l.startsWith('eth0')).join('\n'))).toBe('wlan0');
    expect(parseProcNetRoute(ROUTE.split('\n').slice(0, 3).join('\n'))).toBeUndefined();
    expect(parseProcNetRoute('')).toBeUndefined();
    expect(readLinuxDefaultInterface(() => undefined)).toBeUndefined();
    expect(readLinuxDefaultInterface(() => ROUTE)).toBe('eth0');
  });
});

describe('collectIfAddrs', () => {
  const interfaces: Interfaces = {
    lo: [
      v4('127.0.0.1', 8, { internal: true, mac: '00:00:00:00:00:00', netmask: '255.0.0.0' }),
      v6('::1', 128, { internal: true, mac: '00:00:00:00:00:00' }),
    ],
    eth0: [v4('10.1.2.3', 24), v6('fe80::1', 64, { scopeid: 2 })],
    'eth0:1': [v4('10.1.2.4', 24)],
    docker0: [v4('172.17.0.1', 16, { cidr: null, netmask: '255.255.0.0' })],
  };

  it('without link facts: up and running, loopback from `internal`, Node order', () => {
    const list = collectIfAddrs({ interfaces });
    expect(list.map(ifAddrText)).toEqual([
      '127.0.0.1/8 {0 0 lo  up|loopback|running}',
      '::1 {0 0 lo  up|loopback|running}',
      '10.1.2.3/24 {0 0 eth0 02:00:00:00:00:01 up|running}',
      'fe80::1/64 {0 0 eth0 02:00:00:00:00:01 up|running}',
      '10.1.2.4/24 {0 0 eth0:1 02:00:00:00:00:01 up|running}',
      '172.17.0.1/16 {0 0 docker0 02:00:00:00:00:01 up|running}',
    ]);
  });

  it('with link facts: Go flags, index order, an alias under its link name', () => {
    const facts: Record<string, { flags: number; index: number; mtu: number }> = {
      lo: { flags: FLAG.up | FLAG.loopback | FLAG.running, index: 1, mtu: 65536 },
      eth0: { flags: FLAG.up | FLAG.broadcast | FLAG.multicast | FLAG.running, index: 4, mtu: 1500 },
      docker0: { flags: FLAG.up | FLAG.broadcast | FLAG.multicast, index: 3, mtu: 1500 },
    };
    const list = collectIfAddrs({ interfaces, link: (name) => facts[name] });
    expect(list.map(ifAddrText)).toEqual([
      '127.0.0.1/8 {1 65536 lo  up|loopback|running}',
      '::1 {1 65536 lo  up|loopback|running}',
      '172.17.0.1/16 {3 1500 docker0 02:00:00:00:00:01 up|broadcast|multicast}',
      '10.1.2.3/24 {4 1500 eth0 02:00:00:00:00:01 up|broadcast|multicast|running}',
      'fe80::1/64 {4 1500 eth0 02:00:00:00:00:01 up|broadcast|multicast|running}',
      '10.1.2.4/24 {4 1500 eth0 02:00:00:00:00:01 up|broadcast|multicast|running}',
    ]);
  });

  it('skips what it cannot read as an address', () => {
    const odd: Interfaces = { x: [v4('not-an-ip', 24), v6('fe80::9%eth9', 64)], y: undefined };
    expect(collectIfAddrs({ interfaces: odd }).map(ifAddrText)).toEqual(['fe80::9/64 {0 0 x 02:00:00:00:00:01 up|running}']);
  });
});

// The one test that reads this machine: whatever its interfaces are, the readers must agree
// with Node's list and go-sockaddr's rules must hold on them.
describe('this host', () => {
  it('reads its interfaces, flags and default route', () => {
    const host = { interfaces: os.networkInterfaces(), ...LINUX_READERS };
    const list = collectIfAddrs(host);
    const env = sockaddrEnv(host);
    expect(list.length).toBeGreaterThan(0);
    const loopback = list.filter((a) => a.addr.type === 'IPv4' && a.addr.address >> 24n === 127n);
    expect(loopback.length).toBeGreaterThan(0);
    for (const a of loopback) expect(a.flags & (FLAG.up | FLAG.loopback)).toBe(FLAG.up | FLAG.loopback);
    expect(getInterfaceIP((loopback[0] as { name: string }).name, env)).toBe(''); // loopback is not forwardable
    expect(getInterfaceIPs(`^${(loopback[0] as { name: string }).name}$`, env).split(' ')).toContain('127.0.0.1');
    const privateIP = getPrivateIP(env);
    if (privateIP !== '') expect(getPrivateIPs(env).split(' ')).toContain(privateIP);
    if (existsSync('/sys/class/net')) {
      // Linux: every interface Node lists has an index, and the default route is on one of them.
      for (const a of list) expect(a.index).toBeGreaterThan(0);
      const route = LINUX_READERS.defaultInterface();
      if (route !== undefined) expect(list.some((a) => a.name === route)).toBe(true);
    }
  });
});
