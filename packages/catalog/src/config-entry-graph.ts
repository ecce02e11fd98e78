/**
 * Consul's validateProposedConfigEntryInGraph / validateProposedConfigEntryInServiceGraph
 * (agent/consul/state/config_entry.go): after a change to a discovery-chain entry
 * (service-router, service-splitter, service-resolver), service-defaults, proxy-defaults or mesh,
 * every chain the change can touch must still compile (discovery-chain/compile.ts); the first
 * compile error is the write's error. A service-intentions entry's JWT providers must exist. Checked inside apply against the table as it would be
 * after the change, so two concurrent writes cannot both pass.
 */
import type { ConfigEntry } from './config-entry-types.js';
import { gatewayClashError, ingressProtocolError } from './config-entry-gateway-graph.js';
import { jwtProvidersMissingError } from './config-entry-jwt-graph.js';
import { compileDiscoveryChain, DiscoveryChainGraphError, type ConfigEntryView } from './discovery-chain/compile.js';
import { relatedServices } from './discovery-chain/related.js';

export type { ConfigEntryView } from './discovery-chain/compile.js';

/** The kinds whose entries are discovery chains (serviceGraphKinds). */
const CHAIN_KINDS = ['service-router', 'service-splitter', 'service-resolver'] as const;
const GRAPH_KINDS = new Set<string>([...CHAIN_KINDS, 'service-defaults', 'proxy-defaults', 'mesh']);

// testCompileDiscoveryChain compiles in an arbitrary datacenter and trust domain: neither changes whether a chain compiles.
const CHECK_DATACENTER = 'dc1';
const CHECK_TRUST_DOMAIN = 'b6fc9da3-03d4-4b5a-9134-c045e9b20152.consul';

const nameOf = (e: ConfigEntry): string => e.Name ?? '';

/** The chains a change of (kind, name) can break, sorted. */
function affectedChains(view: ConfigEntryView, kind: string, name: string): string[] {
  const chains = new Set<string>();
  const entries = CHAIN_KINDS.flatMap((k) => view.list(k));
  if (kind === 'proxy-defaults' || kind === 'mesh') {
    for (const e of entries) chains.add(nameOf(e));
  } else {
    chains.add(name);
    // The config-entries table's "link" index: chain entries that name this service.
    const lower = name.toLowerCase();
    for (const e of entries) if (relatedServices(e).some((s) => s.toLowerCase() === lower)) chains.add(nameOf(e));
  }
  return [...chains].sort();
}

/** Consul's ConfigEntryGraphError text for the chains a change of (kind, name) touches, or undefined. */
export function configEntryGraphError(view: ConfigEntryView, kind: string, name: string): string | undefined {
  return gatewayClashError(view, kind, name) ?? jwtProvidersMissingError(view, kind, name) ?? chainError(view, kind, name) ?? ingressProtocolError(view, kind, name);
}

/** The first compile error of a chain the change touches. */
function chainError(view: ConfigEntryView, kind: string, name: string): string | undefined {
  if (!GRAPH_KINDS.has(kind)) return undefined;
  for (const chain of affectedChains(view, kind, name)) {
    try {
      compileDiscoveryChain(view, { serviceName: chain, evaluateInDatacenter: CHECK_DATACENTER, evaluateInTrustDomain: CHECK_TRUST_DOMAIN });
    } catch (err) {
      if (err instanceof DiscoveryChainGraphError) return err.message;
      throw err;
    }
  }
  return undefined;
}
