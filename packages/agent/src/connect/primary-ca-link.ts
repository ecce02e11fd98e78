/**
 * A secondary datacenter's way to the primary's CA (Consul's forwardDC of ConnectCA.Roots and
 * ConnectCA.SignIntermediate to the primary datacenter): the roots through the primary's HTTP
 * API as its servers answer a forwarded request (blocking queries included), the signature
 * through the RPC, with the replication token (acl.tokens.replication, read at each call).
 */
import type { ServerCluster } from '../cluster/server-cluster.js';
import type { CARootRecord } from '@proconsul/catalog';
import type { PrimaryDatacenterCA, PrimaryRoots } from './secondary-ca.js';

/** Beyond a blocking query's wait, what a call to the primary may take. */
const CALL_MARGIN_MS = 30_000;

export function primaryDatacenterCA(cluster: ServerCluster, primaryDatacenter: string, replicationToken: () => string): PrimaryDatacenterCA {
  const headers = (): Record<string, string> => {
    const token = replicationToken();
    return token ? { 'x-consul-token': token } : {};
  };
  return {
    async roots(index, waitMs): Promise<PrimaryRoots> {
      const q = index > 0 ? `?index=${index}&wait=${Math.max(1, Math.ceil(waitMs))}ms` : '';
      const res = await cluster.forwardToDatacenter(primaryDatacenter, { method: 'GET', url: `/v1/connect/ca/roots${q}`, headers: headers() }, waitMs + CALL_MARGIN_MS);
      const text = Buffer.from(res.body).toString('utf8');
      if (res.status !== 200) throw new Error(`Error retrieving the primary datacenter's roots: ${res.status} ${text.trim()}`);
      const body = JSON.parse(text) as { ActiveRootID?: string; TrustDomain?: string; Roots?: CARootRecord[] | null };
      return { index: Number(res.headers['x-consul-index'] ?? 0), ActiveRootID: body.ActiveRootID ?? '', TrustDomain: body.TrustDomain ?? '', Roots: body.Roots ?? [] };
    },
    async signIntermediate(csrPem): Promise<string> {
      const r = await cluster.callDatacenter(primaryDatacenter, 'ConnectCA.SignIntermediate', { Datacenter: primaryDatacenter, CSR: csrPem, Token: replicationToken() }, CALL_MARGIN_MS);
      if (typeof r !== 'string') throw new Error('primary datacenter answered SignIntermediate without a certificate');
      return r;
    },
  };
}
