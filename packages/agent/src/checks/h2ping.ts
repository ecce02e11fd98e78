/**
 * H2PING check (Consul's CheckH2PING): open an HTTP/2 connection (TLS unless H2PingUseTLS is
 * false, then cleartext with prior knowledge) and send a PING frame; its ACK is passing
 * (`HTTP2 ping was successful`), anything else critical with the error.
 */
import type { ProbeResult } from './interval.js';
import { h2Probe, type H2Target } from './h2-probe.js';

export type H2PingTarget = H2Target;

const failed = (why: string): ProbeResult => ({
  status: 'critical',
  output: `Failed to ping server: ${why === 'timeout' ? 'context deadline exceeded' : why}`,
});

export function probeH2Ping(t: H2PingTarget, signal: AbortSignal): Promise<ProbeResult> {
  return h2Probe(t, signal, failed, (session, finish) => {
    session.on('connect', () => {
      session.ping((err) => finish(err ? failed(err.message) : { status: 'passing', output: 'HTTP2 ping was successful' }));
    });
  });
}
