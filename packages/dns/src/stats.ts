import type { DnsStats } from './options.js';

export function newStats(): DnsStats {
  return {
    queries: 0,
    udpQueries: 0,
    tcpQueries: 0,
    responses: 0,
    answers: 0,
    nxdomain: 0,
    servfail: 0,
    refused: 0,
    notimp: 0,
    truncated: 0,
    malformed: 0,
    tcpOversized: 0,
    recursed: 0,
    recursorFailures: 0,
  };
}
