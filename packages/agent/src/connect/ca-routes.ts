/**
 * /v1/connect/ca/roots and /v1/connect/ca/configuration (Consul's agent/connect_ca_endpoint.go
 * and the ConnectCA.Roots / ConfigurationGet / ConfigurationSet RPCs of
 * agent/consul/connect_ca_endpoint.go). They are state endpoints: a follower or a client passes
 * them to the leader (cluster/forward.ts), which answers from its state and, for a PUT, runs the
 * reconfiguration itself (ca-manager.ts). ACLs (acl/permissions.ts): roots need none, the
 * configuration operator:write (also to read it, as Consul 1.17). With Connect disabled every one answers 500
 * "Connect must be enabled in order to use this endpoint", as Consul's RPCs do.
 */
import type { CARootRecord, Catalog, Indexed } from '@proconsul/catalog';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { decodeJson } from '../http/decode.js';
import { decodeStruct, DecodeError, type StructSchema } from '../http/decode-struct.js';
import { endpoint } from '../http/endpoint.js';
import { badRequest, HttpError } from '../http/http-error.js';
import { checkDatacenter, qs, type Query } from '../http/query-options.js';
import { catalogRead } from '../http/read.js';
import { parseUint64 } from '../http/routes/kv.js';
import { CONNECT_NOT_ENABLED } from './config.js';
import { trustDomain } from './spiffe.js';

/** structs.CAConfiguration as PUT decodes it (decodeBody: unknown fields are ignored by Go's JSON). */
const CA_CONFIG_SCHEMA: StructSchema = {
  name: 'structs.CAConfiguration',
  fields: {
    Provider: 'string',
    Config: { mapOf: 'any' },
    State: { mapOf: 'string' },
    ForceWithoutCrossSigning: 'bool',
    force_without_cross_signing: 'bool',
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
  },
};

/** A CARoot as ConnectCA.Roots copies it out (never the keys; RotatedOutAt is json:"-"). */
function showRoot(r: CARootRecord): Record<string, unknown> {
  return {
    ID: r.ID, Name: r.Name, SerialNumber: r.SerialNumber, SigningKeyID: r.SigningKeyID, ExternalTrustDomain: r.ExternalTrustDomain,
    NotBefore: r.NotBefore, NotAfter: r.NotAfter, RootCert: r.RootCert, IntermediateCerts: r.IntermediateCerts, Active: r.Active,
    PrivateKeyType: r.PrivateKeyType, PrivateKeyBits: r.PrivateKeyBits, CreateIndex: r.CreateIndex, ModifyIndex: r.ModifyIndex,
  };
}

/** structs.IndexedCARoots of the state: TrustDomain from the stored cluster ID ('' before the CA exists). */
export function indexedRoots(catalog: Catalog): Indexed<{ ActiveRootID: string; TrustDomain: string; Roots: Record<string, unknown>[] }> {
  return catalog.connectCARead((ca) => ({
    ActiveRootID: ca.activeRoot()?.ID ?? '',
    TrustDomain: ca.config ? trustDomain(ca.config.ClusterID) : '',
    Roots: ca.rootList().map(showRoot),
  }));
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function requireConnect(ctx: AgentContext): void {
  if (!ctx.config.connect.enabled) throw new HttpError(500, CONNECT_NOT_ENABLED);
}

/** Go's JSON of a map: keys in sorted order. */
const sortedMap = (m: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));

export async function connectCARoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/connect/ca/roots', {
    GET: (req: FastifyRequest, reply: FastifyReply) => {
      const pemParam = qs(req.query as Query, 'pem');
      let pem = false;
      if (pemParam !== undefined && pemParam !== '') {
        const v = parseBool(pemParam);
        if (v === undefined) throw badRequest("The 'pem' query parameter must be a boolean value");
        pem = v;
      }
      requireConnect(ctx);
      return catalogRead(ctx, req, reply, () => indexedRoots(ctx.catalog), pem
        ? (r, rep) => {
            // RFC 8555's chain type, every root then its intermediates (ConnectCARoots with ?pem).
            const roots = r.value.Roots as unknown as CARootRecord[];
            const body = roots.map((x) => x.RootCert + (x.IntermediateCerts ?? []).join('')).join('');
            return rep.header('content-type', 'application/pem-certificate-chain').send(body);
          }
        : undefined);
    },
  });

  endpoint(app, '/v1/connect/ca/configuration', {
    GET: (req, reply) => {
      requireConnect(ctx);
      return catalogRead(ctx, req, reply, () =>
        ctx.catalog.connectCARead((ca) => {
          const c = ca.config;
          if (!c) throw new HttpError(500, 'CA configuration not initialized');
          return { Provider: c.Provider, Config: sortedMap(c.Config), State: c.State, ForceWithoutCrossSigning: c.ForceWithoutCrossSigning, CreateIndex: c.CreateIndex, ModifyIndex: c.ModifyIndex };
        }),
      );
    },
    PUT: async (req, reply) => {
      const query = req.query as Query;
      checkDatacenter(query, ctx.config.datacenter);
      const cas = qs(query, 'cas');
      if (cas !== undefined && cas !== '') {
        try {
          parseUint64(cas);
        } catch (err) {
          throw badRequest(`Request decode failed: ${(err as Error).message}`);
        }
      }
      let b: Record<string, unknown>;
      try {
        b = decodeStruct(decodeJson(req.body), CA_CONFIG_SCHEMA);
      } catch (err) {
        if (err instanceof DecodeError || err instanceof SyntaxError) throw badRequest(`Request decode failed: ${err.message}`);
        throw err;
      }
      requireConnect(ctx);
      const manager = ctx.connectCA;
      if (!manager) throw new HttpError(500, CONNECT_NOT_ENABLED);
      await manager.updateConfiguration({
        Provider: typeof b.Provider === 'string' ? b.Provider : '',
        Config: (b.Config as Record<string, unknown> | undefined) ?? {},
        State: (b.State as Record<string, string> | undefined) ?? null,
        ForceWithoutCrossSigning: b.ForceWithoutCrossSigning === true || b.force_without_cross_signing === true,
      });
      // ConnectCAConfigurationSet returns nothing: an empty 200.
      return reply.code(200).send('');
    },
  });
}

