/**
 * What a client agent may write through `Raft.Apply` with the token it sends (Consul's
 * Catalog.Register / Catalog.Deregister ACL checks, vetRegisterWithACL and
 * vetDeregisterWithACL): a new or changed node needs node:write, a service service:write
 * (on its old name too when an ID changes name), a service's check service:write, a node
 * check node:write; a deregistration node:write, else service:write on what it removes.
 * A client sends nothing else; any other command is refused.
 */
import type { Catalog, Command } from '@proconsul/catalog';
import { decodeCommand } from '../raft/catalog-fsm.js';
import type { Authorizer } from './authorizer.js';
import { permissionDenied } from './enforce.js';
import type { Denial } from './permissions.js';
import type { ExactResolver } from './resolver.js';

const need = (a: Authorizer, resource: 'node' | 'service', name: string): Denial | undefined =>
  a.allowed(resource, name, 'write') ? undefined : { resource, need: 'write', name };

export function vetClientCommand(cmd: Command, a: Authorizer, catalog: Catalog): Denial | undefined {
  if (a.isManagement) return undefined;
  if (cmd.Type === 'Register') {
    const existing = catalog.node(cmd.Node).value;
    if (!cmd.SkipNodeUpdate || !existing) {
      const d = need(a, 'node', cmd.Node);
      if (d) return d;
    }
    const services = existing?.Services ?? {};
    const serviceName = (id: string): string | undefined =>
      cmd.Service && (cmd.Service.ID || cmd.Service.Service) === id ? cmd.Service.Service : services[id]?.Service;
    if (cmd.Service) {
      const d = need(a, 'service', cmd.Service.Service);
      if (d) return d;
      const before = services[cmd.Service.ID || cmd.Service.Service]?.Service;
      if (before !== undefined && before !== cmd.Service.Service) {
        const d2 = need(a, 'service', before);
        if (d2) return d2;
      }
    }
    for (const c of [...(cmd.Check ? [cmd.Check] : []), ...(cmd.Checks ?? [])]) {
      const svc = c.ServiceID ? serviceName(c.ServiceID) : undefined;
      const d = svc !== undefined ? need(a, 'service', svc) : need(a, 'node', cmd.Node);
      if (d) return d;
    }
    return undefined;
  }
  if (cmd.Type === 'Deregister') {
    // node:write on the node covers everything on it (the agent token deregisters what a
    // service's own token registered, as Consul's anti-entropy does).
    if (a.allowed('node', cmd.Node, 'write')) return undefined;
    const node = catalog.node(cmd.Node).value;
    if (cmd.ServiceID) {
      const svc = node?.Services[cmd.ServiceID]?.Service;
      return svc !== undefined ? need(a, 'service', svc) : need(a, 'node', cmd.Node);
    }
    if (cmd.CheckID) {
      const check = catalog.nodeChecks(cmd.Node).value.find((c) => c.CheckID === cmd.CheckID);
      return check?.ServiceName ? need(a, 'service', check.ServiceName) : need(a, 'node', cmd.Node);
    }
    return need(a, 'node', cmd.Node);
  }
  return { resource: 'acl', need: 'write' };
}

/**
 * The check a server runs on `Raft.Apply` from a client agent: the entry's command against the
 * token the client sent. Throws Consul's texts ("ACL not found", "Permission denied: ..."),
 * which the client receives as the RPC's error.
 */
export function clientApplyGuard(resolver: ExactResolver, catalog: Catalog): (data: Uint8Array, token: string) => Promise<void> {
  return async (data, token) => {
    const identity = await resolver.resolveExact(token); // throws AclNotFoundError ("ACL not found")
    const cmd = decodeCommand(data);
    const denial = cmd ? vetClientCommand(cmd, identity.authz, catalog) : { resource: 'acl' as const, need: 'write' as const };
    if (denial) throw permissionDenied(identity, denial);
  };
}
