/**
 * Built-in policies and the rules Consul synthesizes for service and node identities
 * (agent/structs/acl.go): a service identity may register its service (and sidecar) and
 * discover others; a node identity may register its node and read services.
 */
import { parseRules, type PolicyRules } from './rules.js';

export const GLOBAL_MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001';
export const GLOBAL_MANAGEMENT_POLICY_NAME = 'global-management';
export const ANONYMOUS_TOKEN_ID = '00000000-0000-0000-0000-000000000002';
export const ANONYMOUS_TOKEN_SECRET = 'anonymous';

export interface ServiceIdentity {
  ServiceName: string;
  Datacenters?: string[];
}

export interface NodeIdentity {
  NodeName: string;
  Datacenter: string;
}

/** Consul's naming rule for service and node identity names. */
export const IDENTITY_NAME = /^[a-z0-9]([a-z0-9-_]*[a-z0-9])?$/;

export function serviceIdentityRules(id: ServiceIdentity): PolicyRules {
  const n = JSON.stringify(id.ServiceName);
  const sidecar = JSON.stringify(`${id.ServiceName}-sidecar-proxy`);
  return parseRules(
    `service ${n} { policy = "write" }\nservice ${sidecar} { policy = "write" }\nservice_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }`,
  );
}

export function nodeIdentityRules(id: NodeIdentity): PolicyRules {
  return parseRules(`node ${JSON.stringify(id.NodeName)} { policy = "write" }\nservice_prefix "" { policy = "read" }`);
}

/** The rules text of global-management, as Consul shows it (everything writable). */
export const GLOBAL_MANAGEMENT_RULES = `
acl = "write"
agent_prefix "" {
  policy = "write"
}
event_prefix "" {
  policy = "write"
}
key_prefix "" {
  policy = "write"
}
keyring = "write"
node_prefix "" {
  policy = "write"
}
operator = "write"
mesh = "write"
peering = "write"
query_prefix "" {
  policy = "write"
}
service_prefix "" {
  policy = "write"
  intentions = "write"
}
session_prefix "" {
  policy = "write"
}`;
