/**
 * Who may read and write a config entry: each kind's CanRead/CanWrite in Consul 1.17
 * (agent/structs/config_entry*.go). service-defaults: service:read/write on its name;
 * proxy-defaults and mesh: anyone reads, mesh:write (else operator:write) writes;
 * service-intentions: intention read/write on its name (a service rule's `intentions`);
 * service-splitter, service-resolver and service-router (canReadDiscoveryChain /
 * canWriteDiscoveryChain): service:read/write on its name and, to write, service:read on every
 * other service it sends traffic to (ListRelatedServices).
 * exported-services, http-route, tcp-route and inline-certificate: mesh:read/write.
 * api-gateway: service:read on its name, mesh:write. jwt-provider: service:write on any
 * service (so sidecars read it) or mesh:read; mesh:write.
 * Kinds not stored here are checked as service-defaults (read) and proxy-defaults (write).
 */
import { relatedServices } from '@proconsul/catalog';
import type { Authorizer } from '../acl/authorizer.js';
import type { Denial } from '../acl/permissions.js';

type Entry = Record<string, unknown>;

/** Kinds whose CanRead/CanWrite are MeshReadAllowed/MeshWriteAllowed. */
const MESH_KINDS = new Set(['exported-services', 'http-route', 'tcp-route', 'inline-certificate']);

/** The discovery-chain kinds (canReadDiscoveryChain / canWriteDiscoveryChain). */
const CHAIN_KINDS = new Set(['service-splitter', 'service-resolver', 'service-router']);

const serviceNeed = (a: Authorizer, name: string, need: 'read' | 'write'): Denial | undefined =>
  a.allowed('service', name, need) ? undefined : { resource: 'service', need, name };

function denial(a: Authorizer, kind: string, name: string, need: 'read' | 'write', entry: Entry = {}): Denial | undefined {
  // CanRead/CanWrite of each kind (config_entry_exports.go, _routes.go, _inline_certificate.go, _gateways.go, _jwt_provider.go).
  if (MESH_KINDS.has(kind)) return a.meshAllowed(need) ? undefined : { resource: 'mesh', need };
  if (kind === 'api-gateway' && need === 'read') return serviceNeed(a, name, 'read');
  if (kind === 'jwt-provider' && need === 'read') return a.serviceWriteAny() || a.meshAllowed('read') ? undefined : { resource: 'mesh', need };
  if (kind === 'service-intentions') return a.intentionAllowed(name, need) ? undefined : { resource: 'intention', need, name };
  if (CHAIN_KINDS.has(kind)) {
    const own = serviceNeed(a, name, need);
    if (own || need === 'read') return own;
    for (const svc of relatedServices({ ...entry, Kind: kind, Name: name })) {
      const d = serviceNeed(a, svc, 'read');
      if (d) return d;
    }
    return undefined;
  }
  const meshWide = kind === 'proxy-defaults' || kind === 'mesh' || (need === 'write' && kind !== 'service-defaults');
  if (!meshWide) return serviceNeed(a, name, need);
  if (need === 'read') return undefined;
  return a.meshAllowed('write') ? undefined : { resource: 'mesh', need: 'write' };
}

export const configEntryReadDenial = (a: Authorizer, kind: string, name: string): Denial | undefined => denial(a, kind, name, 'read');
/** `entry`: the entry written (a splitter's targets are checked too); for a delete only its name is known. */
export const configEntryWriteDenial = (a: Authorizer, kind: string, name: string, entry?: Entry): Denial | undefined => denial(a, kind, name, 'write', entry);
