/** TCP check: a connect succeeds -> passing (`TCP connect <addr>: Success`), else critical. */
import net from 'node:net';
import type { ProbeResult } from './interval.js';
import { goDialError, splitHostPort } from './goerrors.js';

export function probeTcp(address: string, signal: AbortSignal): Promise<ProbeResult> {
  const { host, port } = splitHostPort(address);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (result: ProbeResult): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ status: 'critical', output: `dial tcp ${address}: i/o timeout` });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    socket.once('connect', () => finish({ status: 'passing', output: `TCP connect ${address}: Success` }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      finish({ status: 'critical', output: goDialError(err, address) }),
    );
  });
}
