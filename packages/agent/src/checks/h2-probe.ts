/**
 * An HTTP/2 connection for one probe (H2PING and gRPC checks): TLS or cleartext with prior
 * knowledge, the check's TLS options, and one result however the probe ends (answer, error,
 * or the loop's timeout aborting it); the connection is closed with the result.
 */
import type http2 from 'node:http2';
import type { ProbeResult } from './interval.js';

export interface H2Target {
  /** `host:port`. */
  address: string;
  useTls: boolean;
  tlsSkipVerify: boolean;
  tlsServerName: string;
}

export type Finish = (result: ProbeResult) => void;

export async function h2Probe(
  t: H2Target,
  signal: AbortSignal,
  failure: (why: string) => ProbeResult,
  run: (session: http2.ClientHttp2Session, finish: Finish) => void,
): Promise<ProbeResult> {
  // Loaded with the first such check: node:http2 costs about 2 MB of memory an agent without
  // H2PING or gRPC checks never needs.
  const { connect } = await import('node:http2');
  return new Promise((resolve) => {
    const session = connect(`${t.useTls ? 'https' : 'http'}://${t.address}`, {
      ...(t.useTls ? { rejectUnauthorized: !t.tlsSkipVerify, ...(t.tlsServerName ? { servername: t.tlsServerName } : {}) } : {}),
    });
    let done = false;
    const finish: Finish = (result) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      session.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish(failure('timeout'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    session.on('error', (err) => finish(failure(err.message)));
    run(session, finish);
  });
}
