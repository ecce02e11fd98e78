/**
 * The part of Consul's validateProposedConfigEntryInGraph (state/config_entry.go, compiled by
 * discoverychain/compile.go) that the stored kinds reach: a service-splitter needs its service's
 * protocol to be http, http2 or grpc. The protocol is the service-defaults' Protocol, else
 * proxy-defaults' `Config.protocol`, else tcp. Checked after every change that can break it (a
 * splitter, service-defaults or proxy-defaults written or deleted), inside apply so that two
 * concurrent writes cannot both pass.
 */
import type { ConfigEntry } from './config-entry-types.js';
import { gatewayClashError, ingressProtocolError } from './config-entry-gateway-graph.js';

const L7 = new Set(['http', 'http2', 'grpc']);

export interface ConfigEntryView {
  get(kind: string, name: string): ConfigEntry | undefined;
  list(kind?: string): ConfigEntry[];
}

/** The protocol a service's discovery chain compiles with. */
export function serviceProtocol(view: ConfigEntryView, service: string): string {
  const sd = view.get('service-defaults', service);
  if (sd && typeof sd.Protocol === 'string' && sd.Protocol !== '') return sd.Protocol;
  const config = view.get('proxy-defaults', 'global')?.Config as Record<string, unknown> | null | undefined;
  const p = config?.protocol;
  if (typeof p === 'string' && p !== '') return p;
  return 'tcp';
}

/** Consul's ConfigEntryGraphError text for the chains a change of (kind, name) touches, or undefined. */
export function configEntryGraphError(view: ConfigEntryView, kind: string, name: string): string | undefined {
  return gatewayClashError(view, kind, name) ?? chainProtocolError(view, kind, name) ?? ingressProtocolError(view, kind, name);
}

function chainProtocolError(view: ConfigEntryView, kind: string, name: string): string | undefined {
  let chains: string[];
  if (kind === 'service-splitter' || kind === 'service-defaults') chains = view.get('service-splitter', name) ? [name] : [];
  else if (kind === 'proxy-defaults') chains = view.list('service-splitter').map((e) => e.Name ?? '');
  else return undefined;
  for (const chain of chains) {
    const protocol = serviceProtocol(view, chain);
    if (!L7.has(protocol)) return `discovery chain ${JSON.stringify(chain)} uses a protocol ${JSON.stringify(protocol)} that does not permit advanced routing or splitting behavior`;
  }
  return undefined;
}
