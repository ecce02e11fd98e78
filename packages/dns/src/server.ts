import type { DnsServer, DnsServerOptions } from './options.js';

export function createDnsServer(_options: DnsServerOptions): DnsServer {
  throw new Error('not implemented yet');
}
