/**
 * `connect { sidecar_service {} }`: the agent turns the nested definition into a second
 * service registration, as Consul's agent/sidecar_service.go does (sidecarServiceFromNodeService,
 * sidecarPortFromServiceIDLocked, sidecarDefaultChecks). The sidecar is a connect-proxy named
 * `<name>-sidecar-proxy` with ID `<id>-sidecar-proxy`, fronting the parent instance; its port
 * comes from ports.sidecar_min_port..sidecar_max_port unless given.
 */
import type { CheckType } from '../checks/index.js';
import type { ServiceDefinition } from '../config/index.js';
import { CONNECT_PROXY } from './validate-service.js';

/** structs.SidecarProxySuffix. */
export const SIDECAR_SUFFIX = '-sidecar-proxy';

export function sidecarIdFor(serviceId: string): string {
  return serviceId + SIDECAR_SUFFIX;
}

export interface ExpandedSidecar {
  /** The parent as stored: its Connect without SidecarService (registration sugar only). */
  parent: ServiceDefinition;
  /** The sidecar with Consul's defaults filled in; Port may still be 0 (assigned on registration). */
  sidecar: ServiceDefinition;
  /** The sidecar's own token when it has one, else the parent's. */
  token: string;
}

/** Splits a definition with `Connect.SidecarService` into the parent and its sidecar; undefined without one. */
export function expandSidecar(def: ServiceDefinition, token: string): ExpandedSidecar | undefined {
  const nested = def.Connect?.SidecarService;
  if (!nested) return undefined;
  const { SidecarService: _sugar, ...connect } = def.Connect!;
  const parent: ServiceDefinition = { ...def, Connect: connect };
  const id = def.ID || def.Name;
  const { Token: sidecarToken, ...rest } = nested;
  const sidecar: ServiceDefinition = { ...rest, ID: sidecarIdFor(id) };
  // Meta and tags come from the parent only when the sidecar gives none.
  if (Object.keys(sidecar.Meta ?? {}).length === 0 && Object.keys(def.Meta ?? {}).length > 0) sidecar.Meta = { ...def.Meta };
  if ((sidecar.Tags ?? []).length === 0 && (def.Tags ?? []).length > 0) sidecar.Tags = [...def.Tags!];
  if (!sidecar.Kind) sidecar.Kind = CONNECT_PROXY;
  if (!sidecar.Name) sidecar.Name = def.Name + SIDECAR_SUFFIX;
  if (!sidecar.Address && def.Address) sidecar.Address = def.Address;
  const proxy = { ...(sidecar.Proxy ?? {}) };
  if (!proxy.DestinationServiceName) proxy.DestinationServiceName = def.Name;
  if (!proxy.DestinationServiceID) proxy.DestinationServiceID = id;
  // The local service's address and port default from the parent when not all of them are given.
  if (!proxy.LocalServiceSocketPath && (!proxy.LocalServiceAddress || !(proxy.LocalServicePort! >= 1))) {
    if (def.SocketPath) {
      proxy.LocalServiceSocketPath = def.SocketPath;
    } else {
      if (!proxy.LocalServiceAddress) proxy.LocalServiceAddress = '127.0.0.1';
      if (!(proxy.LocalServicePort! >= 1) && def.Port) proxy.LocalServicePort = def.Port;
    }
  }
  sidecar.Proxy = proxy;
  return { parent, sidecar, token: sidecarToken || token };
}

export interface SidecarPortRange {
  min: number;
  max: number;
}

/**
 * The port of sidecar `sidecarId`: the one it already has when inside the range (a re-registration
 * or a restart keeps it), else the lowest port of the range no other local service uses.
 * Throws Consul's error when the range is disabled or full.
 */
export function sidecarPort(sidecarId: string, services: readonly { ID: string; Port: number }[], range: SidecarPortRange): number {
  const { min, max } = range;
  if (min > 0 && max >= min) {
    const used = new Set<number>();
    for (const s of services) {
      if (s.Port < min || s.Port > max) continue;
      if (s.ID === sidecarId) return s.Port;
      used.add(s.Port);
    }
    for (let p = min; p <= max; p++) if (!used.has(p)) return p;
  }
  if (min < 1 || max < 1) throw new Error('no port provided for sidecar_service and auto-assignment disabled in config');
  throw new Error(`no port provided for sidecar_service and none left in the configured range [${min}, ${max}]`);
}

/** sidecarDefaultChecks: a TCP check of the proxy's port and an alias of the parent. */
export function sidecarDefaultChecks(sidecarId: string, sidecarAddress: string, localServiceAddress: string, port: number): CheckType[] {
  const address = sidecarAddress || localServiceAddress;
  const parentId = sidecarId.endsWith(SIDECAR_SUFFIX) ? sidecarId.slice(0, -SIDECAR_SUFFIX.length) : sidecarId;
  return [
    { Name: 'Connect Sidecar Listening', TCP: `${address.includes(':') ? `[${address}]` : address}:${port}`, Interval: '10s' },
    { Name: `Connect Sidecar Aliasing ${parentId}`, AliasService: parentId },
  ];
}
