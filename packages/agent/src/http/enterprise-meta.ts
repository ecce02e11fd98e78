// What a Consul CE agent does with Enterprise scoping on a request (agent/http_ce.go): any
// namespace or partition, by query parameter or header, is a 400; "default" included.
import type { FastifyRequest } from 'fastify';
import { badRequest } from './http-error.js';
import { qs, type Query } from './query-options.js';

/** http_ce.go parseEntMetaPartition: CE refuses a partition however it is named. */
export function refusePartition(req: FastifyRequest): void {
  if (req.headers['x-consul-partition']) throw badRequest('Invalid header: "X-Consul-Partition" - Partitions are a Consul Enterprise feature');
  if (qs(req.query as Query, 'partition')) throw badRequest('Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature');
}

/** http_ce.go parseEntMeta (and parseEntMetaNoWildcard): a namespace first, then a partition. */
export function refuseEnterpriseMeta(req: FastifyRequest): void {
  if (req.headers['x-consul-namespace']) throw badRequest('Invalid header: "X-Consul-Namespace" - Namespaces are a Consul Enterprise feature');
  if (qs(req.query as Query, 'ns')) throw badRequest('Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature');
  refusePartition(req);
}
