// Two real Proconsul clusters peered for a test: A (a bootstrapped server, dc1) accepts the
// peering as `cluster-b`; B (a bootstrapped server, dc2, and a client agent joined to it) dials it
// as `cluster-a`. Each agent serves DNS on `dnsPort` of its own address.
import { join } from 'node:path';
import { expect } from 'vitest';
import { http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

export interface PeeredClusters {
  a: AgentProcess;
  b: AgentProcess;
  client: AgentProcess;
  stop(): Promise<void>;
}

/** An HTTP call with a JSON body. */
export const call = (base: string, method: string, path: string, body?: unknown) => http(base, method, path, body === undefined ? undefined : JSON.stringify(body));

export async function startPeeredClusters(ips: { a: string; b: string; client: string }, dnsPort: number, prefix: string): Promise<PeeredClusters> {
  const dir = tempDir(prefix);
  const args = (ip: string, name: string, extra: string[]): string[] => [
    '-data-dir', join(dir.path, name), '-bind', ip, '-client', ip, '-node', name, '-dns-port', String(dnsPort), '-log-level', 'warn', ...extra,
  ];
  const started: AgentProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((p) => p.stop()));
    dir.remove();
  };
  try {
    const [a, b] = await Promise.all([
      startAgentProcess(args(ips.a, 'alpha', ['-server', '-bootstrap', '-datacenter', 'dc1']), `${ips.a}:8500`),
      startAgentProcess(args(ips.b, 'beta', ['-server', '-bootstrap', '-datacenter', 'dc2']), `${ips.b}:8500`),
    ]);
    started.push(a, b);
    const client = await startAgentProcess(args(ips.client, 'beta-client', ['-datacenter', 'dc2', '-retry-join', ips.b, '-retry-interval', '1s']), `${ips.client}:8500`);
    started.push(client);
    const token = (await call(a.base, 'POST', '/v1/peering/token', { PeerName: 'cluster-b' })).json().PeeringToken;
    expect((await call(b.base, 'POST', '/v1/peering/establish', { PeerName: 'cluster-a', PeeringToken: token })).status).toBe(200);
    return { a, b, client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
