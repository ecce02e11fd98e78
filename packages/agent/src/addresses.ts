import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { AgentConfig } from './config/index.js';

/**
 * The address advertised to other nodes: -advertise, else -bind; for 0.0.0.0 the one private
 * IPv4 of the host (Consul refuses to guess between several).
 */
export function resolveAdvertiseAddr(advertise: string, bind: string): string {
  if (advertise) return advertise;
  if (bind && bind !== '0.0.0.0' && bind !== '::' && bind !== '[::]') return bind;
  const privates: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal && /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(a.address)) {
        privates.push(a.address);
      }
    }
  }
  if (privates.length > 1) {
    throw new Error(`Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.`);
  }
  return privates[0] ?? '127.0.0.1';
}

/** host:port with brackets for IPv6. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The config keys the node's tagged addresses come from. */
export type TaggedAddressConfig = Pick<
  AgentConfig,
  'advertiseAddrWan' | 'advertiseAddrIpv4' | 'advertiseAddrIpv6' | 'advertiseAddrWanIpv4' | 'advertiseAddrWanIpv6' | 'taggedAddresses'
>;

/**
 * The node's tagged addresses as Consul's builder makes them: tagged_addresses, then `lan` and
 * `wan`, and `lan_ipv4` / `lan_ipv6` / `wan_ipv4` / `wan_ipv6` from their keys or from the
 * address of that family.
 */
export function nodeTaggedAddresses(c: TaggedAddressConfig, advertiseAddr: string): Record<string, string> {
  const wan = c.advertiseAddrWan || advertiseAddr;
  const out: Record<string, string> = { ...c.taggedAddresses, lan: advertiseAddr, wan };
  const family = (given: string, addr: string, v4: boolean): string => given || ((v4 ? isIPv4(addr) : isIPv6(addr)) ? addr : '');
  const extra: Array<[string, string]> = [
    ['lan_ipv4', family(c.advertiseAddrIpv4, advertiseAddr, true)],
    ['lan_ipv6', family(c.advertiseAddrIpv6, advertiseAddr, false)],
    ['wan_ipv4', family(c.advertiseAddrWanIpv4, wan, true)],
    ['wan_ipv6', family(c.advertiseAddrWanIpv6, wan, false)],
  ];
  for (const [k, v] of extra) if (v) out[k] = v;
  return out;
}
