// The leader's reconcile of LAN gossip into the catalog (Consul's leader.go reconcileMember):
// every member is a node with a `serfHealth` check owned by the leader - passing while the
// member is alive, critical when it failed; a member that left or was reaped is deregistered,
// as is a node with a serfHealth check that gossip no longer knows at all.
// Servers other than the leader also get their `consul` service (the leader registers its own).
import type { ApplyResult, Catalog, Command } from '@proconsul/catalog';
import type { Applier } from './apply/applier.js';
import { MemberStatus, type AgentMember } from './gossip/index.js';
import { CONSUL_SERVICE_ID, consulServiceOf, SERF_HEALTH_CHECK_ID } from './leader.js';

const ALIVE_OUTPUT = 'Agent alive and reachable';
const FAILED_OUTPUT = 'Agent not live or unreachable';

export interface MemberReconcileOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  datacenter: string;
  /** The leader itself: registered by Leader.ensureRegistered. */
  selfName: string;
  now: () => number;
}

/** Writes what differs between `members` and the catalog; returns the number of writes. */
export async function reconcileMembers(members: AgentMember[], o: MemberReconcileOptions): Promise<number> {
  let writes = 0;
  for (const m of members) {
    if (m.Name === o.selfName || (m.Tags.dc && m.Tags.dc !== o.datacenter)) continue;
    const cmd = commandFor(m, o);
    if (!cmd) continue;
    const r = await o.applier.apply(cmd);
    if (!r.ok) throw new Error(`reconcile of member ${m.Name} refused: ${r.error}`);
    writes++;
  }
  // reconcileReaped: a node with our serfHealth check that is no member any more (reaped, or
  // dropped by force-leave -prune before anyone saw it leave) is deregistered too.
  const known = new Set(members.map((m) => m.Name));
  for (const n of o.catalog.nodes().value) {
    if (n.Node === o.selfName || known.has(n.Node)) continue;
    if (!o.catalog.nodeChecks(n.Node).value.some((c) => c.CheckID === SERF_HEALTH_CHECK_ID)) continue;
    const r = await o.applier.apply({ Type: 'Deregister', Node: n.Node, Now: o.now() });
    if (!r.ok) throw new Error(`reconcile of reaped node ${n.Node} refused: ${r.error}`);
    writes++;
  }
  return writes;
}

function commandFor(m: AgentMember, o: MemberReconcileOptions): Command | null {
  const node = o.catalog.getNode(m.Name);
  const serf = o.catalog.nodeChecks(m.Name).value.find((c) => c.CheckID === SERF_HEALTH_CHECK_ID);
  if (m.Status === MemberStatus.left || m.Status === MemberStatus.none) {
    return node ? { Type: 'Deregister', Node: m.Name, Now: o.now() } : null;
  }
  if (m.Status === MemberStatus.failed) {
    if (!node || serf?.Status === 'critical') return null;
    return { Type: 'Register', Node: m.Name, SkipNodeUpdate: true, Check: serfHealth('critical', FAILED_OUTPUT), Now: o.now() };
  }
  if (m.Status !== MemberStatus.alive) return null;
  const server = m.Tags.role === 'consul' ? consulServiceOf(Number(m.Tags.port)) : undefined;
  const hasService = !server || o.catalog.node(m.Name).value?.Services[CONSUL_SERVICE_ID] !== undefined;
  if (node && node.Address === m.Addr && serf?.Status === 'passing' && hasService) return null;
  return {
    Type: 'Register',
    ...(m.Tags.id ? { ID: m.Tags.id } : {}),
    Node: m.Name,
    Address: m.Addr,
    // A node absent now may be registered by its own agent (with its tagged addresses and
    // meta) before this write applies: create it only if still absent. A moved node keeps
    // them, as Consul's handleAliveMember does; its agent's next sync brings them up to date.
    SkipNodeUpdate: !node || node.Address === m.Addr,
    ...(node?.TaggedAddresses ? { TaggedAddresses: node.TaggedAddresses } : {}),
    ...(node?.Meta ? { NodeMeta: node.Meta } : {}),
    ...(server ? { Service: server } : {}),
    Check: serfHealth('passing', ALIVE_OUTPUT),
    Now: o.now(),
  };
}

function serfHealth(Status: 'passing' | 'critical', Output: string) {
  return { CheckID: SERF_HEALTH_CHECK_ID, Name: 'Serf Health Status', Status, Output, Type: '' };
}
