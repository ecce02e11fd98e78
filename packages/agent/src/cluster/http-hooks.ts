// What clustering adds to every HTTP app of a server: forwarding to the leader (forward.ts) and
// the true X-Consul-KnownLeader / X-Consul-LastContact on every state read answered here.
import type { FastifyInstance } from 'fastify';
import { ANONYMOUS_TOKEN_SECRET } from '../acl/identities.js';
import type { AgentContext } from '../context.js';
import { forwardedReplies, installForwarding } from './forward.js';

export function installClusterHooks(app: FastifyInstance, ctx: AgentContext, forwardedOnly: boolean): void {
  const cluster = ctx.cluster;
  const acl = ctx.config.acl;
  const defaultToken = acl.enabled && !cluster.server ? () => acl.tokens.default || ANONYMOUS_TOKEN_SECRET : undefined;
  const c = ctx.config;
  installForwarding(app, cluster, {
    datacenter: c.datacenter, nodeName: c.nodeName, forwardedOnly, queryTimes: c.queryTimes, discoveryMaxStaleMs: c.discoveryMaxStaleMs,
    ...(defaultToken ? { defaultToken } : {}),
  });
  app.addHook('onSend', async (req, reply) => {
    if (reply.getHeader('X-Consul-KnownLeader') === undefined || forwardedReplies.has(reply)) return;
    // Two fields of the node, not its whole status: this runs on every read a server answers.
    const node = cluster.node();
    reply.header('X-Consul-KnownLeader', String(node ? node.leader() !== null : false));
    reply.header('X-Consul-LastContact', String(node ? node.lastContactMs() : 0));
  });
}
