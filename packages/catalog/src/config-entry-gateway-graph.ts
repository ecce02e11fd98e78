/**
 * The gateway parts of Consul's validateProposedConfigEntryInGraph (state/config_entry.go):
 * checkGatewayClash (an ingress and a terminating gateway may not share a name) and the
 * ingress listener protocol check of validateProposedConfigEntryInServiceGraph: each service a
 * listener names (not `*`) must compile with the listener's protocol. Written directly, an
 * ingress entry must match exactly; when a service's protocol moves under it (service-defaults,
 * proxy-defaults, a router or splitter), a tcp listener may still front a service whose chain
 * starts at its resolver. Run inside apply, after the change, as config-entry-graph.ts is.
 */
import type { ConfigEntry } from './config-entry-types.js';
import { serviceProtocol, type ConfigEntryView } from './discovery-chain/compile.js';
import { lower } from './util.js';

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** checkGatewayClash for a written gateway entry, or undefined. */
export function gatewayClashError(view: ConfigEntryView, kind: string, name: string): string | undefined {
  const other = kind === 'ingress-gateway' ? 'terminating-gateway' : kind === 'terminating-gateway' ? 'ingress-gateway' : undefined;
  if (other === undefined || !view.get(kind, name) || !view.get(other, name)) return undefined;
  return `cannot create a ${JSON.stringify(kind)} config entry with name ${JSON.stringify(name)}, a ${JSON.stringify(other)} config entry with that name already exists`;
}

/** The chain's top node is its resolver unless a router or splitter sits above it. */
const startsAtResolver = (view: ConfigEntryView, service: string): boolean => !view.get('service-router', service) && !view.get('service-splitter', service);

function listenerProtocolError(view: ConfigEntryView, entry: ConfigEntry, strict: boolean, only?: string): string | undefined {
  for (const lis of list(entry.Listeners)) {
    const expected = str(lis.Protocol);
    for (const svc of list(lis.Services)) {
      const name = str(svc.Name);
      if (name === '*' || (only !== undefined && lower(name) !== only)) continue;
      const actual = serviceProtocol(view, name);
      if (actual === expected) continue;
      if (strict || expected !== 'tcp' || !startsAtResolver(view, name)) {
        return `service ${JSON.stringify(name)} has protocol ${JSON.stringify(actual)}, which does not match defined listener protocol ${JSON.stringify(expected)}`;
      }
    }
  }
  return undefined;
}

/** The ingress listener protocol check for a change of (kind, name), or undefined. */
export function ingressProtocolError(view: ConfigEntryView, kind: string, name: string): string | undefined {
  if (kind === 'ingress-gateway') {
    const entry = view.get(kind, name);
    return entry ? listenerProtocolError(view, entry, true) : undefined; // a delete checks nothing
  }
  const ingresses = view.list('ingress-gateway');
  if (kind === 'proxy-defaults') {
    for (const e of ingresses) {
      const err = listenerProtocolError(view, e, false);
      if (err) return err;
    }
    return undefined;
  }
  if (!['service-defaults', 'service-router', 'service-splitter', 'service-resolver'].includes(kind)) return undefined;
  for (const e of ingresses) {
    const err = listenerProtocolError(view, e, false, lower(name));
    if (err) return err;
  }
  return undefined;
}
