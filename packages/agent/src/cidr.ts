// Address filters from CIDR lists (http_config's allow_write_http_from, serf_*_allowed_cidrs).
// The CIDRs were checked when the config was built (Go's net.ParseCIDR rules).
import { BlockList, isIP } from 'node:net';

/** Whether an address (IPv4, IPv6, or IPv4-mapped IPv6 as sockets report it) is in one of `cidrs`. */
export function cidrMatcher(cidrs: readonly string[]): (addr: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
  }
  return (addr) => {
    const ip = addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };
}
