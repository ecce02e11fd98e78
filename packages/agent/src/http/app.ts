// Builds the fastify app of the HTTP API: one plugin per route group, Consul's error bodies
// (plain text), body limits, repeated slashes collapsed. Started by ../agent.ts.
import { createRequire } from 'node:module';
import type { FastifyError, FastifyInstance } from 'fastify';
import { defaultPolicyHeader } from '../acl/config.js';
import { installAclEnforcement } from '../acl/enforce.js';
import { aclRoutes } from '../acl/routes.js';
import { installResponseHeadersAndBlocks, installWriteAccess } from './http-config.js';
import { installPrintablePathCheck } from './printable-path.js';
import type { AgentContext } from '../context.js';
import { METRICS_DECORATION, ROUTE_METHODS_DECORATION } from './endpoint.js';
import { methodNotAllowed, ROUTER_OPTIONS, RouteMethods } from './route-methods.js';
import { installClusterHooks } from '../cluster/http-hooks.js';
import { installAgentCache } from '../cache/install.js';
import { limitConnsPerClient } from './conn-limit.js';
import { memoFor } from './read-memo.js';
import { HttpError } from './http-error.js';
import { unknownPathText } from './not-found.js';
import { lazySchemaCompilers } from './schema-compilers.js';
import { agentRoutes } from './routes/agent.js';
import { catalogRoutes } from './routes/catalog.js';
import { healthRoutes } from './routes/health.js';
import { kvRoutes } from './routes/kv.js';
import { sessionRoutes } from './routes/session.js';
import { eventRoutes } from './routes/event.js';
import { txnRoutes } from './routes/txn.js';
import { statusRoutes } from './routes/status.js';
import { uiRoutes } from './routes/ui.js';
import { operatorRaftRoutes } from './routes/operator-raft.js';
import { keyringRoutes } from './routes/keyring.js';
import { snapshotRoutes } from './routes/snapshot.js';
import { agentMetricsStreamRoutes } from './routes/agent-metrics-stream.js';
import { agentMonitorRoutes } from './routes/agent-monitor.js';
import { agentHostRoutes } from './routes/agent-host.js';
import { operatorAutopilotRoutes } from './routes/operator-autopilot.js';
import { internalServiceVirtualIPRoutes } from './routes/internal-service-virtual-ip.js';
import { peeringRoutes } from './routes/peering.js';
import { exportedServicesRoutes } from './routes/exported-services.js';
import { operatorUsageRoutes } from './routes/operator-usage.js';
import { queryRoutes } from './routes/query.js';
import { coordinateRoutes } from './routes/coordinate.js';
import { configEntryRoutes } from '../config-entries/routes.js';
import { discoveryChainRoutes } from '../config-entries/discovery-chain-routes.js';
import { resolveNearAgent } from '../coordinate/near.js';
import { connectCARoutes } from '../connect/ca-routes.js';
import { agentConnectRoutes } from '../connect/agent-routes.js';
import { connectIntentionRoutes } from '../connect/intentions/plugin.js';

// Required, not imported, as pino in ../log.ts.
const { fastify: Fastify } = createRequire(import.meta.url)('fastify') as typeof import('fastify');

/** Default limit for JSON request bodies; KV and txn set their own. */
export const BODY_BYTES_MAX = 1024 * 1024;

export interface HttpAppOptions {
  /** The app that runs requests other servers forward here (agent RPC), never a listener. */
  forwardedOnly?: boolean;
  /** Serve HTTPS with these (node:tls) options instead of plain HTTP. */
  https?: import('node:https').ServerOptions;
}

export async function buildHttpApp(ctx: AgentContext, options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    logger: false,
    bodyLimit: BODY_BYTES_MAX,
    exposeHeadRoutes: false,
    routerOptions: { ...ROUTER_OPTIONS },
    return503OnClosing: false,
    // Shutdown must not wait for blocking queries (up to 10 min): their sockets are closed,
    // which aborts the waits.
    forceCloseConnections: true,
    schemaController: { compilersFactory: lazySchemaCompilers },
  });

  const connLimit = limitConnsPerClient(app.server, ctx.config.limits.httpMaxConnsPerClient);
  // Consul's outermost check, before http_config's headers.
  if (options.forwardedOnly !== true && !ctx.config.disableHttpUnprintableCharFilter) installPrintablePathCheck(app);
  // http_config (http-config.ts) applies where a client's request arrives, not to forwarded ones.
  if (options.forwardedOnly !== true) installResponseHeadersAndBlocks(app, ctx.config.httpConfig, ctx.log.http);
  // Before forwarding: `?near=_agent` means this agent, not the leader that answers.
  if (options.forwardedOnly !== true) resolveNearAgent(app, ctx.config.nodeName);
  // `?cached` reads answer from the agent cache before forwarding (src/cache/).
  if (options.forwardedOnly !== true) installAgentCache(app, ctx);
  installClusterHooks(app, ctx, options.forwardedOnly === true);
  ctx.metrics.gaugeFunc('http.conns_refused', () => connLimit.refused);

  // Bodies are raw bytes; each endpoint decodes them as Consul does (JSON, raw KV values).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Consul sends the default ACL policy on every response; it must say what is enforced.
  const aclPolicy = defaultPolicyHeader(ctx.config.acl);
  app.addHook('onRequest', (_req, reply, done) => {
    reply.header('X-Consul-Default-ACL-Policy', aclPolicy);
    done();
  });
  // OPTIONS, and a method the path's route does not take, are answered before ACLs and forwarding.
  const routeMethods = new RouteMethods();
  app.decorate(ROUTE_METHODS_DECORATION, routeMethods);
  app.addHook('onRequest', (req, reply, done) => {
    const allow = req.is404 ? routeMethods.unrouted(req) : undefined;
    if (allow === undefined) return done();
    reply.header('Allow', allow);
    if (req.method !== 'OPTIONS') return done(methodNotAllowed(req.method));
    void reply.code(200).header('content-type', 'text/plain; charset=utf-8').send('');
  });
  if (options.forwardedOnly !== true) installWriteAccess(app, ctx.config.httpConfig, ctx.log.http);
  // ACL enforcement hooks for every route (src/acl/); the /v1/acl routes are registered below.
  const aclResolver = installAclEnforcement(app, ctx);

  // Every endpoint times itself into this registry (endpoint.ts).
  app.decorate(METRICS_DECORATION, ctx.metrics);
  memoFor(ctx); // its metrics exist from the start

  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    let status = 500;
    let message = err.message;
    if (err instanceof HttpError) status = err.statusCode;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      message = `Request body too large, max size: ${reply.routeOptions.bodyLimit ?? BODY_BYTES_MAX} bytes`;
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
    } else {
      ctx.log.http.error({ err, url: req.url }, 'request failed');
    }
    void reply.code(status).header('X-Consul-Default-ACL-Policy', aclPolicy).header('content-type', 'text/plain; charset=utf-8').send(message);
  });

  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .header('X-Consul-Default-ACL-Policy', aclPolicy)
      .header('content-type', 'text/plain; charset=utf-8')
      .send(unknownPathText(req.url));
  });

  await app.register(aclRoutes, { ctx, resolver: aclResolver });
  await app.register(agentRoutes, { ctx });
  await app.register(catalogRoutes, { ctx });
  await app.register(healthRoutes, { ctx });
  await app.register(kvRoutes, { ctx });
  await app.register(sessionRoutes, { ctx });
  await app.register(eventRoutes, { ctx });
  await app.register(txnRoutes, { ctx });
  await app.register(statusRoutes, { ctx });
  await app.register(operatorRaftRoutes, { ctx });
  await app.register(keyringRoutes, { ctx, forwardedOnly: options.forwardedOnly === true });
  await app.register(snapshotRoutes, { ctx });
  await app.register(agentMonitorRoutes, { ctx });
  await app.register(agentMetricsStreamRoutes, { ctx });
  await app.register(agentHostRoutes);
  await app.register(operatorAutopilotRoutes, { ctx });
  await app.register(internalServiceVirtualIPRoutes, { ctx });
  await app.register(operatorUsageRoutes, { ctx });
  await app.register(queryRoutes, { ctx, forwardedOnly: options.forwardedOnly === true });
  await app.register(coordinateRoutes, { ctx });
  await app.register(connectCARoutes, { ctx });
  await app.register(agentConnectRoutes, { ctx });
  await app.register(configEntryRoutes, { ctx });
  await app.register(peeringRoutes, { ctx });
  await app.register(exportedServicesRoutes, { ctx });
  await app.register(discoveryChainRoutes, { ctx });
  await app.register(connectIntentionRoutes, { ctx });
  if (ctx.config.ui) {
    app.get('/', (_req, reply) => reply.redirect('/ui/', 301));
    app.get('/ui', (_req, reply) => reply.redirect('/ui/', 301));
    await app.register(uiRoutes, { ctx, prefix: '/ui' });
  }
  return app;
}
