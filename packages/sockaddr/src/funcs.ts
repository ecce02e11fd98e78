/**
 * go-sockaddr's functions over lists of IfAddr (its ifaddrs.go / ifaddr.go): the source
 * functions, the include/exclude selectors, sort, unique, limit, offset, attr, join and math.
 * Results and error texts follow go-sockaddr, quirks included (each is noted where it is kept).
 */
import { goParseInt, goQuote } from './go-text.js';
import { flagsText, FLAG, ifAddrText, type IfAddr } from './ifaddrs.js';
import { ipAttr, ipMath, ipPredicates, maskOf, parseIPAddr, sockText, SockaddrError, contains, type IPAddr } from './ip.js';
import { isForwardable, isRFC, KNOWN_RFCS } from './rfc.js';

/** What the functions read from the host; both are computed once per template evaluation. */
export interface SockaddrEnv {
  /** Every address of every interface (GetAllInterfaces, and the template's dot). */
  all(): readonly IfAddr[];
  /** The default-route interface, or undefined when there is none or it cannot be read. */
  defaultInterface(): string | undefined;
}

type Split = [matched: IfAddr[], remainder: IfAddr[]];

function split(list: readonly IfAddr[], test: (a: IfAddr) => boolean): Split {
  const matched: IfAddr[] = [];
  const remainder: IfAddr[] = [];
  for (const a of list) (test(a) ? matched : remainder).push(a);
  return [matched, remainder];
}

// ---- attributes

/** go-sockaddr's IfAddr.Attr: `name` and `flags`, then the address's attributes. */
export function ifAttr(ifAddr: IfAddr, selector: string): string {
  const name = selector.toLowerCase();
  if (name === 'name' && ifAddr.name !== '') return ifAddr.name;
  if (name === 'flags') return flagsText(ifAddr.flags);
  const value = ipAttr(ifAddr.addr, name);
  if (value === undefined) throw new SockaddrError(`unsupported attribute name ${goQuote(name)}`);
  return value;
}

/** `attr`: the attribute of the first IfAddr; empty for an empty list. */
export function attrOf(selector: string, list: readonly IfAddr[]): string {
  return list.length === 0 ? '' : ifAttr(list[0] as IfAddr, selector);
}

/** `join`: the attribute of every IfAddr, joined. */
export function joinAttrs(selector: string, separator: string, list: readonly IfAddr[]): string {
  return list.map((a) => ifAttr(a, selector)).join(separator);
}

// ---- selectors

/**
 * A Go (RE2) regexp as a JavaScript one. `(?P<name>` and leading `(?i)`-style flags are
 * translated; other RE2-only syntax is not, and JavaScript's error text is reported.
 */
export function goRegexp(pattern: string, what: string): RegExp {
  let source = pattern.replace(/\(\?P</g, '(?<');
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead !== null) {
    flags = [...new Set(lead[1])].join('');
    source = source.slice(lead[0].length);
  }
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new SockaddrError(`unable to compile ${what} regexp ${goQuote(pattern, true)}: ${(err as Error).message}`);
  }
}

function byAddress(param: string, list: readonly IfAddr[]): Split {
  const re = goRegexp(param, 'address');
  return split(list, (a) => re.test(sockText(a.addr)));
}

function byName(param: string, list: readonly IfAddr[]): Split {
  const re = goRegexp(param, 'name');
  return split(list, (a) => re.test(a.name));
}

function byPort(param: string, list: readonly IfAddr[]): Split {
  const re = goRegexp(param, 'port');
  return split(list, (a) => re.test(String(a.addr.port)));
}

function parseRFC(text: string): number {
  let n: bigint;
  try {
    n = goParseInt(text, 64, false);
  } catch (err) {
    throw new SockaddrError(`unable to parse RFC number ${goQuote(text)}: ${(err as Error).message}`);
  }
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || !KNOWN_RFCS.has(Number(n))) throw new SockaddrError(`unsupported RFC ${n}`);
  return Number(n);
}

/** One RFC number. */
export function byRFC(param: string, list: readonly IfAddr[]): Split {
  const rfc = parseRFC(param);
  return split(list, (a) => isRFC(rfc, a.addr));
}

/**
 * `rfc` with `|` alternatives. As in go-sockaddr each alternative is applied to the whole
 * list and the results are concatenated: an address in two of the RFCs is included twice, and
 * `exclude` keeps an address that is outside any one of them.
 */
function byRFCs(param: string, list: readonly IfAddr[]): Split {
  const matched: IfAddr[] = [];
  const remainder: IfAddr[] = [];
  for (const rfc of param.split('|')) {
    let part: Split;
    try {
      part = byRFC(rfc, list);
    } catch (err) {
      throw new SockaddrError(`unable to lookup RFC number ${goQuote(rfc)}: ${(err as Error).message}`);
    }
    matched.push(...part[0]);
    remainder.push(...part[1]);
  }
  return [matched, remainder];
}

function bySize(param: string, list: readonly IfAddr[]): Split {
  let size: bigint;
  try {
    size = goParseInt(param, 64, false);
  } catch (err) {
    // go-sockaddr says "exclude" for include too.
    throw new SockaddrError(`invalid exclude size argument (${goQuote(param)}): ${(err as Error).message}`);
  }
  for (const a of list) {
    if (a.addr.type === 'IPv4' && size > 32n) throw new SockaddrError(`mask size out of bounds for IPv4 address: ${size}`);
    if (a.addr.type === 'IPv6' && size > 128n) throw new SockaddrError(`mask size out of bounds for IPv6 address: ${size}`);
  }
  return split(list, (a) => BigInt(a.addr.maskBits) === size);
}

/**
 * `type` with `|` alternatives (`ip`, `ipv4`, `ipv6`, `unix`; any case). As in go-sockaddr
 * each address is tested once per alternative and lands in a result each time.
 */
function byType(param: string, list: readonly IfAddr[]): Split {
  const types = param.toLowerCase().split('|');
  for (const t of types) {
    if (!['ip', 'ipv4', 'ipv6', 'unix'].includes(t)) throw new SockaddrError(`unsupported type ${goQuote(t)} ${goQuote(param)}`);
  }
  const matched: IfAddr[] = [];
  const remainder: IfAddr[] = [];
  for (const a of list) {
    for (const t of types) {
      const hit = t === 'ip' || t === a.addr.type.toLowerCase();
      (hit ? matched : remainder).push(a);
    }
  }
  return [matched, remainder];
}

const ATTR_FLAGS: Record<string, (ip: IPAddr) => boolean> = {
  forwardable: isForwardable,
  'global unicast': ipPredicates.globalUnicast,
  'interface-local multicast': ipPredicates.interfaceLocalMulticast,
  'link-local multicast': ipPredicates.linkLocalMulticast,
  'link-local unicast': ipPredicates.linkLocalUnicast,
  loopback: ipPredicates.loopback,
  multicast: ipPredicates.multicast,
  unspecified: ipPredicates.unspecified,
};

/**
 * `flags` with `|` alternatives, as go-sockaddr's IfByFlag: interface flags given together
 * must all be set (`up|broadcast`), address properties (`forwardable`, `loopback`,
 * `multicast`, ...) match when any holds, and either kind matching is enough. `loopback` and
 * `multicast` are both. `down` clears nothing from an empty mask, so it matches every address.
 */
export function byFlag(param: string, list: readonly IfAddr[]): Split {
  let want = 0;
  let checkFlags = false;
  const attrs: Array<(ip: IPAddr) => boolean> = [];
  for (const name of param.toLowerCase().split('|')) {
    switch (name) {
      case 'broadcast':
        checkFlags = true;
        want |= FLAG.broadcast;
        break;
      case 'down':
        checkFlags = true;
        want &= ~FLAG.up;
        break;
      case 'point-to-point':
        checkFlags = true;
        want |= FLAG.pointtopoint;
        break;
      case 'up':
        checkFlags = true;
        want |= FLAG.up;
        break;
      case 'loopback':
      case 'multicast':
        checkFlags = true;
        want |= FLAG[name];
        attrs.push(ATTR_FLAGS[name] as (ip: IPAddr) => boolean);
        break;
      default: {
        const test = ATTR_FLAGS[name];
        if (test === undefined) throw new SockaddrError(`unknown interface flag: ${goQuote(name, true)}`);
        attrs.push(test);
      }
    }
  }
  return split(list, (a) => (checkFlags && (a.flags & want) === want) || attrs.some((t) => t(a.addr)));
}

/**
 * `network` with `|` alternatives (CIDRs or addresses). As in go-sockaddr each network is
 * applied to the whole list and the results concatenated: `exclude` with two networks keeps
 * an address inside one of them (it is outside the other); chain `exclude`s instead.
 */
function byNetwork(param: string, list: readonly IfAddr[]): Split {
  const matched: IfAddr[] = [];
  const remainder: IfAddr[] = [];
  for (const text of param.split('|')) {
    let network: IPAddr;
    try {
      network = parseIPAddr(text);
    } catch (err) {
      throw new SockaddrError(`unable to create an IP address from ${goQuote(text, true)}: ${(err as Error).message}`);
    }
    for (const a of list) (contains(network, a.addr) ? matched : remainder).push(a);
  }
  return [matched, remainder];
}

const SELECTORS: Record<string, (param: string, list: readonly IfAddr[]) => Split> = {
  address: byAddress,
  flag: byFlag,
  flags: byFlag,
  name: byName,
  network: byNetwork,
  port: byPort,
  rfc: byRFCs,
  rfcs: byRFCs,
  size: bySize,
  type: byType,
};

export function include(selector: string, param: string, list: readonly IfAddr[]): IfAddr[] {
  const fn = SELECTORS[selector.toLowerCase()];
  if (fn === undefined) throw new SockaddrError(`invalid include selector ${goQuote(selector)}`);
  return fn(param, list)[0];
}

export function exclude(selector: string, param: string, list: readonly IfAddr[]): IfAddr[] {
  const fn = SELECTORS[selector.toLowerCase()];
  if (fn === undefined) throw new SockaddrError(`invalid exclude selector ${goQuote(selector)}`);
  return fn(param, list)[1];
}

// ---- sorting

/** A go-sockaddr comparison: -1 (a first), 1 (b first) or 0 (no decision: the next key decides). */
type Cmp = (a: IfAddr, b: IfAddr) => number;

const sign = (n: bigint | number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** go-sockaddr's CmpRFC(6890): a private address before a public one; other cases undecided. */
function cmpPrivate(a: IfAddr, b: IfAddr): number {
  const aIn = isRFC(6890, a.addr);
  if (a.addr.type !== b.addr.type) return aIn ? -1 : 0;
  const bIn = isRFC(6890, b.addr);
  return aIn === bIn ? 0 : aIn ? -1 : 1;
}

function ascending(key: string, env: SockaddrEnv): Cmp | undefined {
  switch (key) {
    case 'address':
      return (a, b) => (a.addr.type === b.addr.type ? sign(a.addr.address - b.addr.address) : 0);
    case 'default':
      return (a, b) => {
        const name = env.defaultInterface();
        if (name === undefined) return 0;
        return a.name === name ? (b.name === name ? 0 : -1) : b.name === name ? 1 : 0;
      };
    case 'name':
      return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    case 'port':
      return (a, b) => sign(a.addr.port - b.addr.port);
    case 'private':
      return cmpPrivate;
    case 'size':
      // By netmask: the larger network (shorter mask) first; across families undecided.
      return (a, b) => (a.addr.type === b.addr.type ? sign(maskOf(a.addr) - maskOf(b.addr)) : 0);
    case 'type':
      return (a, b) => (a.addr.type === b.addr.type ? 0 : a.addr.type === 'IPv4' ? -1 : 1);
    default:
      return undefined;
  }
}

/**
 * Go's sort.Sort with go-sockaddr's multi-key Less. Go sorts lists of up to 12 elements by
 * insertion sort, which this is for every length; the order of ties among more than 12
 * addresses may differ from Go's (its pdqsort is not stable).
 */
export function sortWith(list: readonly IfAddr[], cmps: readonly Cmp[]): IfAddr[] {
  const out = [...list];
  const less = (a: IfAddr, b: IfAddr): boolean => {
    for (const cmp of cmps) {
      const r = cmp(a, b);
      if (r !== 0) return r < 0;
    }
    return false;
  };
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j] as IfAddr, out[j - 1] as IfAddr); j--) {
      [out[j], out[j - 1]] = [out[j - 1] as IfAddr, out[j] as IfAddr];
    }
  }
  return out;
}

/** `sort`: comma-separated keys, each optionally `+` (ascending, the default) or `-`. */
export function sortBy(param: string, list: readonly IfAddr[], env: SockaddrEnv): IfAddr[] {
  const cmps = param.split(',').map((clause): Cmp => {
    const key = clause.trim().toLowerCase();
    const desc = key.startsWith('-');
    const asc = ascending(key.replace(/^[+-]/, ''), env);
    if (asc === undefined) throw new SockaddrError(`unknown sort type: ${goQuote(clause)}`);
    return desc ? (a, b) => -asc(a, b) : asc;
  });
  return sortWith(list, cmps);
}

// ---- list helpers

/** `unique` on a sorted list: drops an IfAddr equal to the one before it by `address` or `name`. */
export function unique(selector: string, list: readonly IfAddr[]): IfAddr[] {
  const key = selector.toLowerCase();
  if (key !== 'address' && key !== 'name') throw new SockaddrError(`unsupported unique constraint ${goQuote(selector, true)}`);
  const out: IfAddr[] = [];
  let last = '';
  for (const a of list) {
    const value = key === 'address' ? sockText(a.addr) : a.name;
    if (last === '' || last !== value) {
      last = value;
      out.push(a);
    }
  }
  return out;
}

export function limit(n: bigint, list: readonly IfAddr[]): IfAddr[] {
  return list.slice(0, Number(n > BigInt(list.length) ? BigInt(list.length) : n));
}

/** `offset`: drops the first n (negative: keeps the last -n); past the end is an error. */
export function offset(n: bigint, list: readonly IfAddr[]): IfAddr[] {
  const abs = n < 0n ? -n : n;
  if (abs > BigInt(list.length)) {
    throw new SockaddrError(
      `unable to seek past the end of the interface array: offset (${abs}) exceeds the number of interfaces (${list.length})`,
    );
  }
  return n < 0n ? list.slice(list.length - Number(abs)) : list.slice(Number(abs));
}

/** `math` on every IfAddr; one failure fails the call. */
export function math(operation: string, value: string, list: readonly IfAddr[]): IfAddr[] {
  return list.map((a) => {
    try {
      return { ...a, addr: ipMath(operation, value, a.addr) };
    } catch (err) {
      throw new SockaddrError(`unable to perform an IPMath operation on ${ifAddrText(a)}: ${(err as Error).message}`);
    }
  });
}

// ---- sources

const ipOnly = (list: readonly IfAddr[]): IfAddr[] => list.filter((a) => a.addr.type === 'IPv4' || a.addr.type === 'IPv6');

export function getDefaultInterfaces(env: SockaddrEnv): IfAddr[] {
  const name = env.defaultInterface();
  if (name === undefined) throw new SockaddrError('no default interface found');
  return env.all().filter((a) => a.name === name);
}

/** Forwardable addresses on up interfaces, default interface first, IPv4 first, larger networks first. */
function forwardableUp(env: SockaddrEnv): IfAddr[] {
  const candidates = byFlag('up', byFlag('forwardable', ipOnly(env.all()))[0])[0];
  return sortWith(candidates, ['default', 'type', 'size'].map((k) => ascending(k, env) as Cmp));
}

/** GetPrivateInterfaces: forwardable, up, in RFC 6890. */
export function getPrivateInterfaces(env: SockaddrEnv): IfAddr[] {
  return byRFC('6890', forwardableUp(env))[0];
}

/** GetPublicInterfaces: forwardable, up, outside RFC 6890. */
export function getPublicInterfaces(env: SockaddrEnv): IfAddr[] {
  return byRFC('6890', forwardableUp(env))[1];
}

const firstAddress = (list: readonly IfAddr[]): string => (list.length === 0 ? '' : (ipAttr((list[0] as IfAddr).addr, 'address') as string));
const addresses = (list: readonly IfAddr[]): string => list.map((a) => ipAttr(a.addr, 'address') as string).join(' ');

const byTypeAndSize = (list: readonly IfAddr[], env: SockaddrEnv): IfAddr[] =>
  sortWith(list, ['type', 'size'].map((k) => ascending(k, env) as Cmp));

export function getPrivateIP(env: SockaddrEnv): string {
  return firstAddress(getPrivateInterfaces(env));
}

/** GetPrivateIPs: every forwardable RFC 6890 address, up or not, on any interface. */
export function getPrivateIPs(env: SockaddrEnv): string {
  const list = byTypeAndSize(ipOnly(env.all()), env);
  return addresses(byFlag('forwardable', byRFC('6890', list)[0])[0]);
}

export function getPublicIP(env: SockaddrEnv): string {
  return firstAddress(getPublicInterfaces(env));
}

/** GetPublicIPs: every address outside RFC 6890 (forwardable or not), on any interface. */
export function getPublicIPs(env: SockaddrEnv): string {
  return addresses(byRFC('6890', byTypeAndSize(ipOnly(env.all()), env))[1]);
}

/** GetInterfaceIP: the first forwardable address (IPv4 first, larger networks first) of the interfaces the regexp names. */
export function getInterfaceIP(nameRegexp: string, env: SockaddrEnv): string {
  const named = byName(nameRegexp, env.all())[0];
  return firstAddress(byTypeAndSize(byFlag('forwardable', named)[0], env));
}

/** GetInterfaceIPs: every address (forwardable or not) of the interfaces the regexp names. */
export function getInterfaceIPs(nameRegexp: string, env: SockaddrEnv): string {
  return addresses(byTypeAndSize(byName(nameRegexp, env.all())[0], env));
}
