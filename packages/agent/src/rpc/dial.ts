// Dialling a server port: TCP, then TLS when this agent has verify_outgoing (Consul's
// OutgoingRPCWrapper). The socket returned is ready for the protocol byte (Raft or agent RPC).
import { connect, type Socket } from 'node:net';
import type { RpcTls } from '../tls/rpc-tls.js';

export type Dialer = (host: string, port: number) => Promise<Socket>;

export function serverDialer(tls: RpcTls | null, timeoutMs: number): Dialer {
  return (host, port) =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      s.setNoDelay(true);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`dial ${host}:${port} timed out`));
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        s.destroy();
        reject(err);
      };
      s.once('error', onError);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', onError);
        if (!tls?.outgoing) return resolve(s);
        s.on('error', () => undefined); // the TLS socket reports errors of the connection
        tls.dial(s, timeoutMs).then(resolve, reject);
      });
    });
}
