/**
 * go-sockaddr's table of address blocks by RFC number (its rfc.go), which the `rfc` selector,
 * the `private` sort and the private/public source functions use, and its pseudo-RFC of
 * non-forwardable blocks behind the `forwardable` flag.
 */
import { contains, parseIPAddr, parseIPv6Network, type IPAddr } from './ip.js';

/** go-sockaddr's ForwardingBlacklist pseudo-RFC number. */
export const FORWARDING_BLACKLIST = 4294967295;

/** IPv6 blocks are listed apart: go-sockaddr builds them as IPv6 even where they embed IPv4. */
const TABLE: Array<[number, string[], string[]]> = [
  [919, ['255.255.255.255/32'], []],
  [1112, ['224.0.0.0/4'], []],
  [1122, ['0.0.0.0/8', '127.0.0.0/8'], []],
  [1918, ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], []],
  [2544, ['198.18.0.0/15'], []],
  [2765, [], ['0:0:0:0:0:ffff:0:0/96']],
  [2928, [], ['2001::/16']],
  [3056, [], ['2002::/16']],
  [3068, ['192.88.99.0/24'], ['2002:c058:6301::/120']],
  [3171, ['224.0.0.0/4'], []],
  [
    3330,
    [
      '0.0.0.0/8',
      '10.0.0.0/8',
      '127.0.0.0/8',
      '169.254.0.0/16',
      '172.16.0.0/12',
      '192.0.2.0/24',
      '192.88.99.0/24',
      '192.168.0.0/16',
      '198.18.0.0/15',
      '224.0.0.0/4',
      '240.0.0.0/4',
    ],
    [],
  ],
  [3849, [], ['2001:db8::/32']],
  [3927, ['169.254.0.0/16'], []],
  [4038, [], ['0:0:0:0:0:ffff::/96']],
  [4193, [], ['fc00::/7']],
  [4291, [], ['::/128', '::1/128', '::/96', '::ffff:0:0/96', 'fe80::/10', 'fec0::/10', 'ff00::/8']],
  [4380, [], ['2001:0000::/32']],
  [4773, [], ['2001:0000::/23']],
  [4843, [], ['2001:10::/28']],
  [5180, [], ['2001:0200::/48']],
  [5735, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '198.18.0.0/15'], []],
  [5737, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'], []],
  [6052, [], ['64:ff9b::/96']],
  [6333, ['192.0.0.0/29'], []],
  [6598, ['100.64.0.0/10'], []],
  [6666, [], ['0100::/64']],
  [
    6890,
    [
      '0.0.0.0/8',
      '10.0.0.0/8',
      '100.64.0.0/10',
      '127.0.0.0/8',
      '169.254.0.0/16',
      '172.16.0.0/12',
      '192.0.0.0/24',
      '192.0.0.0/29',
      '192.0.2.0/24',
      '192.88.99.0/24',
      '192.168.0.0/16',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '240.0.0.0/4',
      '255.255.255.255/32',
    ],
    ['::1/128', '::/128', '64:ff9b::/96', '::ffff:0:0/96', '100::/64', '2001::/16', '2002::/16', 'fc00::/7', 'fe80::/10'],
  ],
  [7335, ['192.0.0.0/29'], []],
  [
    FORWARDING_BLACKLIST,
    [
      '0.0.0.0/8',
      '127.0.0.0/8',
      '169.254.0.0/16',
      '192.0.0.0/24',
      '192.0.2.0/24',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '240.0.0.0/4',
      '255.255.255.255/32',
    ],
    ['::1/128', '::/128', '::ffff:0:0/96', '2001:db8::/32', '2001:10::/28', 'fe80::/10'],
  ],
];

export const KNOWN_RFCS: ReadonlyMap<number, readonly IPAddr[]> = new Map(
  TABLE.map(([rfc, v4, v6]) => [rfc, [...v4.map(parseIPAddr), ...v6.map(parseIPv6Network)]]),
);

/** go-sockaddr's IsRFC: the address's network lies inside one of the RFC's blocks. */
export function isRFC(rfc: number, ip: IPAddr): boolean {
  return (KNOWN_RFCS.get(rfc) ?? []).some((block) => contains(block, ip));
}

/** Not in go-sockaddr's list of non-forwardable blocks (its `forwardable` flag). */
export function isForwardable(ip: IPAddr): boolean {
  return !isRFC(FORWARDING_BLACKLIST, ip);
}
