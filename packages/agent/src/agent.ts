// startAgent: composes the catalog (state machine), the apply seam, local state with its
// checks and anti-entropy, the leader loop, the HTTP API and DNS into one running agent.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startCoordinateSync } from './coordinate/sync.js';
import { Catalog, type ApplyResult, type Command } from '@proconsul/catalog';
import type { DnsServer } from '@proconsul/dns';
import type { FastifyInstance } from 'fastify';
import { securityIssues } from './acl/config.js';
import { aclDnsBackend } from './acl/dns.js';
import { agentCallToken, deniedAccessor, isAclError, loadPersistedTokens, ownWriteToken } from './acl/agent-tokens.js';
import { clientApplyGuard } from './acl/apply-authz.js';
import { ANONYMOUS_TOKEN_SECRET } from './acl/identities.js';
import { RemoteAclResolver } from './acl/remote-resolver.js';
import { ReplicatingResolver } from './acl/replicating-resolver.js';
import { AclResolver, type ExactResolver, type IdentityResolver } from './acl/resolver.js';
import { inPrimaryDatacenter, resolvesTokensInPrimary } from './acl/datacenters.js';
import { AclReplicator } from './acl/replication.js';
import { serveAclRpc } from './acl/rpc-endpoints.js';
import { rpcTlsConfigured } from './tls/config.js';
import { readHttpsTls, type AutoHttpsTls } from './tls/server.js';
import { joinHostPort, nodeTaggedAddresses, resolveAdvertiseAddr } from './addresses.js';
import type { AgentConfig } from './config/index.js';
import type { WatchEndpoint } from './watches/agent-watches.js';
import { loadConfig } from './config/index.js';
import { watchConfigPaths } from './config/file-watcher.js';
import type { AgentContext } from './context.js';
import { catalogDnsBackend, forwardedDnsBackend, serverRead } from './dns-backend.js';
import { closeAgentCache } from './cache/index.js';
import { localQueryRunner, remoteQueryRunner, withPreparedQueries } from './prepared-query/dns.js';
import { clusterSeams } from './prepared-query/remote.js';
import { UserEvents } from './events/user-events.js';
import { remoteExecHandler } from './events/remote-exec-handler.js';
import { startGossip } from './gossip/index.js';
import { buildHttpApp } from './http/app.js';
import { ChangeFeed } from './http/change-feed.js';
import { Leader, nodeRegistration } from './leader.js';
import { AntiEntropy } from './local/anti-entropy.js';
import { LocalState } from './local/local-state.js';
import { LogFile } from './log-file.js';
import { createLoggers, LogTap, type Logger } from './log.js';
import { MetricsRegistry, registerRuntimeGauges } from './metrics/index.js';
import { StatsdSink } from './metrics/statsd.js';
import { resolveNodeId } from './node-id.js';
import { writePidFile } from './pid-file.js';
import { lockDataDir } from './data-dir-lock.js';
import { executeForwarded } from './cluster/forward.js';
import { serveSyncEndpoints } from './cluster/sync-endpoints.js';
import { serveVirtualIPForService } from './cluster/virtual-ip-endpoint.js';
import { serveConnectCASign } from './connect/sign-rpc.js';
import { CentralConfigWatches } from './connect/central-config/watch.js';
import { serveResolveServiceConfig } from './connect/central-config/resolve-rpc.js';
import { configEntryReplicator } from './config-entries/replication.js';
import { serveConnectCASignIntermediate } from './connect/sign-intermediate-rpc.js';
import { ClientCluster } from './cluster/client-cluster.js';
import { serversIn } from './cluster/servers.js';
import type { ClusterRole, ForwardCall } from './cluster/role.js';
import type { ServerCluster } from './cluster/server-cluster.js';
import type { Applier } from './apply/applier.js';
import { catalogNodeView, nodeInfoInSync, remoteNodeView } from './local/node-view.js';
import { registerService } from './connect/register-service.js';

/** How long a client waits for a server to answer a token, policy or role lookup. */
const ACL_RPC_TIMEOUT_MS = 10_000;
/** A replication round's read of the primary: its blocking query's wait, jitter and a margin. */
const ACL_REPLICATION_TIMEOUT_MS = 100_000;

/** How often services past DeregisterCriticalServiceAfter are looked for (Consul: 30 s). */
const REAP_INTERVAL_MS = 30_000;

export interface StartAgentOptions {
  /** A root logger to use instead of a new pino logger on stdout (tests). */
  logger?: Logger;
  /** The argv the config came from; `agent/reload` re-reads it. */
  argv?: string[];
  /** Storage failed under the catalog's Raft log: by default log it and exit 1 (fail-stop). */
  onFatal?: (err: Error, log: Logger) => void;
}

/** Fail-stop: a server whose log cannot be written must not go on answering. */
function exitOnFatal(err: Error, log: Logger): void {
  log.fatal({ err }, `stopping: the Raft log cannot be written (${err.message})`);
  process.stderr.write(`==> Fatal: the Raft log cannot be written: ${err.message}\n`);
  process.exit(1);
}

export interface AgentHandle {
  config: AgentConfig;
  /** `host:port` of every HTTP listener (the first is the main one). */
  httpAddrs: string[];
  /** `host:port` of every DNS listener; empty when DNS is disabled. */
  dnsAddrs: string[];
  nodeId: string;
  log: Logger;
  /** Internal pieces, for in-process tests. */
  ctx: AgentContext;
  close(): Promise<void>;
}

export async function startAgent(initialConfig: AgentConfig, options: StartAgentOptions = {}): Promise<AgentHandle> {
  let config = initialConfig;
  const logTap = new LogTap();
  // log_file (src/log-file.ts): opened before anything logs; a path it cannot open refuses the start.
  const logFile = config.logFile && !options.logger ? new LogFile(config.logFile) : undefined;
  const log = createLoggers(config.logLevel, options.logger, config.logJson, logTap, logFile);
  const server = config.server || config.dev;
  if (!config.dev && !config.dataDir) throw new Error('data_dir is required outside -dev');
  for (const w of config.warnings ?? []) log.agent.warn(w);
  for (const issue of securityIssues(config)) log.agent.error({ error: issue }, '[SECURITY] issue');
  // Internal RPC TLS files are read before anything starts: a bad file refuses the start.
  // node:tls loads only when TLS is configured (docs/PERFORMANCE.md, client agent memory).
  // auto_encrypt.tls: a client's RPC TLS starts with the CA only; its certificate comes from the servers.
  // auto_config.enabled: the same, and the configuration itself comes from the servers first (src/auto-config/).
  const autoTls = !server && (config.autoEncrypt.tls || config.autoConfig.enabled);
  let rpcTls = rpcTlsConfigured(config.rpcTls) || autoTls ? (await import('./tls/rpc-tls.js')).RpcTls.load(config.rpcTls, autoTls) : null;
  let autoConfigured: import('./auto-config/start.js').AutoConfigured | undefined;
  if (!server && config.autoConfig.enabled && rpcTls) {
    autoConfigured = await (await import('./auto-config/start.js')).autoConfigure(config, options.argv, rpcTls, log.agent);
    config = autoConfigured.config;
    rpcTls = (await import('./tls/rpc-tls.js')).RpcTls.load(config.rpcTls, true);
  }
  // The config's watches are parsed before anything starts too; their module loads only when
  // some are configured (it brings the api client).
  const watchesModule = (): Promise<typeof import('./watches/agent-watches.js')> => import('./watches/agent-watches.js');
  const startWatches = config.watches.length > 0 ? (await watchesModule()).compileWatches(config.watches, log.watch) : [];
  const removePid = config.pidFile ? writePidFile(config.pidFile) : () => undefined;
  const cleanups: Array<() => Promise<void> | void> = [removePid];
  const closeAll = async (): Promise<void> => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        log.agent.error({ err }, 'error during shutdown');
      }
    }
  };

  try {
    if (!config.dev) cleanups.push(lockDataDir(config.dataDir));
    const nodeId = resolveNodeId(config.nodeId, config.dev ? '' : config.dataDir);
    const advertiseAddr = resolveAdvertiseAddr(config.advertiseAddr, config.bindAddr);
    const taggedAddresses = nodeTaggedAddresses(config, advertiseAddr);
    const now = (): number => Date.now();
    const catalog = new Catalog({ datacenter: config.datacenter });
    const localFeed = new ChangeFeed();

    const statsd = config.telemetry.statsd ? new StatsdSink(config.telemetry.statsd.host, config.telemetry.statsd.port) : undefined;
    // go-metrics' EnableHostname, on unless telemetry.disable_hostname: gauges are named
    // consul.<host>.<name>, as Consul's (the reason Prometheus setups set disable_hostname).
    const metrics = new MetricsRegistry({
      prefix: config.telemetry.metricsPrefix || 'consul',
      ...(config.telemetry.disableHostname ? {} : { hostname: hostname() }),
      ...(statsd ? { sink: statsd } : {}),
    });
    if (statsd) {
      const gauges = setInterval(() => metrics.emitGaugeFuncs(), 1000);
      gauges.unref();
      cleanups.push(() => {
        clearInterval(gauges);
        statsd.close();
      });
    }
    registerRuntimeGauges(metrics);
    metrics.gaugeFunc('catalog.blocking_queries', () => catalog.watchers);
    const events = new UserEvents();
    let antiEntropy: AntiEntropy | undefined;
    let centralConfig: CentralConfigWatches | undefined;
    const local = new LocalState({
      nodeName: config.nodeName,
      dataDir: config.dev ? '' : join(config.dataDir, 'local'),
      enableScriptChecks: config.enableScriptChecks,
      enableLocalScriptChecks: config.enableLocalScriptChecks,
      checkOutputMaxSize: config.checkOutputMaxSize,
      discardCheckOutput: config.discardCheckOutput,
      logger: log.checks,
      aliasCatalog: {
        checks: (node) => catalog.nodeChecks(node).value,
        serviceExists: (node, id) => (catalog.nodeServiceList(node).value.Services ?? []).some((s) => s.ID === id),
      },
      onChange: () => {
        localFeed.notify();
        antiEntropy?.trigger();
        centralConfig?.localChanged();
      },
    });
    cleanups.push(() => local.stop());
    const gossip = await startGossip({ config, nodeId, advertiseAddr, events, services: () => local.services(), log: log.serf });
    cleanups.push(() => gossip.close());

    let leader: Leader | undefined;
    let cluster: ClusterRole;
    let serverCluster: ServerCluster | undefined;
    let clientCluster: ClientCluster | undefined;
    let autoEncrypt: import('./tls/auto-encrypt.js').AutoEncrypt | undefined;
    let applier: Applier<Command, ApplyResult>;
    if (server) {
      // Loaded by servers only: a client agent holds no Raft code (its memory is budgeted).
      const { ServerCluster } = await import('./cluster/server-cluster.js');
      const sc = (serverCluster = await ServerCluster.start({
        config,
        nodeId,
        advertiseAddr,
        catalog,
        lan: gossip.lan,
        wan: gossip.wan,
        log: log.raft,
        rpcTls,
        onFatal: (err) => (options.onFatal ?? exitOnFatal)(err, log.agent),
        onLeadership: (isLeader) => void leader?.leadershipChanged(isLeader),
      }));
      cluster = sc;
      applier = sc.raft.applier;
      metrics.gaugeFunc('raft.wal.fsyncs', () => sc.node()?.fsyncCount() ?? 0);
    } else {
      // auto_encrypt.tls: the start waits for a certificate from a server, as Consul's (src/tls/auto-encrypt.ts).
      if (autoTls && rpcTls) {
        const { AutoEncrypt } = await import('./tls/auto-encrypt.js');
        const ae = (autoEncrypt = new AutoEncrypt({ config, rpcTls, servers: () => serversIn(gossip.lan, config.datacenter), token: () => agentCallToken(config.acl), log: log.agent }));
        cleanups.push(() => ae.stop());
        if (autoConfigured?.signed) {
          ae.seed(autoConfigured.signed.resp, autoConfigured.signed.keyPem);
          const ac = autoConfigured;
          ae.onChange(() => ae.cert && ae.cert.CertPEM !== ac.signed?.resp.IssuedCert.CertPEM && ac.certRenewed(ae.cert));
        } else if (!autoConfigured) {
          await ae.initialCerts();
        }
      }
      const cc = (clientCluster = new ClientCluster(gossip.lan, config.datacenter, rpcTls));
      cluster = cc;
      applier = cc.applier;
    }
    // ACLs: a server resolves tokens from its state and checks its clients' writes; a client
    // resolves through the servers (cached) and sends a token with each of its own writes.
    if (config.acl.enabled) loadPersistedTokens(config.acl, config.dataDir);
    let aclResolver: IdentityResolver;
    let serverResolver: ExactResolver | undefined;
    let aclReplication: AclReplicator | undefined;
    if (clientCluster) {
      aclResolver = new RemoteAclResolver(config.acl, (m, b) => clientCluster!.call(m, b, ACL_RPC_TIMEOUT_MS), config.nodeName, log.acl, config.datacenter);
    } else if (serverCluster && config.acl.enabled && resolvesTokensInPrimary(config, config.acl)) {
      // A secondary datacenter without token replication keeps no tokens: it resolves them in the
      // primary (Consul's ResolveIdentityFromToken), cached and with acl.down_policy as a client does.
      const sc = serverCluster;
      const primary = (m: string, b: unknown): Promise<unknown> => sc.callDatacenter(config.primaryDatacenter, m, b, ACL_RPC_TIMEOUT_MS);
      const remote = new RemoteAclResolver(config.acl, primary, config.nodeName, log.acl, config.datacenter);
      aclResolver = remote;
      serverResolver = { enabled: true, resolveExact: (secret) => remote.resolve(secret === '' ? ANONYMOUS_TOKEN_SECRET : secret) };
      serverCluster.vetClientApply = clientApplyGuard(serverResolver, catalog);
      serveAclRpc(serverCluster.rpc, config.acl, () => catalog.acl, primary);
    } else if (serverCluster && config.acl.enabled && !inPrimaryDatacenter(config)) {
      // A secondary datacenter with token replication: its replicated tokens, or the primary's
      // until the first one has arrived (acl/replicating-resolver.ts).
      const sc = serverCluster;
      const primary = (m: string, b: unknown): Promise<unknown> => sc.callDatacenter(config.primaryDatacenter, m, b, ACL_RPC_TIMEOUT_MS);
      const remote = new RemoteAclResolver(config.acl, primary, config.nodeName, log.acl, config.datacenter);
      const authoritative = (): boolean => catalog.acl.tokens.size > 0;
      const state = new AclResolver(config.acl, () => catalog.acl, config.nodeName, config.datacenter);
      aclResolver = serverResolver = new ReplicatingResolver(state, remote, authoritative, config.acl);
      serverCluster.vetClientApply = clientApplyGuard(serverResolver, catalog);
      serveAclRpc(serverCluster.rpc, config.acl, () => catalog.acl, primary, authoritative);
    } else {
      const stateResolver = (aclResolver = serverResolver = new AclResolver(config.acl, () => catalog.acl, config.nodeName, config.datacenter));
      if (serverCluster && config.acl.enabled) {
        serverCluster.vetClientApply = clientApplyGuard(stateResolver, catalog);
        serveAclRpc(serverCluster.rpc, config.acl, () => catalog.acl);
      }
    }
    if (serverCluster && config.acl.enabled && !inPrimaryDatacenter(config)) {
      // A secondary datacenter's leader replicates the primary's ACLs (acl/replication.ts), reading
      // them with the replication token through a server of the primary (stale reads, as Consul's).
      const sc = serverCluster;
      aclReplication = new AclReplicator({
        primaryDatacenter: config.primaryDatacenter,
        tokenReplication: config.acl.enableTokenReplication,
        replicationToken: () => config.acl.tokens.replication,
        get: async (url, token) => {
          const r = await sc.forwardToDatacenter(config.primaryDatacenter, { method: 'GET', url, headers: { 'x-consul-token': token } }, ACL_REPLICATION_TIMEOUT_MS);
          return { status: r.status, index: Number(r.headers['x-consul-index'] ?? 0), body: Buffer.from(r.body).toString('utf8') };
        },
        store: () => catalog.acl,
        apply: (cmd) => applier.apply(cmd),
        log: log.acl,
      });
    }
    // A secondary datacenter's leader copies the primary's config entries (config-entries/replication.ts).
    const configReplication = serverCluster && !inPrimaryDatacenter(config) ? configEntryReplicator(serverCluster, config, catalog, applier, log.leader) : undefined;
    if (clientCluster && config.acl.enabled) {
      clientCluster.writeToken = (cmd) => ownWriteToken(cmd, config.acl, (kind, id) => local.token(kind, id));
    }
    cleanups.push(() => cluster.close());
    autoEncrypt?.start(cluster);
    metrics.gaugeFunc('raft.applied_index', () => applier.lastIndex);
    const nodeView = server ? catalogNodeView(catalog) : remoteNodeView(cluster, () => agentCallToken(config.acl));

    // Servers keep the Connect CA; it acts only while this server leads (loaded by servers only:
    // its X.509 code stays out of a client agent).
    const connectCA = server
      ? new (await import('./connect/ca-manager.js')).ConnectCAManager({
          catalog, applier, enabled: config.connect.enabled, datacenter: config.datacenter, primaryDatacenter: config.primaryDatacenter,
          initialConfig: config.connect.caConfig, logger: log.leader, now,
          ...(serverCluster && !inPrimaryDatacenter(config)
            ? { primary: (await import('./connect/primary-ca-link.js')).primaryDatacenterCA(serverCluster, config.primaryDatacenter, () => config.acl.tokens.replication) }
            : {}),
        })
      : undefined;
    // Cluster peering (servers only, loaded on demand: a client agent forwards its peering requests).
    const peering = serverCluster ? (await import('./peering/server.js')).startServerPeering(serverCluster, config, catalog, applier, gossip.lan, log.leader) : undefined;
    leader = new Leader({
      catalog,
      applier,
      nodeName: config.nodeName,
      nodeId,
      address: advertiseAddr,
      taggedAddresses,
      serverPort: config.ports.server,
      nodeMeta: config.nodeMeta,
      logger: log.leader,
      now,
      barrier: () => serverCluster!.raft.waitForLeadership(),
      members: () => gossip.lan.members(),
      datacenter: config.datacenter,
      autopilot: config.autopilot,
      // Consul bootstraps config entries in the primary datacenter only.
      configEntries: config.primaryDatacenter === '' || config.primaryDatacenter === config.datacenter ? config.configEntriesBootstrap : [],
      ...(aclReplication ? { aclReplication } : {}),
      ...(configReplication ? { configReplication } : {}),
      ...(connectCA ? { connectCA } : {}),
      ...(peering ? { peering: peering.manager } : {}),
    });
    cleanups.push(() => leader!.close());
    if (server) cleanups.push(gossip.lan.onMember(() => void leader!.memberChanged()));
    if (cluster.isLeader()) await leader.leadershipChanged(true);
    // A client registers its node itself; a server's leader registers it with its consul service.
    const nodeFields = nodeRegistration({ nodeId, nodeName: config.nodeName, address: advertiseAddr, taggedAddresses, nodeMeta: config.nodeMeta });
    const ensureNode = server
      ? () => leader!.ensureRegistered()
      : async () => {
          // Consul's node info sync: (re)written when missing or when it differs (the leader
          // registers every member, without this agent's meta and tagged addresses).
          const have = await nodeView.node(config.nodeName);
          if (have && nodeInfoInSync(have, nodeFields)) return;
          try {
            await applier.apply({ Type: 'Register', ...nodeFields, Now: now() });
            log.agent.info('Synced node info');
          } catch (err) {
            if (!isAclError(err)) throw err;
            // Consul's warning; the next sync (a new agent token, or the periodic one) retries.
            log.agent.warn({ node: nodeId, accessorID: deniedAccessor(err) }, 'Node info update blocked by ACLs');
          }
        };

    // Services and checks from config files: (re)registered at start and on reload; those
    // dropped from the files since the last load are deregistered, as Consul's reload does.
    let fromConfig = { services: new Set<string>(), checks: new Set<string>() };
    const loadConfigDefinitions = (c: AgentConfig): void => {
      const next = { services: new Set<string>(), checks: new Set<string>() };
      for (const def of c.services) {
        const sidecarPorts = { min: c.ports.sidecarMinPort, max: c.ports.sidecarMaxPort };
        const ids = registerService(local, def, { token: def.Token ?? '', replaceExistingChecks: false, source: 'local', sidecarPorts });
        for (const id of ids) next.services.add(id);
      }
      for (const def of c.checks) {
        local.addCheck(def, { token: def.Token ?? '', source: 'local' });
        next.checks.add(def.ID || def.Name || '');
      }
      for (const id of fromConfig.services) if (!next.services.has(id) && local.service(id)) local.removeService(id);
      for (const id of fromConfig.checks) if (!next.checks.has(id) && local.check(id)) local.removeCheck(id);
      fromConfig = next;
    };

    // enable_central_service_config: proxies and gateways follow proxy-defaults and service-defaults.
    if (config.enableCentralServiceConfig) {
      const watches = (centralConfig = new CentralConfigWatches({ local, cluster, logger: log.agent, agentToken: () => agentCallToken(config.acl) }));
      cleanups.push(() => watches.close());
    }

    const ctx: AgentContext = {
      ...(centralConfig ? { centralConfig } : {}),
      config,
      log,
      logTap,
      nodeId,
      advertiseAddr,
      catalog,
      applier,
      localFeed,
      local,
      events,
      gossip,
      metrics,
      leader,
      cluster,
      startedAt: new Date(),
      now,
      aclResolver,
      ...(aclReplication ? { aclReplication } : {}),
      ...(connectCA ? { connectCA } : {}),
      ...(peering ? { peering: peering.service } : {}),
      tokensChanged: () => antiEntropy?.trigger(),
      afterRestore: async () => {
        await leader.reconcile();
        antiEntropy?.trigger();
      },
      reload: async () => {
        if (!options.argv) return;
        const fresh = await loadConfig(options.argv, process.env, {}, autoConfigured?.fragment);
        log.root.level = fresh.logLevel;
        loadConfigDefinitions(fresh);
        await reloadWatches(fresh.watches);
        log.agent.info({ files: fresh.configFiles }, 'configuration reloaded');
      },
    };

    events.onRemoteExec(remoteExecHandler(ctx));
    // Prepared-query failover to other datacenters and Near sorting (prepared-query/remote.ts).
    ctx.preparedQuerySeams = clusterSeams(ctx);
    local.restore();
    loadConfigDefinitions(config);
    antiEntropy = new AntiEntropy({
      view: nodeView,
      applier,
      local,
      nodeName: config.nodeName,
      logger: log['anti-entropy'],
      agentLogger: log.agent,
      now,
      ensureNode,
      checkUpdateIntervalMs: config.checkUpdateIntervalMs,
    });
    antiEntropy.start();
    // A client syncs as soon as it learns of a server (Consul starts a sync after joining).
    if (!server) cleanups.push(gossip.lan.onMember((e) => e.type === 'member-join' && e.member.Tags.role === 'consul' && antiEntropy!.trigger()));
    cleanups.push(() => antiEntropy!.stop());
    // Consul's reaper runs every 30 s: services critical past DeregisterCriticalServiceAfter go.
    const reaper = setInterval(() => local.reapCritical(now()), REAP_INTERVAL_MS);
    reaper.unref();
    cleanups.push(() => clearInterval(reaper));

    // Network coordinates: sent to the servers periodically, written by the leader in batches.
    cleanups.push(startCoordinateSync(ctx));
    cleanups.push(() => closeAgentCache(ctx));

    // Requests other servers forward here (agent RPC `HTTP.Forward`) run on an app of their own.
    // Servers only: a client serves no RPC, and a second copy of every route would hold about
    // 2 MB of its memory for nothing (docs/PERFORMANCE.md, client agent memory).
    if (serverCluster) {
      const rpcApp = await buildHttpApp(ctx, { forwardedOnly: true });
      cleanups.push(() => rpcApp.close());
      serverCluster.rpc.handle('HTTP.Forward', (body) => executeForwarded(rpcApp, body as ForwardCall));
      serveSyncEndpoints(serverCluster, ctx, serverResolver!);
      serveVirtualIPForService(serverCluster, ctx, serverResolver!);
      serveConnectCASign(serverCluster, ctx, serverResolver!);
      serveResolveServiceConfig(serverCluster, ctx, serverResolver!);
      serveConnectCASignIntermediate(serverCluster, ctx, serverResolver!);
      const { serveAutoEncryptSign, trackAutoEncryptCARoots } = await import('./connect/auto-encrypt-rpc.js');
      serveAutoEncryptSign(serverCluster, ctx, serverResolver!, rpcTls);
      (await import('./auto-config/endpoint.js')).serveAutoConfig(serverCluster, ctx, rpcTls);
      // Consul trusts the Connect roots for incoming RPC with allow_tls or auto_config authorization.
      if ((config.autoEncrypt.allowTls || config.autoConfig.authorizer.enabled) && rpcTls) {
        const stopRoots = new AbortController();
        cleanups.push(() => stopRoots.abort());
        void trackAutoEncryptCARoots(ctx, rpcTls, stopRoots.signal);
      }
    }

    // HTTP API on every client address.
    const httpAddrs: string[] = [];
    if (config.ports.http >= 0) {
      for (const host of config.httpAddrs) {
        const app: FastifyInstance = await buildHttpApp(ctx);
        cleanups.push(() => app.close());
        await app.listen({ host, port: config.ports.http });
        const addr = app.server.address();
        const port = typeof addr === 'object' && addr ? addr.port : config.ports.http;
        httpAddrs.push(joinHostPort(host, port));
      }
      log.http.info({ addrs: httpAddrs }, 'HTTP API listening');
    }
    // HTTPS API (ports.https, -https-port) on the same addresses (src/tls/).
    const httpsAddrs: string[] = [];
    if (config.ports.https > 0) {
      // With auto_encrypt the agent certificate serves HTTPS and is swapped on renewal (src/tls/server.ts).
      const autoHttps = (): AutoHttpsTls | undefined => {
        const c = autoEncrypt?.cert;
        return c && rpcTls ? { certPem: c.CertPEM, keyPem: c.PrivateKeyPEM!, caPems: rpcTls.caPems } : undefined;
      };
      const tls = readHttpsTls(config.httpsTls, autoHttps());
      for (const host of config.httpAddrs) {
        const app = (await buildHttpApp(ctx, { https: tls })) as unknown as FastifyInstance;
        cleanups.push(() => app.close());
        await app.listen({ host, port: config.ports.https });
        autoEncrypt?.onChange(() => (app.server as unknown as import('node:tls').Server).setSecureContext(readHttpsTls(config.httpsTls, autoHttps())));
        httpsAddrs.push(joinHostPort(host, config.ports.https));
      }
      log.http.info({ addrs: httpsAddrs }, 'HTTPS API listening');
    }

    // The config's watches run against this agent's own HTTP API (src/watches/). A reload stops
    // them all before it parses the new ones, as Consul's does: a bad one leaves none running.
    let watches: import('./watches/agent-watches.js').AgentWatches | undefined;
    const watchEndpoint = ownEndpoint(httpAddrs, httpsAddrs, config.httpsTls);
    const agentWatches = async (): Promise<import('./watches/agent-watches.js').AgentWatches> => (watches ??= new (await watchesModule()).AgentWatches(watchEndpoint, log.watch));
    cleanups.push(() => watches?.stop());
    if (startWatches.length > 0) (await agentWatches()).replace(startWatches);
    const reloadWatches = async (specs: Record<string, unknown>[]): Promise<void> => {
      if (specs.length === 0 && !watches) return;
      const running = await agentWatches();
      running.stop();
      try {
        running.replace((await watchesModule()).compileWatches(specs, log.watch));
      } catch (err) {
        throw new Error(`Failed reloading watches: ${(err as Error).message}`);
      }
    };

    // DNS on every DNS address.
    const dnsAddrs: string[] = [];
    const dnsServers: DnsServer[] = [];
    // Consul has no metric for this (miekg/dns drops such packets silently); ours is named plainly.
    metrics.gaugeFunc('dns.malformed_packets', () => dnsServers.reduce((n, d) => n + d.stats().malformed, 0));
    if (config.ports.dns >= 0) {
      // Loaded only when DNS is served (-dns-port -1 turns it off): it is code held in memory.
      const { createDnsServer } = await import('@proconsul/dns');
      // dns_config.use_cache: a client's lookups through the agent cache (src/cache/dns-cache.ts).
      const dnsRead = !server && config.dnsConfig.useCache ? (await import('./cache/dns-cache.js')).cachedDnsRead(ctx, serverRead(cluster, config.datacenter)) : undefined;
      for (const host of config.dnsAddrs) {
        const dns: DnsServer = createDnsServer({
          backend: withPreparedQueries(
            server
              ? aclDnsBackend(
                  catalogDnsBackend(catalog, config.datacenter, cluster), config.acl, catalog, config.nodeName, config.datacenter, aclResolver,
                )
              : forwardedDnsBackend(cluster, config.datacenter, () => (config.acl.enabled ? config.acl.tokens.dns || config.acl.tokens.default || ANONYMOUS_TOKEN_SECRET : ''), dnsRead),
            config.datacenter,
            server ? localQueryRunner(ctx) : remoteQueryRunner(cluster, config.nodeName, config.datacenter, dnsRead),
            cluster,
          ),
          host,
          port: config.ports.dns,
          domain: config.domain,
          ...(config.altDomain ? { altDomain: config.altDomain } : {}),
          datacenter: config.datacenter,
          ttls: {
            node: config.dnsConfig.nodeTtlMs / 1000,
            service: Object.fromEntries(Object.entries(config.dnsConfig.serviceTtlMs).map(([k, v]) => [k, v / 1000])),
          },
          onlyPassing: config.dnsConfig.onlyPassing,
          enableTruncate: config.dnsConfig.enableTruncate,
          disableCompression: config.dnsConfig.disableCompression,
          udpAnswerLimit: config.dnsConfig.udpAnswerLimit,
          aRecordLimit: config.dnsConfig.aRecordLimit,
          enableAdditionalNodeMetaTxt: config.dnsConfig.enableAdditionalNodeMetaTxt,
          translateWanAddrs: config.translateWanAddrs,
          recursors: config.recursors,
          recursorTimeoutMs: config.dnsConfig.recursorTimeoutMs,
          recursorStrategy: config.dnsConfig.recursorStrategy,
          soa: config.dnsConfig.soa,
          logger: log.dns,
        });
        const bound = await dns.start();
        dnsServers.push(dns);
        cleanups.push(() => dns.close());
        dnsAddrs.push(joinHostPort(bound.host, bound.port));
      }
      log.dns.info({ addrs: dnsAddrs }, 'DNS listening');
    }

    // auto_reload_config: a change under -config-file / -config-dir reloads, as SIGHUP does.
    if (config.autoReloadConfig && options.argv && config.configPaths.length > 0) {
      let reloading = Promise.resolve(); // one reload at a time
      const watcher = watchConfigPaths(
        config.configPaths,
        () => void (reloading = reloading.then(ctx.reload).catch((err: Error) => log.agent.error({ err }, 'Failed to reload configuration'))),
        (path, err) => log.agent.error({ path, err }, 'auto_reload_config cannot watch this path'),
      );
      cleanups.push(() => watcher.close());
    }

    log.agent.info(
      { node: config.nodeName, nodeId, datacenter: config.datacenter, server, dev: config.dev, bind: config.bindAddr, http: httpAddrs, dns: dnsAddrs },
      'Consul agent running!',
    );
    let closed: Promise<void> | undefined;
    return {
      config,
      httpAddrs,
      dnsAddrs,
      nodeId,
      log: log.agent,
      ctx,
      close: () => (closed ??= (async () => {
        await antiEntropy!.idle();
        await closeAll();
        log.agent.info('agent shut down');
        logFile?.close();
      })()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Where the agent's watches reach its own API (Consul's reloadWatches): the first HTTP address,
 * else the first HTTPS one, verified with the agent's CA; with verify_incoming the agent presents
 * its own certificate (Consul's watches would present none and be refused).
 */
function ownEndpoint(httpAddrs: string[], httpsAddrs: string[], tls: AgentConfig['httpsTls']): WatchEndpoint | undefined {
  const local = (addr: string): string => addr.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
  if (httpAddrs[0]) return { address: local(httpAddrs[0]) };
  if (!httpsAddrs[0]) return undefined;
  return {
    address: `https://${local(httpsAddrs[0])}`,
    tls: {
      ...(tls.caFile ? { caFile: tls.caFile } : {}),
      ...(tls.caPath ? { caPath: tls.caPath } : {}),
      ...(tls.verifyIncoming ? { certFile: tls.certFile, keyFile: tls.keyFile } : {}),
    },
  };
}
