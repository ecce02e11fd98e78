/**
 * Addresses in the agent config: plain IPs, space-separated lists (client_addr), the two
 * go-sockaddr templates people use most ({{ GetPrivateIP }}, {{ GetInterfaceIP "eth0" }}),
 * and Consul's private-IPv4 detection when bind_addr is 0.0.0.0.
 */
import net from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { ConfigError } from './errors.js';

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** RFC 6890 IPv4 blocks go-sockaddr counts as private (loopback and link-local excluded). */
const PRIVATE_V4: Array<[string, number]> = [
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function isPrivateIPv4(ip: string): boolean {
  if (net.isIPv4(ip) === false) return false;
  const n = v4ToInt(ip);
  return PRIVATE_V4.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToInt(base);
    return n >= start && n < start + size;
  });
}

/** The private IPv4 addresses of the host's interfaces, as go-sockaddr's GetPrivateIPs finds them. */
export function privateIPv4s(interfaces: Interfaces): string[] {
  const found: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const addr of list ?? []) {
      if (addr.family === 'IPv4' && !addr.internal && isPrivateIPv4(addr.address) && !found.includes(addr.address)) {
        found.push(addr.address);
      }
    }
  }
  return found;
}

export function isAnyAddress(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || ip === '[::]';
}

/** Expands one value: an IP or a supported template. */
function expandOne(value: string, key: string, interfaces: Interfaces): string[] {
  const template = /^\{\{\s*(.+?)\s*\}\}$/.exec(value);
  if (template === null) {
    const ip = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
    if (net.isIP(ip) === 0) throw new ConfigError(`${key}: invalid ip address: ${value}`);
    return [ip];
  }
  const expr = template[1] as string;
  if (expr === 'GetPrivateIP') {
    const ips = privateIPv4s(interfaces);
    if (ips.length === 0) throw new ConfigError(`${key}: No address found in ${value}`);
    return [ips[0] as string];
  }
  const iface = /^GetInterfaceIP\s+"([^"]+)"$/.exec(expr);
  if (iface !== null) {
    const list = interfaces[iface[1] as string] ?? [];
    const v4 = list.find((a) => a.family === 'IPv4');
    if (v4 === undefined) throw new ConfigError(`${key}: No address found in ${value}`);
    return [v4.address];
  }
  throw new ConfigError(`${key}: unsupported go-sockaddr template ${value} (supported: {{ GetPrivateIP }}, {{ GetInterfaceIP "name" }})`);
}

/** A space-separated list of addresses (client_addr, addresses.http, addresses.dns). */
export function expandAddrs(value: string, key: string, interfaces: Interfaces): string[] {
  // Whitespace separates addresses, except inside a {{ template }}.
  const parts = value.match(/\{\{.*?\}\}|\S+/g) ?? [];
  return parts.flatMap((p) => expandOne(p, key, interfaces));
}

/** Exactly one address (bind_addr, advertise_addr). */
export function expandFirstIP(value: string, key: string, interfaces: Interfaces): string {
  const ips = expandAddrs(value, key, interfaces);
  if (ips.length === 0) throw new ConfigError(`${key}: No address found in ${value}`);
  if (ips.length > 1) throw new ConfigError(`${key}: Multiple addresses found in ${value}: ${ips.join(' ')}`);
  return ips[0] as string;
}
