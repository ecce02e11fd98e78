/**
 * GET and POST /v1/discovery-chain/:service (Consul's agent/discovery_chain_endpoint.go over the
 * DiscoveryChain.Get RPC of agent/consul/discovery_chain_endpoint.go): the service's compiled
 * discovery chain, `{"Chain": ...}`, as a blocking read of the config entries. `?compile-dc`
 * compiles for another datacenter; a POST body may override the protocol, the connect timeout
 * and the mesh gateway mode. service:read on the chain's name (acl/permissions.ts). The leader
 * answers (cluster/forward.ts); the trust domain in the targets' SNI is the CA's.
 */
import {
  compileDiscoveryChain,
  ConfigEntryDecodeError,
  decodeStruct,
  DiscoveryChainGraphError,
  omitEmptyField as o,
  type CompileRequest,
  type StructType,
} from '@proconsul/catalog';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { trustDomain } from '../connect/spiffe.js';
import type { AgentContext } from '../context.js';
import { isPlainObject } from '../http/decode.js';
import { endpoint } from '../http/endpoint.js';
import { badRequest, serverError } from '../http/http-error.js';
import { refuseEnterpriseMeta } from '../http/enterprise-meta.js';
import { parseWaitAndConsistency, qs, type Query } from '../http/query-options.js';
import { catalogRead } from '../http/read.js';
import { decodeBody } from './routes.js';

/** discoveryChainReadRequest, decoded as decodeDiscoveryChainReadRequest does (mapstructure, weakly typed). */
const READ_REQUEST: StructType = {
  fields: [
    o('OverrideMeshGateway', { fields: [o('Mode', 'string')] }, 'override_mesh_gateway'),
    o('OverrideProtocol', 'string', 'override_protocol'),
    o('OverrideConnectTimeout', 'duration', 'override_connect_timeout'),
  ],
};

/** structs.ValidateMeshGatewayMode. */
const MESH_GATEWAY_MODES = new Set(['', 'none', 'local', 'remote']);

type Overrides = Pick<CompileRequest, 'overrideProtocol' | 'overrideConnectTimeoutNs' | 'overrideMeshGatewayMode'>;

function decodeOverrides(req: FastifyRequest): Overrides {
  const raw = decodeBody(req.body);
  if (!isPlainObject(raw)) throw badRequest(`Request decoding failed: json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type map[string]interface {}`);
  let value: Record<string, unknown>;
  try {
    ({ value } = decodeStruct(raw, READ_REQUEST));
  } catch (err) {
    if (err instanceof ConfigEntryDecodeError) throw badRequest(`Request decoding failed: ${err.message}`);
    throw err;
  }
  const mode = String((value.OverrideMeshGateway as { Mode?: unknown } | undefined)?.Mode ?? '');
  if (!MESH_GATEWAY_MODES.has(mode)) throw badRequest('Invalid OverrideMeshGateway.Mode parameter');
  return {
    overrideProtocol: typeof value.OverrideProtocol === 'string' ? value.OverrideProtocol : '',
    overrideConnectTimeoutNs: typeof value.OverrideConnectTimeout === 'number' ? value.OverrideConnectTimeout : 0,
    overrideMeshGatewayMode: mode,
  };
}

export async function discoveryChainRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  // discovery_chain_endpoint.go DiscoveryChainRead: the query options, the name, the namespace
  // and partition (http_ce.go refuses them), then a POST's body.
  const read = (req: FastifyRequest, reply: FastifyReply, decode: () => Overrides): FastifyReply | Promise<FastifyReply> => {
    parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
    const name = (req.params as { '*': string })['*'];
    if (name === '') throw badRequest('Missing chain name');
    refuseEnterpriseMeta(req);
    const overrides = decode();
    const datacenter = qs(req.query as Query, 'compile-dc') || ctx.config.datacenter;
    return catalogRead(ctx, req, reply, () =>
      ctx.catalog.discoveryChainRead((entries, ca) => {
        // serviceDiscoveryChainTxn: the chain's SNI names need the cluster's trust domain.
        if (!ca.config) throw serverError('no cluster ca config setup');
        try {
          return { Chain: compileDiscoveryChain(entries, { serviceName: name, evaluateInDatacenter: datacenter, evaluateInTrustDomain: trustDomain(ca.config.ClusterID), ...overrides }) };
        } catch (err) {
          // Stored entries were checked when written; a chain that still fails is the server's error, as in Consul.
          if (err instanceof DiscoveryChainGraphError) throw serverError(err.message);
          throw err;
        }
      }),
    );
  };
  endpoint(app, '/v1/discovery-chain/*', {
    GET: (req, reply) => read(req, reply, () => ({})),
    POST: (req, reply) => read(req, reply, () => decodeOverrides(req)),
  });
}
