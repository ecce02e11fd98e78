import type { DnsBackend } from './backend.js';

/** Minimal logger; a pino logger fits. */
export interface DnsLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Consul's `dns_config.soa`. Seconds. */
export interface DnsSoaConfig {
  refresh: number;
  retry: number;
  expire: number;
  minTtl: number;
}

/** Options of `createDnsServer`; names follow Consul's config keys. Durations in seconds unless `Ms`. */
export interface DnsServerOptions {
  backend: DnsBackend;
  /** `addresses.dns` / `client_addr`. Default 127.0.0.1. */
  host?: string;
  /** `ports.dns`. Default 8600; 0 picks a free port (UDP and TCP then share the UDP port). */
  port?: number;
  /** `domain`. Default `consul.`. */
  domain?: string;
  /** `alt_domain`. A response uses the domain the question used. */
  altDomain?: string;
  /** The agent's datacenter (`datacenter`, default dc1). */
  datacenter: string;
  ttls?: {
    /** `dns_config.node_ttl`, seconds. Default 0. */
    node?: number;
    /** `dns_config.service_ttl`: exact name, longest `prefix*`, then `*`. Seconds. Default 0. */
    service?: Record<string, number>;
  };
  /** `dns_config.only_passing`. Default false (warning instances are answered). */
  onlyPassing?: boolean;
  /** `dns_config.enable_truncate`. Default false: UDP answers are trimmed without TC. */
  enableTruncate?: boolean;
  /** `dns_config.disable_compression`. Default false: names are compressed as miekg/dns does. */
  disableCompression?: boolean;
  /** `dns_config.udp_answer_limit`. Default 3 (capped at 8). */
  udpAnswerLimit?: number;
  /** `dns_config.a_record_limit`. Default 0 (no limit). */
  aRecordLimit?: number;
  /** `dns_config.enable_additional_node_meta_txt`. Default true. */
  enableAdditionalNodeMetaTxt?: boolean;
  /** `translate_wan_addrs`. Default false. */
  translateWanAddrs?: boolean;
  /** `recursors`: `ip` or `ip:port` (`[v6]:port`), port 53 by default. */
  recursors?: string[];
  /** `dns_config.recursor_timeout` in ms. Default 2000. */
  recursorTimeoutMs?: number;
  /** `dns_config.recursor_strategy`. Default sequential. */
  recursorStrategy?: 'sequential' | 'random';
  /** `dns_config.soa`. Defaults 3600 / 600 / 86400 / 0. */
  soa?: Partial<DnsSoaConfig>;
  logger?: DnsLogger;
}

/** Counters, all since start. */
export interface DnsStats {
  /** Well-formed queries received (UDP + TCP). */
  queries: number;
  udpQueries: number;
  tcpQueries: number;
  /** Responses sent (including errors and relayed recursor answers). */
  responses: number;
  /** Answer records sent. */
  answers: number;
  nxdomain: number;
  servfail: number;
  refused: number;
  notimp: number;
  /** Responses trimmed to fit (UDP limits). */
  truncated: number;
  /** Packets that could not be decoded, or were not queries: dropped without an answer. */
  malformed: number;
  /** TCP connections closed for a bad length prefix (0, or more than the limit). */
  tcpOversized: number;
  /** Queries forwarded to recursors, and those where every recursor failed. */
  recursed: number;
  recursorFailures: number;
}

export interface DnsServer {
  /** Bind UDP and TCP on host:port. Rejects if either cannot bind. */
  start(): Promise<{ host: string; port: number }>;
  /** Stop listening and close TCP connections. */
  close(): Promise<void>;
  stats(): DnsStats;
}
