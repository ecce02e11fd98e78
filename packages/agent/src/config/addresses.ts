/**
 * Addresses in the agent config, as Consul's builder reads them: the value goes through
 * go-sockaddr's template.Parse (plain text comes back unchanged), the result is split on
 * whitespace and every field must be an IP. Also Consul's private-IPv4 detection for when
 * bind_addr is 0.0.0.0.
 */
import net from 'node:net';
import { ConfigError } from './errors.js';
import { evalSockaddrTemplate, goQuote, sockaddrEnv, SockaddrTemplateError, type Interfaces, type NetworkHost } from '@proconsul/sockaddr';

export type { Interfaces, NetworkHost, NetworkReaders } from '@proconsul/sockaddr';

/** RFC 6890 IPv4 blocks Consul's ipaddr.GetPrivateIPv4 counts as private (loopback and link-local excluded). */
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

/** The private IPv4 addresses of the host's interfaces, for the advertise address when binding 0.0.0.0. */
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

/** The value with its go-sockaddr template evaluated, as Consul's builder reports a failure. */
function expandTemplate(value: string, key: string, host: NetworkHost): string {
  if (!value.includes('{{')) return value;
  try {
    return evalSockaddrTemplate(value, sockaddrEnv(host));
  } catch (err) {
    if (err instanceof SockaddrTemplateError) throw new ConfigError(`${key}: error parsing ${goQuote(value)}: ${err.message}`);
    throw err;
  }
}

/**
 * A space-separated list of addresses (client_addr, addresses.http, addresses.dns), each an IP
 * or produced by a go-sockaddr template. A template that yields nothing is an error (Consul
 * would start with no address for the key).
 */
export function expandAddrs(value: string, key: string, host: NetworkHost): string[] {
  const fields = expandTemplate(value, key, host).split(/\s+/).filter((f) => f !== '');
  if (fields.length === 0 && value.trim() !== '') throw new ConfigError(`${key}: No address found in ${value}`);
  return fields.map((field) => {
    const ip = field.startsWith('[') && field.endsWith(']') ? field.slice(1, -1) : field;
    if (net.isIP(ip) === 0) throw new ConfigError(`${key}: invalid ip address: ${field}`);
    return ip;
  });
}

/** Exactly one address (bind_addr, advertise_addr, advertise_addr_wan, serf_lan, serf_wan). */
export function expandFirstIP(value: string, key: string, host: NetworkHost): string {
  const ips = expandAddrs(value, key, host);
  if (ips.length === 0) throw new ConfigError(`${key}: No address found in ${value}`);
  if (ips.length > 1) throw new ConfigError(`${key}: Multiple addresses found in ${value}: ${ips.join(' ')}`);
  return ips[0] as string;
}
