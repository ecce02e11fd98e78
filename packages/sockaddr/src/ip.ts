/**
 * IP addresses as go-sockaddr models them (its IPv4Addr / IPv6Addr): an address, a prefix
 * length and a port, with go-sockaddr's parsing, printing, containment, attributes and `math`.
 * Both families are kept as bigint so one set of helpers serves 32 and 128 bits.
 */
import net from 'node:net';
import { goParseInt, goQuote } from './go-text.js';

export type IPType = 'IPv4' | 'IPv6';

export interface IPAddr {
  readonly type: IPType;
  /** The address bits (host bits kept: 10.1.2.3/8 is 10.1.2.3, not 10.0.0.0). */
  readonly address: bigint;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly maskBits: number;
  /** 0 when none (go-sockaddr prints a port only when it is not 0). */
  readonly port: number;
}

/** An error whose message is go-sockaddr's text; the template layer adds Go's framing. */
export class SockaddrError extends Error {
  override readonly name = 'SockaddrError';
}

export function bitsOf(type: IPType): number {
  return type === 'IPv4' ? 32 : 128;
}

function allOnes(bits: number): bigint {
  return (1n << BigInt(bits)) - 1n;
}

/** The netmask as a number (prefix ones, then zeros). */
export function maskOf(ip: Pick<IPAddr, 'type' | 'maskBits'>): bigint {
  const width = bitsOf(ip.type);
  return allOnes(width) ^ allOnes(width - ip.maskBits);
}

export function networkOf(ip: IPAddr): bigint {
  return ip.address & maskOf(ip);
}

/** The last address of the network (IPv4: the broadcast address). */
export function lastOf(ip: IPAddr): bigint {
  return networkOf(ip) | allOnes(bitsOf(ip.type) - ip.maskBits);
}

export function makeIP(type: IPType, address: bigint, maskBits = bitsOf(type), port = 0): IPAddr {
  return { type, address: address & allOnes(bitsOf(type)), maskBits, port };
}

// ---- parsing

function v4Value(text: string): bigint | undefined {
  if (!net.isIPv4(text)) return undefined;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** An IPv6 literal (no zone) as 128 bits; embedded dotted quads are accepted as Go does. */
function v6Value(text: string): bigint | undefined {
  if (!net.isIPv6(text) || text.includes('%')) return undefined;
  let head = text;
  let tail: bigint[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted !== null) {
    const v4 = v4Value(dotted[1] as string);
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = text.slice(0, -(dotted[1] as string).length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const groups = (part: string): bigint[] => (part === '' ? [] : part.split(':').map((g) => BigInt(`0x${g}`)));
  let words: bigint[];
  const gap = head.indexOf('::');
  if (gap >= 0) {
    const left = groups(head.slice(0, gap));
    const right = [...groups(head.slice(gap + 2)), ...tail];
    words = [...left, ...new Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
  } else {
    words = [...groups(head), ...tail];
  }
  if (words.length !== 8) return undefined;
  return words.reduce((acc, w) => (acc << 16n) | w, 0n);
}

/** True when a 128-bit value is ::ffff:a.b.c.d, which Go's net.IP treats as IPv4 (To4). */
function isV4Mapped(v6: bigint): boolean {
  return v6 >> 32n === 0xffffn;
}

/** Go's net.ParseIP: a literal of either family, as [type, bits] with 4-in-6 as IPv4. */
function parseLiteral(text: string): { type: IPType; value: bigint; wasV6: boolean } | undefined {
  const v4 = v4Value(text);
  if (v4 !== undefined) return { type: 'IPv4', value: v4, wasV6: false };
  const v6 = v6Value(text);
  if (v6 === undefined) return undefined;
  if (isV4Mapped(v6)) return { type: 'IPv4', value: v6 & 0xffffffffn, wasV6: true };
  return { type: 'IPv6', value: v6, wasV6: true };
}

/** Go's dtoi as ParseCIDR uses it: decimal digits only (leading zeros allowed). */
function prefixLength(text: string, max: number): number | undefined {
  if (!/^\d{1,4}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** host:port with a literal host; Go would also resolve host names and service names. */
function splitHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = (m[1] ?? m[2] ?? '').replace(/%.*$/, '');
  return { host, port };
}

function parseIPv4Addr(input: string): IPAddr | undefined {
  // Barracuda-style hex netmasks (`192.168.3.51/00ffffff`) are dropped, as go-sockaddr does.
  const text = input.replace(/\/[0f]{8}$/, '');
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const lit = parseLiteral(text.slice(0, slash));
    if (lit !== undefined && lit.type === 'IPv4') {
      const bits = prefixLength(text.slice(slash + 1), lit.wasV6 ? 128 : 32);
      if (bits === undefined) return undefined;
      // A 4-in-6 CIDR keeps the IPv4 part of its mask, as go-sockaddr converts it.
      const v4Bits = lit.wasV6 ? (bits >= 96 ? bits - 96 : Math.min(bits, 32)) : bits;
      return makeIP('IPv4', lit.value, v4Bits);
    }
    return undefined;
  }
  const hp = splitHostPort(text);
  if (hp !== undefined) {
    const lit = parseLiteral(hp.host);
    return lit !== undefined && lit.type === 'IPv4' ? makeIP('IPv4', lit.value, 32, hp.port) : undefined;
  }
  const lit = parseLiteral(text);
  return lit !== undefined && lit.type === 'IPv4' ? makeIP('IPv4', lit.value) : undefined;
}

function parseIPv6Addr(text: string): IPAddr | undefined {
  // go-sockaddr only tries IPv6 when a ':' comes before any '.'.
  const colon = text.indexOf(':');
  const dot = text.indexOf('.');
  if (colon < 0 || (dot >= 0 && dot < colon)) return undefined;
  const hp = splitHostPort(text);
  if (hp !== undefined) {
    // Go's "tcp6" resolution drops IPv4 (and 4-in-6) hosts.
    const v6 = v6Value(hp.host);
    return v6 !== undefined && !isV4Mapped(v6) ? makeIP('IPv6', v6, 128, hp.port) : undefined;
  }
  const bare = text.length > 2 && text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v6 = v6Value(bare);
  if (v6 !== undefined) return makeIP('IPv6', v6);
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = v6Value(text.slice(0, slash));
  const bits = prefixLength(text.slice(slash + 1), 128);
  if (addr === undefined || bits === undefined) return undefined;
  return makeIP('IPv6', addr, bits);
}

/**
 * go-sockaddr's NewIPAddr: `1.2.3.4`, `1.2.3.4/24`, `1.2.3.4:80`, `::1`, `[::1]`,
 * `[::1]:80`, `fe80::/10`. Host names are not resolved (go-sockaddr's would be).
 */
export function parseIPAddr(text: string): IPAddr {
  const ip = parseIPv4Addr(text) ?? parseIPv6Addr(text);
  if (ip === undefined) throw new SockaddrError(`invalid IPAddr ${text}`);
  return ip;
}

/** go-sockaddr's MustIPv6Addr: an IPv6 address or network that stays IPv6. */
export function parseIPv6Network(text: string): IPAddr {
  const ip = parseIPv6Addr(text);
  if (ip === undefined) throw new SockaddrError(`invalid IPv6Addr ${text}`);
  return ip;
}

// ---- printing

function v4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** Go's net.IP String(): dotted quad for IPv4 (and 4-in-6), RFC 5952 form for IPv6. */
export function ipText(type: IPType, value: bigint): string {
  if (type === 'IPv4') return v4Text(value);
  if (isV4Mapped(value)) return v4Text(value & 0xffffffffn);
  const words = [7n, 6n, 5n, 4n, 3n, 2n, 1n, 0n].map((i) => Number((value >> (i * 16n)) & 0xffffn));
  // The longest run of two or more zero words becomes "::" (the first, on a tie).
  let runStart = -1;
  let runLength = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i >= 2 && j - i > runLength) {
      runStart = i;
      runLength = j - i;
    }
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (runStart < 0) return hex(words);
  return `${hex(words.slice(0, runStart))}::${hex(words.slice(runStart + runLength))}`;
}

/** The address alone (go-sockaddr's `address` attribute). */
export function addressText(ip: IPAddr): string {
  return ipText(ip.type, ip.address);
}

/** go-sockaddr's SockAddr String(): `ip`, `ip/bits`, `ip:port` or `[ip]:port`. */
export function sockText(ip: IPAddr): string {
  const addr = addressText(ip);
  if (ip.port !== 0) return ip.type === 'IPv4' ? `${addr}:${ip.port}` : `[${addr}]:${ip.port}`;
  return ip.maskBits === bitsOf(ip.type) ? addr : `${addr}/${ip.maskBits}`;
}

// ---- relations

/** go-sockaddr's Contains: same family and `inner`'s whole network lies inside `outer`'s. */
export function contains(outer: IPAddr, inner: IPAddr): boolean {
  return outer.type === inner.type && networkOf(outer) <= networkOf(inner) && lastOf(outer) >= lastOf(inner);
}

/** Go's net.IP predicates, which go-sockaddr's `flags` selector uses. */
export const ipPredicates = {
  unspecified: (ip: IPAddr): boolean => (asV4(ip) ?? ip.address) === 0n,
  loopback: (ip: IPAddr): boolean => (asV4(ip) !== undefined ? asV4(ip)! >> 24n === 127n : ip.address === 1n),
  multicast: (ip: IPAddr): boolean => {
    const v4 = asV4(ip);
    return v4 !== undefined ? v4 >> 28n === 0xen : ip.address >> 120n === 0xffn;
  },
  interfaceLocalMulticast: (ip: IPAddr): boolean =>
    ip.type === 'IPv6' && ip.address >> 120n === 0xffn && ((ip.address >> 112n) & 0x0fn) === 0x01n,
  linkLocalMulticast: (ip: IPAddr): boolean => {
    const v4 = asV4(ip);
    if (v4 !== undefined) return v4 >> 8n === 0xe00000n;
    return ip.address >> 120n === 0xffn && ((ip.address >> 112n) & 0x0fn) === 0x02n;
  },
  linkLocalUnicast: (ip: IPAddr): boolean => {
    const v4 = asV4(ip);
    if (v4 !== undefined) return v4 >> 16n === 0xa9fen;
    return ip.address >> 118n === 0x3fan;
  },
  globalUnicast: (ip: IPAddr): boolean =>
    asV4(ip) !== 0xffffffffn &&
    !ipPredicates.unspecified(ip) &&
    !ipPredicates.loopback(ip) &&
    !ipPredicates.multicast(ip) &&
    !ipPredicates.linkLocalUnicast(ip),
};

/** The IPv4 value of an IPv4 address or an IPv4-mapped IPv6 one (Go's To4). */
function asV4(ip: IPAddr): bigint | undefined {
  if (ip.type === 'IPv4') return ip.address;
  return isV4Mapped(ip.address) ? ip.address & 0xffffffffn : undefined;
}

// ---- attributes

/**
 * go-sockaddr's IP attributes (IPAddr, then IPv4Addr / IPv6Addr, then SockAddr), or undefined
 * for a name it does not know.
 */
export function ipAttr(ip: IPAddr, name: string): string | undefined {
  const width = bitsOf(ip.type);
  const host = (value: bigint): string => ipText(ip.type, value);
  switch (name) {
    case 'address':
      return addressText(ip);
    case 'binary':
      return ip.address.toString(2).padStart(width, '0');
    case 'hex':
      return ip.address.toString(16).padStart(width / 4, '0');
    case 'first_usable':
      // IPv4 skips the network address unless the network is a /31 or /32.
      return host(ip.type === 'IPv4' && ip.maskBits < 31 ? networkOf(ip) + 1n : networkOf(ip));
    case 'last_usable':
      return host(ip.type === 'IPv4' && ip.maskBits < 31 ? lastOf(ip) - 1n : lastOf(ip));
    case 'host':
      return sockText({ ...ip, maskBits: width });
    case 'mask_bits':
      return String(ip.maskBits);
    case 'netmask':
      return host(maskOf(ip));
    case 'network':
      return host(networkOf(ip));
    case 'octets': {
      const bytes: string[] = [];
      for (let shift = width - 8; shift >= 0; shift -= 8) bytes.push(String((ip.address >> BigInt(shift)) & 0xffn));
      return bytes.join(' ');
    }
    case 'port':
      return String(ip.port);
    case 'size':
      return String(1n << BigInt(width - ip.maskBits));
    case 'broadcast':
      return ip.type === 'IPv4' ? host(lastOf(ip)) : undefined;
    case 'uint32':
      return ip.type === 'IPv4' ? String(ip.address) : undefined;
    case 'uint128':
      return ip.type === 'IPv6' ? String(ip.address) : undefined;
    case 'string':
      return sockText(ip);
    case 'type':
      return ip.type;
    default:
      return undefined;
  }
}

// ---- math

/**
 * go-sockaddr's IfAddrMath on one address: `address` adds a signed offset (wrapping at the
 * family's size), `network` counts from the network address (negative: back from the last
 * address), `mask` applies a prefix length and keeps the larger network.
 */
export function ipMath(operation: string, value: string, ip: IPAddr): IPAddr {
  const op = operation.toLowerCase();
  const width = bitsOf(ip.type);
  const wrap = (n: bigint): bigint => n & allOnes(width);
  const convert = (bits: number, signed: boolean): bigint => {
    try {
      return goParseInt(value, bits, signed);
    } catch (err) {
      throw new SockaddrError(`unable to convert ${goQuote(value)} to int for operation ${goQuote(operation)}: ${(err as Error).message}`);
    }
  };
  switch (op) {
    case 'address': {
      if (!/^\s*[+-]/.test(value)) throw new SockaddrError(`sign (+/-) is required for operation ${goQuote(operation)}`);
      const n = convert(ip.type === 'IPv4' ? 33 : 64, true);
      return makeIP(ip.type, wrap(ip.address + n), ip.maskBits);
    }
    case 'network': {
      if (!/^\s*[+-]/.test(value)) throw new SockaddrError(`sign (+/-) is required for operation ${goQuote(operation)}`);
      const hostMask = allOnes(width - ip.maskBits);
      if (ip.type === 'IPv4') {
        const n = convert(33, true);
        const offset = n >= 0n ? n : 1n + n + hostMask;
        return makeIP('IPv4', wrap(networkOf(ip) + (wrap(offset) & hostMask)), ip.maskBits);
      }
      const n = convert(64, true);
      // "+0" takes go-sockaddr's negative branch; its big.Int arithmetic then runs past 128
      // bits, which this keeps to the network address instead.
      if (n > 0n) return makeIP('IPv6', wrap(networkOf(ip) + (n & hostMask)), ip.maskBits);
      return makeIP('IPv6', wrap(lastOf(ip) - ((-n - 1n) & hostMask)), ip.maskBits);
    }
    case 'mask': {
      const n = convert(32, false);
      if (ip.type === 'IPv4' && n > 32n) {
        throw new SockaddrError(`parameter for operation ${goQuote(operation)} on ipv4 addresses must be between 0 and 32`);
      }
      // go-sockaddr's text says 64 while it accepts up to 128.
      if (ip.type === 'IPv6' && n > 128n) {
        throw new SockaddrError(`parameter for operation ${goQuote(operation)} on ipv6 addresses must be between 0 and 64`);
      }
      const bits = Number(n);
      return makeIP(ip.type, ip.address & maskOf({ type: ip.type, maskBits: bits }), Math.min(bits, ip.maskBits));
    }
    default:
      throw new SockaddrError(`unsupported math operation: ${goQuote(operation)}`);
  }
}
