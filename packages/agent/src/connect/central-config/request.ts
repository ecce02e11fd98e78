/**
 * Which registrations take central defaults and what they ask the servers for (Consul's
 * agent.go addServiceLocked and service_manager.go makeConfigRequest).
 */
import type { AgentService } from '../../local/types.js';
import { CONNECT_PROXY, GATEWAY_KINDS } from '../validate-service.js';
import type { ServiceConfigRequest } from './resolve.js';

type Registration = Pick<AgentService, 'Kind' | 'Proxy'> & { Service: string };

/** Only sidecar proxies and gateways take central defaults. */
export function takesCentralConfig(kind: string | undefined): boolean {
  return kind === CONNECT_PROXY || GATEWAY_KINDS.has(kind ?? '');
}

/** makeConfigRequest: a sidecar proxy asks for its destination service, with its service upstreams. */
export function configRequestFor(s: Registration): ServiceConfigRequest {
  const sidecar = s.Kind === CONNECT_PROXY;
  const upstreams = sidecar ? (s.Proxy?.Upstreams ?? []).filter((u) => !u.DestinationType || u.DestinationType === 'service').map((u) => u.DestinationName ?? '') : [];
  return {
    Name: sidecar ? (s.Proxy?.DestinationServiceName ?? '') : s.Service,
    Upstreams: upstreams,
    MeshGatewayMode: s.Proxy?.MeshGateway?.Mode ?? '',
    Mode: s.Proxy?.Mode ?? '',
  };
}
