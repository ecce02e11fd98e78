export type { DnsBackend, DnsHealth, DnsNode, DnsPreparedQueryResult, DnsServiceInstance } from './backend.js';
export type { DnsLogger, DnsServer, DnsServerOptions, DnsSoaConfig, DnsStats } from './options.js';
export { createDnsServer } from './server.js';
