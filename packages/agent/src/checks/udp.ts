/**
 * UDP check (Consul's CheckUDP): send "data" to the address and wait for a byte back. A reply,
 * or silence until the timeout, is passing (`UDP connect <addr>: Success`): UDP has no
 * handshake, only an ICMP port-unreachable (ECONNREFUSED) proves nothing listens -> critical.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { ProbeResult } from './interval.js';
import { splitHostPort } from './goerrors.js';

export function probeUdp(address: string, signal: AbortSignal): Promise<ProbeResult> {
  const { host, port } = splitHostPort(address);
  const success: ProbeResult = { status: 'passing', output: `UDP connect ${address}: Success` };
  return new Promise((resolve) => {
    const socket = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      socket.close();
      resolve(result);
    };
    // The loop aborts at the check's Timeout: no answer and no refusal by then is success.
    const onAbort = (): void => finish(success);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    socket.on('message', () => finish(success));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const local = (() => {
        try {
          const a = socket.address();
          return `${a.address}:${a.port}`;
        } catch {
          return '';
        }
      })();
      const what = err.code === 'ECONNREFUSED' ? 'read: connection refused' : err.message;
      finish({ status: 'critical', output: `read udp ${local}->${address}: ${what}` });
    });
    socket.connect(port, host, () => socket.send('data'));
  });
}
