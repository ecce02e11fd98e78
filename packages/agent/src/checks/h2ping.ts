/**
 * H2PING check (Consul's CheckH2PING): open an HTTP/2 connection (TLS unless H2PingUseTLS is
 * false, then cleartext with prior knowledge) and send a PING frame; its ACK is passing
 * (`HTTP2 ping was successful`), anything else critical with the error.
 */
import http2 from 'node:http2';
import type { ProbeResult } from './interval.js';

export interface H2PingTarget {
  address: string;
  useTls: boolean;
  tlsSkipVerify: boolean;
  tlsServerName: string;
}

export function probeH2Ping(t: H2PingTarget, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const session = http2.connect(`${t.useTls ? 'https' : 'http'}://${t.address}`, {
      ...(t.useTls ? { rejectUnauthorized: !t.tlsSkipVerify, ...(t.tlsServerName ? { servername: t.tlsServerName } : {}) } : {}),
    });
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      session.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ status: 'critical', output: 'Failed to ping server: context deadline exceeded' });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    session.on('error', (err) => finish({ status: 'critical', output: `Failed to ping server: ${err.message}` }));
    session.on('connect', () => {
      session.ping((err) => {
        if (err) finish({ status: 'critical', output: `Failed to ping server: ${err.message}` });
        else finish({ status: 'passing', output: 'HTTP2 ping was successful' });
      });
    });
  });
}
