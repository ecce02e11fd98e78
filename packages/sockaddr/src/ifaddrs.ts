/**
 * Interface facts for go-sockaddr templates: one IfAddr per address of each interface, as
 * go-sockaddr's GetAllInterfaces builds them from Go's net.Interfaces().
 *
 * Addresses come from os.networkInterfaces(). What Node does not report is read from Linux:
 * interface flags, index and MTU from /sys/class/net/<name>/, the default route from
 * /proc/net/route. Both readers are injectable so tests run on fixed fake interfaces.
 */
import { readFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { makeIP, parseIPAddr, sockText, type IPAddr } from './ip.js';

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** Go's net.Flags bits, in the order Go prints them. */
export const FLAG = {
  up: 1 << 0,
  broadcast: 1 << 1,
  loopback: 1 << 2,
  pointtopoint: 1 << 3,
  multicast: 1 << 4,
  running: 1 << 5,
} as const;

/** Go's net.Flags String(): `up|broadcast|multicast|running`, or `0`. */
export function flagsText(flags: number): string {
  const names = Object.entries(FLAG)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
  return names.length === 0 ? '0' : names.join('|');
}

/** What os.networkInterfaces() leaves out about a link. */
export interface LinkFacts {
  /** Go's net.Flags bits (FLAG). */
  flags: number;
  index: number;
  mtu: number;
}

/** The host beyond os.networkInterfaces(); every reader is optional. */
export interface NetworkReaders {
  /** Flags, index and MTU of a link by name; undefined when unknown. */
  link?: (name: string) => LinkFacts | undefined;
  /** The name of the interface holding the IPv4 default route; undefined when none. */
  defaultInterface?: () => string | undefined;
}

export interface NetworkHost extends NetworkReaders {
  interfaces: Interfaces;
}

/** go-sockaddr's IfAddr: one address and the interface it is on. */
export interface IfAddr {
  readonly addr: IPAddr;
  readonly name: string;
  readonly index: number;
  readonly mtu: number;
  /** Go's HardwareAddr text; empty for none (Go leaves an all-zero address out). */
  readonly mac: string;
  readonly flags: number;
}

/** go-sockaddr's IfAddr String(): `10.0.0.2/24 {2 1500 eth0 02:42:ac:11:00:02 up|broadcast}`. */
export function ifAddrText(ifAddr: IfAddr): string {
  return `${sockText(ifAddr.addr)} {${ifAddr.index} ${ifAddr.mtu} ${ifAddr.name} ${ifAddr.mac} ${flagsText(ifAddr.flags)}}`;
}

// ---- Linux readers

/** Linux IFF_* bits in /sys/class/net/<name>/flags, and the Go flag each one sets. */
const LINUX_FLAGS: Array<[number, number]> = [
  [0x1, FLAG.up],
  [0x2, FLAG.broadcast],
  [0x8, FLAG.loopback],
  [0x10, FLAG.pointtopoint],
  [0x1000, FLAG.multicast],
];

/**
 * Go's flags from a link's sysfs `flags` (hex) and `operstate`. The kernel reports
 * IFF_RUNNING only through netlink (which Go reads); it is set when the link is up and its
 * operational state is `up` or `unknown` (as the kernel's dev_get_flags derives it).
 */
export function linuxLinkFlags(flagsHex: string, operstate: string): number {
  const raw = Number.parseInt(flagsHex.trim(), 16);
  if (!Number.isFinite(raw)) return 0;
  let flags = 0;
  for (const [bit, goFlag] of LINUX_FLAGS) if ((raw & bit) !== 0) flags |= goFlag;
  const state = operstate.trim();
  if ((raw & 0x1) !== 0 && (state === 'up' || state === 'unknown')) flags |= FLAG.running;
  return flags;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A link's facts from /sys/class/net, or undefined off Linux or for an unknown name. */
export function readLinuxLink(name: string, read: (path: string) => string | undefined = readText): LinkFacts | undefined {
  if (name.includes('/') || name.startsWith('.')) return undefined;
  const dir = `/sys/class/net/${name}`;
  const flags = read(`${dir}/flags`);
  if (flags === undefined) return undefined;
  return {
    flags: linuxLinkFlags(flags, read(`${dir}/operstate`) ?? ''),
    index: Number.parseInt(read(`${dir}/ifindex`) ?? '0', 10) || 0,
    mtu: Number.parseInt(read(`${dir}/mtu`) ?? '0', 10) || 0,
  };
}

/**
 * The default-route interface from /proc/net/route text: the first IPv4 route to 0.0.0.0/0
 * that is up and goes through a gateway, which is what go-sockaddr takes from `ip route`
 * (its first `default via <gw> dev <name>` line).
 */
export function parseProcNetRoute(text: string): string | undefined {
  const RTF_UP = 0x1;
  const RTF_GATEWAY = 0x2;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, destination, , flagsHex, , , , mask] = f as [string, string, string, string, string, string, string, string];
    const flags = Number.parseInt(flagsHex, 16);
    if (Number.parseInt(destination, 16) === 0 && Number.parseInt(mask, 16) === 0 && (flags & RTF_UP) !== 0 && (flags & RTF_GATEWAY) !== 0) {
      return iface;
    }
  }
  return undefined;
}

export function readLinuxDefaultInterface(read: (path: string) => string | undefined = readText): string | undefined {
  const text = read('/proc/net/route');
  return text === undefined ? undefined : parseProcNetRoute(text);
}

/** The readers for this machine (Linux; elsewhere they find nothing and the fallbacks apply). */
export const LINUX_READERS: Required<NetworkReaders> = {
  link: (name) => readLinuxLink(name),
  defaultInterface: () => readLinuxDefaultInterface(),
};

// ---- building the list

function prefixFromNetmask(netmask: string, width: number): number {
  const bin = parseIPAddr(netmask).address.toString(2).padStart(width, '0');
  return /^1*/.exec(bin)?.[0].length ?? 0;
}

function addrOf(info: NetworkInterfaceInfo): IPAddr | undefined {
  const family = info.family === 'IPv4' ? 'IPv4' : 'IPv6';
  let ip: IPAddr;
  try {
    ip = parseIPAddr(info.address.replace(/%.*$/, ''));
  } catch {
    return undefined;
  }
  if (ip.type !== family) return undefined;
  const width = family === 'IPv4' ? 32 : 128;
  const fromCidr = info.cidr === null ? undefined : /\/(\d+)$/.exec(info.cidr)?.[1];
  let bits: number;
  try {
    bits = fromCidr !== undefined ? Number(fromCidr) : prefixFromNetmask(info.netmask, width);
  } catch {
    bits = width;
  }
  if (!(bits >= 0 && bits <= width)) bits = width;
  return makeIP(ip.type, ip.address, bits);
}

function macText(mac: string): string {
  return /^[0:]*$/.test(mac) ? '' : mac.toLowerCase();
}

/**
 * The host's IfAddrs in Go's order (by interface index when known, addresses in the order
 * the OS lists them). Without link facts an interface counts as up and running (Node lists
 * only such interfaces) and loopback when Node marks it internal; broadcast, multicast and
 * point-to-point are then unknown and left unset.
 */
export function collectIfAddrs(host: NetworkHost): IfAddr[] {
  const groups: Array<{ index: number | undefined; addrs: IfAddr[] }> = [];
  for (const [nodeName, infos] of Object.entries(host.interfaces)) {
    // Node names an aliased IPv4 address by its label (`eth0:1`), Go by its link (`eth0`).
    let name = nodeName;
    let facts = host.link?.(nodeName);
    const base = nodeName.replace(/:.*$/, '');
    if (facts === undefined && base !== nodeName) {
      facts = host.link?.(base);
      if (facts !== undefined) name = base;
    }
    const addrs: IfAddr[] = [];
    for (const info of infos ?? []) {
      const addr = addrOf(info);
      if (addr === undefined) continue;
      const flags = facts?.flags ?? FLAG.up | FLAG.running | (info.internal ? FLAG.loopback : 0);
      addrs.push({ addr, name, index: facts?.index ?? 0, mtu: facts?.mtu ?? 0, mac: macText(info.mac), flags });
    }
    groups.push({ index: facts?.index, addrs });
  }
  // Array.prototype.sort is stable: aliases stay after their link.
  if (groups.every((g) => g.index !== undefined)) groups.sort((a, b) => (a.index as number) - (b.index as number));
  return groups.flatMap((g) => g.addrs);
}
