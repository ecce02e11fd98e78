import { describe, expect, it } from 'vitest';
import { addressText, contains, ipAttr, ipMath, ipText, parseIPAddr, parseIPv6Network, sockText, SockaddrError } from './ip.js';
import { isForwardable, isRFC } from './rfc.js';

interface IPCase {
  input: string;
  pass: boolean;
  hex?: string;
  string?: string;
  address?: string;
  maskBits?: number;
  octets?: string;
  first?: string;
  last?: string;
  port?: number;
  broadcast?: string;
  rfc1918?: boolean;
  rfc6598?: boolean;
  rfc6890?: boolean;
}

// go-sockaddr's own tables (ipv4addr_test.go TestSockAddr_IPv4Addr, ipv6addr_test.go TestSockAddr_IPv6Addr).
const V4_CASES: IPCase[] = [
  { input: '0.0.0.0', pass: true, hex: '00000000', string: '0.0.0.0', address: '0.0.0.0', maskBits: 32, octets: '0 0 0 0', first: '0.0.0.0', last: '0.0.0.0', port: 0, broadcast: '0.0.0.0', rfc1918: false, rfc6598: false, rfc6890: true },
  { input: '0.0.0.0:80', pass: true, hex: '00000000', string: '0.0.0.0:80', address: '0.0.0.0', maskBits: 32, octets: '0 0 0 0', first: '0.0.0.0', last: '0.0.0.0', port: 80, broadcast: '0.0.0.0', rfc1918: false, rfc6598: false, rfc6890: true },
  { input: '0.0.0.0/0', pass: true, hex: '00000000', string: '0.0.0.0/0', address: '0.0.0.0', maskBits: 0, octets: '0 0 0 0', first: '0.0.0.1', last: '255.255.255.254', port: 0, broadcast: '255.255.255.255', rfc1918: false, rfc6598: false, rfc6890: false },
  { input: '0.0.0.1', pass: true, hex: '00000001', string: '0.0.0.1', address: '0.0.0.1', maskBits: 32, octets: '0 0 0 1', first: '0.0.0.1', last: '0.0.0.1', port: 0, broadcast: '0.0.0.1', rfc1918: false, rfc6598: false, rfc6890: true },
  { input: '0.0.0.1/1', pass: true, hex: '00000001', string: '0.0.0.1/1', address: '0.0.0.1', maskBits: 1, octets: '0 0 0 1', first: '0.0.0.1', last: '127.255.255.254', port: 0, broadcast: '127.255.255.255', rfc1918: false, rfc6598: false, rfc6890: false },
  { input: '1.2.3.4', pass: true, hex: '01020304', string: '1.2.3.4', address: '1.2.3.4', maskBits: 32, octets: '1 2 3 4', first: '1.2.3.4', last: '1.2.3.4', port: 0, broadcast: '1.2.3.4', rfc1918: false, rfc6598: false, rfc6890: false },
  { input: '10.0.0.0/8', pass: true, hex: '0a000000', string: '10.0.0.0/8', address: '10.0.0.0', maskBits: 8, octets: '10 0 0 0', first: '10.0.0.1', last: '10.255.255.254', port: 0, broadcast: '10.255.255.255', rfc1918: true, rfc6598: false, rfc6890: true },
  { input: '128.0.0.0', pass: true, hex: '80000000', string: '128.0.0.0', address: '128.0.0.0', maskBits: 32, octets: '128 0 0 0', first: '128.0.0.0', last: '128.0.0.0', port: 0, broadcast: '128.0.0.0', rfc1918: false, rfc6598: false, rfc6890: false },
  { input: '128.95.120.1/32', pass: true, hex: '805f7801', string: '128.95.120.1', address: '128.95.120.1', maskBits: 32, octets: '128 95 120 1', first: '128.95.120.1', last: '128.95.120.1', port: 0, broadcast: '128.95.120.1', rfc1918: false, rfc6598: false, rfc6890: false },
  { input: '172.16.1.3/12', pass: true, hex: 'ac100103', string: '172.16.1.3/12', address: '172.16.1.3', maskBits: 12, octets: '172 16 1 3', first: '172.16.0.1', last: '172.31.255.254', port: 0, broadcast: '172.31.255.255', rfc1918: true, rfc6598: false, rfc6890: true },
  { input: '192.168.0.0/16', pass: true, hex: 'c0a80000', string: '192.168.0.0/16', address: '192.168.0.0', maskBits: 16, octets: '192 168 0 0', first: '192.168.0.1', last: '192.168.255.254', port: 0, broadcast: '192.168.255.255', rfc1918: true, rfc6598: false, rfc6890: true },
  { input: '192.168.0.1', pass: true, hex: 'c0a80001', string: '192.168.0.1', address: '192.168.0.1', maskBits: 32, octets: '192 168 0 1', first: '192.168.0.1', last: '192.168.0.1', port: 0, broadcast: '192.168.0.1', rfc1918: true, rfc6598: false, rfc6890: true },
  { input: '192.168.0.2/31', pass: true, hex: 'c0a80002', string: '192.168.0.2/31', address: '192.168.0.2', maskBits: 31, octets: '192 168 0 2', first: '192.168.0.2', last: '192.168.0.3', port: 0, broadcast: '192.168.0.3', rfc1918: true, rfc6598: false, rfc6890: true },
  { input: '192.168.1.10/24', pass: true, hex: 'c0a8010a', string: '192.168.1.10/24', address: '192.168.1.10', maskBits: 24, octets: '192 168 1 10', first: '192.168.1.1', last: '192.168.1.254', port: 0, broadcast: '192.168.1.255', rfc1918: true, rfc6598: false, rfc6890: true },
  { input: '192.168.10.10/16', pass: true, hex: 'c0a80a0a', string: '192.168.10.10/16', address: '192.168.10.10', maskBits: 16, octets: '192 168 10 10', first: '192.168.0.1', last: '192.168.255.254', port: 0, broadcast: '192.168.255.255', rfc1918: true, rfc6598: false, rfc6890: true },
  { input: '240.0.0.0/4', pass: true, hex: 'f0000000', string: '240.0.0.0/4', address: '240.0.0.0', maskBits: 4, octets: '240 0 0 0', first: '240.0.0.1', last: '255.255.255.254', port: 0, broadcast: '255.255.255.255', rfc1918: false, rfc6598: false, rfc6890: true },
  { input: '240.0.0.1/4', pass: true, hex: 'f0000001', string: '240.0.0.1/4', address: '240.0.0.1', maskBits: 4, octets: '240 0 0 1', first: '240.0.0.1', last: '255.255.255.254', port: 0, broadcast: '255.255.255.255', rfc1918: false, rfc6598: false, rfc6890: true },
  { input: '255.255.255.255', pass: true, hex: 'ffffffff', string: '255.255.255.255', address: '255.255.255.255', maskBits: 32, octets: '255 255 255 255', first: '255.255.255.255', last: '255.255.255.255', port: 0, broadcast: '255.255.255.255', rfc1918: false, rfc6598: false, rfc6890: true },
  { input: 'www.hashicorp.com', pass: false },
  { input: '2001:DB8::/48', pass: false },
  { input: '2001:DB8::', pass: false },
  { input: '128.95.120.1:8600', pass: true, hex: '805f7801', string: '128.95.120.1:8600', address: '128.95.120.1', maskBits: 32, octets: '128 95 120 1', first: '128.95.120.1', last: '128.95.120.1', port: 8600, broadcast: '128.95.120.1', rfc1918: false, rfc6598: false, rfc6890: false },
  { input: '100.64.2.3/23', pass: true, hex: '64400203', string: '100.64.2.3/23', address: '100.64.2.3', maskBits: 23, octets: '100 64 2 3', first: '100.64.2.1', last: '100.64.3.254', port: 0, broadcast: '100.64.3.255', rfc1918: false, rfc6598: true, rfc6890: true },
  { input: '192.168.3.53/00ffffff', pass: true, hex: 'c0a80335', string: '192.168.3.53', address: '192.168.3.53', maskBits: 32, octets: '192 168 3 53', first: '192.168.3.53', last: '192.168.3.53', port: 0, broadcast: '192.168.3.53', rfc1918: true, rfc6598: false, rfc6890: true },
];
const V6_CASES: IPCase[] = [
  { input: '1.2.3.4', pass: false },
  { input: '5.6.7.8:80', pass: false },
  { input: 'www.hashicorp.com', pass: false },
  { input: '2607:f0d0:1002:0051:0000:0000:0000:0004:8600', pass: false },
  { input: '[2607:f0d0:1002:0051:0000:0000:0000:0004]:8600', pass: true, hex: '2607f0d0100200510000000000000004', string: '[2607:f0d0:1002:51::4]:8600', address: '2607:f0d0:1002:51::4', maskBits: 128, octets: '38 7 240 208 16 2 0 81 0 0 0 0 0 0 0 4', first: '2607:f0d0:1002:51::4', last: '2607:f0d0:1002:51::4', port: 8600 },
  { input: '2607:f0d0:1002:0051:0000:0000:0000:0004', pass: true, hex: '2607f0d0100200510000000000000004', string: '2607:f0d0:1002:51::4', address: '2607:f0d0:1002:51::4', maskBits: 128, octets: '38 7 240 208 16 2 0 81 0 0 0 0 0 0 0 4', first: '2607:f0d0:1002:51::4', last: '2607:f0d0:1002:51::4', port: 0 },
  { input: '[2607:f0d0:1002:0051:0000:0000:0000:0004]', pass: true, hex: '2607f0d0100200510000000000000004', string: '2607:f0d0:1002:51::4', address: '2607:f0d0:1002:51::4', maskBits: 128, octets: '38 7 240 208 16 2 0 81 0 0 0 0 0 0 0 4', first: '2607:f0d0:1002:51::4', last: '2607:f0d0:1002:51::4', port: 0 },
  { input: '0:0:0:0:0:0:0:0', pass: true, hex: '00000000000000000000000000000000', string: '::', address: '::', maskBits: 128, octets: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0', first: '::', last: '::', port: 0 },
  { input: '0:0:0:0:0:0:0:1', pass: true, hex: '00000000000000000000000000000001', string: '::1', address: '::1', maskBits: 128, octets: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1', first: '::1', last: '::1', port: 0 },
  { input: '2001:DB8::/32', pass: true, hex: '20010db8000000000000000000000000', string: '2001:db8::/32', address: '2001:db8::', maskBits: 32, octets: '32 1 13 184 0 0 0 0 0 0 0 0 0 0 0 0', first: '2001:db8::', last: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', port: 0 },
  { input: '::1', pass: true, hex: '00000000000000000000000000000001', string: '::1', address: '::1', maskBits: 128, octets: '0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1', first: '::1', last: '::1', port: 0 },
  { input: '100::', pass: true, hex: '01000000000000000000000000000000', string: '100::', address: '100::', maskBits: 128, octets: '1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0', first: '100::', last: '100::', port: 0 },
  { input: '100::2', pass: true, hex: '01000000000000000000000000000002', string: '100::2', address: '100::2', maskBits: 128, octets: '1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2', first: '100::2', last: '100::2', port: 0 },
  { input: '[100::2]:80', pass: true, hex: '01000000000000000000000000000002', string: '[100::2]:80', address: '100::2', maskBits: 128, octets: '1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2', first: '100::2', last: '100::2', port: 80 },
];

function checkCase(c: IPCase, parse: (text: string) => ReturnType<typeof parseIPAddr>, family: 'IPv4' | 'IPv6'): void {
  if (!c.pass) {
    let type: string | undefined;
    try {
      type = parse(c.input).type;
    } catch (err) {
      expect(err).toBeInstanceOf(SockaddrError);
    }
    expect(type).not.toBe(family);
    return;
  }
  const ip = parse(c.input);
  expect(ip.type).toBe(family);
  expect(ipAttr(ip, 'hex')).toBe(c.hex);
  expect(ipAttr(ip, 'binary')).toBe(BigInt(`0x${c.hex}`).toString(2).padStart(family === 'IPv4' ? 32 : 128, '0'));
  expect(sockText(ip)).toBe(c.string);
  expect(ipAttr(ip, 'string')).toBe(c.string);
  expect(addressText(ip)).toBe(c.address);
  expect(ip.maskBits).toBe(c.maskBits);
  expect(ipAttr(ip, 'octets')).toBe(c.octets);
  expect(ipAttr(ip, 'first_usable')).toBe(c.first);
  expect(ipAttr(ip, 'last_usable')).toBe(c.last);
  expect(ipAttr(ip, 'port')).toBe(String(c.port));
  if (c.broadcast !== undefined) expect(ipAttr(ip, 'broadcast')).toBe(c.broadcast);
  if (c.rfc1918 !== undefined) expect(isRFC(1918, ip)).toBe(c.rfc1918);
  if (c.rfc6598 !== undefined) expect(isRFC(6598, ip)).toBe(c.rfc6598);
  if (c.rfc6890 !== undefined) expect(isRFC(6890, ip)).toBe(c.rfc6890);
}

describe('go-sockaddr IP addresses', () => {
  it.each(V4_CASES)('IPv4 $input', (c) => checkCase(c, parseIPAddr, 'IPv4'));
  it.each(V6_CASES)('IPv6 $input', (c) => checkCase(c, parseIPv6Network, 'IPv6'));

  it('parses what NewIPAddr parses and refuses the rest', () => {
    expect(sockText(parseIPAddr('::ffff:1.2.3.4'))).toBe('1.2.3.4'); // 4-in-6 is IPv4, as Go's To4 makes it
    expect(sockText(parseIPAddr('::ffff:0:0/96'))).toBe('0.0.0.0/0'); // and its /96 becomes /0
    expect(sockText(parseIPAddr('192.168.3.51/00ffffff'))).toBe('192.168.3.51');
    expect(sockText(parseIPAddr('[::1]'))).toBe('::1');
    expect(sockText(parseIPAddr('[fe80::1%eth0]:80'))).toBe('[fe80::1]:80');
    expect(sockText(parseIPAddr('10.1.2.3/08'))).toBe('10.1.2.3/8');
    for (const bad of ['1.2.3.4/33', '1.2.3.04', '[:]', 'localhost', '1.2.3.4:99999', '', 'fe80::/129']) {
      expect(() => parseIPAddr(bad), bad).toThrow(`invalid IPAddr ${bad}`);
    }
  });

  it('prints IPv6 as Go does (RFC 5952, first longest zero run)', () => {
    const v6 = (text: string): string => ipText('IPv6', parseIPv6Network(text).address);
    expect(v6('2001:0db8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(v6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6('0:0:0:0:0:0:0:0')).toBe('::');
    expect(v6('::ffff:ffff')).toBe('::ffff:ffff');
    expect(v6('fe80::ffff:ffff:ff:fff8')).toBe('fe80::ffff:ffff:ff:fff8');
  });

  it('has the attributes go-sockaddr documents', () => {
    const v4 = parseIPAddr('192.168.10.20/24');
    expect(ipAttr(v4, 'netmask')).toBe('255.255.255.0');
    expect(ipAttr(v4, 'network')).toBe('192.168.10.0');
    expect(ipAttr(v4, 'mask_bits')).toBe('24');
    expect(ipAttr(v4, 'size')).toBe('256');
    expect(ipAttr(v4, 'uint32')).toBe('3232238100');
    expect(ipAttr(v4, 'host')).toBe('192.168.10.20');
    expect(ipAttr(v4, 'type')).toBe('IPv4');
    expect(ipAttr(v4, 'uint128')).toBeUndefined();
    const v6 = parseIPAddr('fe80::1/64');
    expect(ipAttr(v6, 'netmask')).toBe('ffff:ffff:ffff:ffff::');
    expect(ipAttr(v6, 'size')).toBe('18446744073709551616');
    expect(ipAttr(v6, 'uint128')).toBe(String(0xfe80n << 112n | 1n));
    expect(ipAttr(v6, 'broadcast')).toBeUndefined();
    expect(ipAttr(parseIPAddr('[::1]:80'), 'host')).toBe('[::1]:80');
    expect(ipAttr(v6, 'bogus')).toBeUndefined();
  });

  it('contains networks as go-sockaddr does (the whole network must fit)', () => {
    expect(contains(parseIPAddr('10.0.0.0/8'), parseIPAddr('10.1.2.3/16'))).toBe(true);
    expect(contains(parseIPAddr('172.16.0.0/12'), parseIPAddr('172.16.0.1/8'))).toBe(false);
    expect(contains(parseIPAddr('::/0'), parseIPAddr('10.0.0.1'))).toBe(false);
    expect(isForwardable(parseIPAddr('192.0.2.2/24'))).toBe(false);
    expect(isForwardable(parseIPAddr('fd00::2/64'))).toBe(true);
    expect(isForwardable(parseIPAddr('fe80::1/64'))).toBe(false);
  });

  // Expected values from go-sockaddr's template_test.go math cases and its documentation.
  it('does math on addresses', () => {
    const m = (op: string, value: string, text: string): string => sockText(ipMath(op, value, parseIPAddr(text)));
    expect(m('address', '+2', '127.0.0.1/8')).toBe('127.0.0.3/8');
    expect(m('address', '+16777217', '127.0.0.1/8')).toBe('128.0.0.2/8');
    expect(m('address', '+4294967294', '127.0.0.1/8')).toBe('126.255.255.255/8');
    expect(m('address', '-256', '::1')).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff01');
    expect(m('address', '+1', '127.255.255.255')).toBe('128.0.0.0');
    expect(m('network', '+2', 'fe80::1/64')).toBe('fe80::2/64');
    expect(m('network', '-1', '127.0.0.1/8')).toBe('127.255.255.255/8');
    expect(m('network', '+4278255368', '127.0.0.1/8')).toBe('127.0.255.8/8');
    expect(m('network', '-4278190088', 'fe80::1/64')).toBe('fe80::ffff:ffff:ff:fff8/64');
    expect(m('mask', '16', '192.168.10.20/24')).toBe('192.168.0.0/16');
    expect(m('mask', '28', '192.168.10.20/24')).toBe('192.168.10.16/24');
    expect(m('mask', '100', 'fe80::1/64')).toBe('fe80::/64');
    expect(() => m('address', '2', '1.2.3.4')).toThrow('sign (+/-) is required for operation "address"');
    expect(() => m('address', '+x', '1.2.3.4')).toThrow('unable to convert "+x" to int for operation "address": strconv.ParseInt: parsing "+x": invalid syntax');
    expect(() => m('address', '+99999999999', '1.2.3.4')).toThrow('strconv.ParseInt: parsing "+99999999999": value out of range');
    expect(() => m('mask', '33', '1.2.3.4')).toThrow('parameter for operation "mask" on ipv4 addresses must be between 0 and 32');
    expect(() => m('mask', '129', '::1')).toThrow('parameter for operation "mask" on ipv6 addresses must be between 0 and 64');
    expect(() => m('bogus', '+1', '::1')).toThrow('unsupported math operation: "bogus"');
  });
});
