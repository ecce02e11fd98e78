// A registration's Proxy and Connect as the agent keeps them (structs.ServiceDefinition.NodeService).
import type { ServiceDefinition } from '../config/index.js';
import type { AgentService } from './types.js';

export function meshFields(def: ServiceDefinition): Pick<AgentService, 'Proxy' | 'Connect'> {
  const out: Pick<AgentService, 'Proxy' | 'Connect'> = {};
  if (def.Proxy) {
    // An upstream without a type is a service upstream.
    const upstreams = def.Proxy.Upstreams?.map((u) => ({ ...u, DestinationType: u.DestinationType || 'service' }));
    out.Proxy = { ...structuredClone(def.Proxy), ...(upstreams ? { Upstreams: upstreams } : {}) };
  }
  if (def.Connect?.Native) out.Connect = { Native: true };
  return out;
}
