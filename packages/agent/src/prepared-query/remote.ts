/**
 * Failover seams over a request forwarder: `executeRemote` sends the query to the other
 * datacenter's `POST /v1/internal/prepared-query/execute-remote` (its ExecuteRemote), with the
 * caller's token. `forward` is whatever runs an HTTP request in another datacenter (the WAN
 * forwarder); 'no-path' when that datacenter cannot be reached.
 */
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import type { ExecuteResponse, QuerySeams } from './failover.js';

export const EXECUTE_REMOTE_PATH = '/v1/internal/prepared-query/execute-remote';

export interface Forwarder {
  otherDatacenters(): Promise<string[]>;
  forward(dc: string, req: ForwardedRequest): Promise<ForwardedResponse | 'no-path'>;
}

export function forwardingSeams(f: Forwarder): Pick<QuerySeams, 'otherDatacenters' | 'executeRemote'> {
  return {
    otherDatacenters: () => f.otherDatacenters(),
    async executeRemote(dc, query, options) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.token !== '') headers['x-consul-token'] = options.token;
      const body = Buffer.from(JSON.stringify({ Query: query, Limit: options.limit, Connect: options.connect }));
      const res = await f.forward(dc, { method: 'POST', url: EXECUTE_REMOTE_PATH, headers, body });
      if (res === 'no-path') return 'no-path';
      const text = Buffer.from(res.body).toString('utf8');
      if (res.status !== 200) throw new Error(`${dc}: ${res.status} ${text}`);
      return JSON.parse(text) as ExecuteResponse;
    },
  };
}
