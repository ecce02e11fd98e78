// /v1/agent/*: state local to this agent (services, checks, maintenance), its own view of
// membership, metrics, reload. Writes answer 200 with an empty body, as Consul's do.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatGoDuration, parseGoDurationMs } from '@proconsul/catalog';
import {
  CheckDefinitionError,
  DecodeError as CheckDecodeError,
  isCheckStatus,
  parseCheckDefinition,
  ScriptChecksDisabledError,
  validateCheckType,
  type CheckStatus,
} from '../../checks/index.js';
import { ConfigError, parseServiceDefinition } from '../../config/index.js';
import type { AgentContext } from '../../context.js';
import { validateServiceDefinition } from '../../local/validate-service.js';
import type { AgentService } from '../../local/types.js';
import { toApiAgentService } from '../../connect/agent-service.js';
import { registerService } from '../../connect/register-service.js';
import { validateNodeService } from '../../connect/validate-service.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../metrics/index.js';
import { BUILD_DATE, BUILD_INFO, CONSUL_VERSION, REVISION } from '../../version.js';
import { multiError } from '../../multi-error.js';
import { nodeTaggedAddresses } from '../../addresses.js';
import { isServer } from '../../gossip/tags.js';

/** api.AllSegments. */
const ALL_SEGMENTS = '_all';
import { decodeJson, isPlainObject } from '../decode.js';
import { applyFilter, compileFilter } from '../filter.js';
import { endpoint } from '../endpoint.js';
import { enterpriseServiceField, refuseEnterpriseMeta, refusePartition } from '../enterprise-meta.js';
import { badRequest, HttpError, notFound } from '../http-error.js';
import { has, parseGoBool, qs, requestToken, type Query } from '../query-options.js';
import { sendEmpty, sendJson } from '../respond.js';
import { parseWait } from '../query-options.js';

export async function agentRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  const dc = ctx.config.datacenter;
  const agentService = (s: AgentService) => toApiAgentService(s, dc);

  endpoint(app, '/v1/agent/self', {
    GET: (req, reply) =>
      sendJson(req, reply, {
        Config: {
          Datacenter: dc,
          PrimaryDatacenter: ctx.config.primaryDatacenter || dc,
          NodeName: ctx.config.nodeName,
          NodeID: ctx.nodeId,
          Revision: REVISION,
          Server: ctx.config.server || ctx.config.dev,
          Version: CONSUL_VERSION,
          BuildDate: BUILD_DATE,
        },
        DebugConfig: debugConfig(ctx),
        // This agent's LAN coordinate (gossip's Vivaldi client), as Consul's AgentSelf.Coord.
        Coord: ctx.gossip.lan.node.coordinate() ?? null,
        Member: ctx.gossip.lan.localMember(),
        Stats: stats(ctx),
        Meta: ctx.config.nodeMeta,
      }),
  });

  // Consul's AgentVersion: the build, with no ACL check.
  endpoint(app, '/v1/agent/version', { GET: (req, reply) => sendJson(req, reply, BUILD_INFO) });

  endpoint(app, '/v1/agent/members', {
    GET: (req, reply) => {
      const query = req.query as Query;
      const segment = qs(query, 'segment') ?? '';
      const wan = !!qs(query, 'wan');
      if (wan && segment && segment !== ALL_SEGMENTS) throw badRequest('Cannot provide a segment with wan=true');
      refusePartition(req); // agent_endpoint.go AgentMembers: after the segment check
      if (wan) {
        // A client has no WAN pool, which Consul answers as a nil list: `null`.
        const pool = ctx.gossip.wan;
        return sendJson(req, reply, pool ? filtered(req, pool.members()) : null);
      }
      // CE: `_all` is every segment, which is the one pool; a named segment is an error (server_ce.go).
      if (segment && segment !== ALL_SEGMENTS) throw new HttpError(500, 'Network segments are not supported in this version of Consul');
      return sendJson(req, reply, filtered(req, ctx.gossip.lan.members()));
    },
  });

  // agent_endpoint.go: the local services and checks, their health, registration and updates
  // refuse a namespace or partition (parseEntMetaNoWildcard, http_ce.go) before their own 400s
  // unless noted.
  endpoint(app, '/v1/agent/services', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const out = Object.fromEntries(ctx.local.services().map((s) => [s.ID, agentService(s)]));
      return sendJson(req, reply, filtered(req, out));
    },
  });

  endpoint(app, '/v1/agent/service/*', {
    GET: async (req, reply) => {
      const id = restOfPath(req);
      const query = req.query as Query;
      const waitMs = parseWait(query, ctx.config.queryTimes); // AgentService: the wait first
      refuseEnterpriseMeta(req);
      const render = (): { hash: string; body: unknown } | undefined => {
        const s = ctx.local.service(id);
        if (!s) return undefined;
        const body = agentService(s);
        const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
        return { hash, body: { ...body, ContentHash: hash } };
      };
      let r = render();
      const hash = qs(query, 'hash');
      if (hash && r && r.hash === hash) {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), waitMs + Math.random() * (waitMs / 16));
        const onClose = (): void => abort.abort();
        reply.raw.on('close', onClose);
        try {
          for (let i = 0; i < 100_000 && !abort.signal.aborted; i++) {
            await ctx.localFeed.wait(abort.signal);
            r = render();
            if (!r || r.hash !== hash) break;
          }
        } finally {
          clearTimeout(timer);
          reply.raw.off('close', onClose);
        }
      }
      if (!r) throw notFound(`unknown service ID: ${id}`);
      reply.header('X-Consul-ContentHash', r.hash);
      return sendJson(req, reply, r.body);
    },
  });

  // Local health of a service: 200 passing, 429 warning, 503 critical or maintenance.
  const serviceHealth = (id: string) => {
    const service = ctx.local.service(id)!;
    const checks = ctx.local.checks().filter((c) => c.ServiceID === id || c.ServiceID === '');
    let status = 'passing';
    for (const c of checks) {
      if (c.Type === 'maintenance') status = 'maintenance';
      else if (c.Status === 'critical' && status !== 'maintenance') status = 'critical';
      else if (c.Status === 'warning' && status === 'passing') status = 'warning';
    }
    return { AggregatedStatus: status, Service: agentService(service), Checks: checks.map((c) => ({ ...c, CreateIndex: 0, ModifyIndex: 0 })) };
  };
  const RANK: Record<string, number> = { passing: 0, warning: 1, critical: 2, maintenance: 3 };
  const CODE: Record<string, number> = { passing: 200, warning: 429, critical: 503, maintenance: 503 };
  const textFormat = (req: FastifyRequest) => qs(req.query as Query, 'format') === 'text';
  endpoint(app, '/v1/agent/health/service/id/*', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const id = restOfPath(req);
      if (!ctx.local.service(id)) {
        return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(`ServiceId ${id} not found`);
      }
      const h = serviceHealth(id);
      reply.code(CODE[h.AggregatedStatus]!);
      if (textFormat(req)) return reply.header('content-type', 'text/plain; charset=utf-8').send(h.AggregatedStatus);
      return sendJson(req, reply, h);
    },
  });
  endpoint(app, '/v1/agent/health/service/name/*', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const name = restOfPath(req);
      const all = ctx.local.services().filter((s) => s.Service === name).map((s) => serviceHealth(s.ID));
      if (all.length === 0) {
        return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(`ServiceName ${name} Not Found`);
      }
      const worst = all.reduce((w, h) => (RANK[h.AggregatedStatus]! > RANK[w]! ? h.AggregatedStatus : w), 'passing');
      reply.code(CODE[worst]!);
      if (textFormat(req)) return reply.header('content-type', 'text/plain; charset=utf-8').send(worst);
      return sendJson(req, reply, all);
    },
  });

  endpoint(app, '/v1/agent/checks', {
    GET: (req, reply) => {
      refuseEnterpriseMeta(req);
      const out = Object.fromEntries(ctx.local.checks().map((c) => [c.CheckID, { ...c, CreateIndex: 0, ModifyIndex: 0 }]));
      return sendJson(req, reply, filtered(req, out));
    },
  });

  endpoint(app, '/v1/agent/service/register', {
    PUT: async (req, reply) => {
      refuseEnterpriseMeta(req);
      const raw = decodeJson(req.body);
      if (!isPlainObject(raw)) throw badRequest('Request decode failed: json: cannot unmarshal non-object into Go value of type structs.ServiceDefinition');
      const enterprise = enterpriseServiceField(raw);
      if (enterprise !== undefined) throw badRequest(`Request decode failed: json: unknown field ${JSON.stringify(enterprise)}`);
      let def;
      try {
        def = parseServiceDefinition(raw);
      } catch (err) {
        throw asHttpError(err);
      }
      validateServiceDefinition(def);
      const meshErrors = validateNodeService(def);
      if (meshErrors.length > 0) throw badRequest(`Validation failed: ${multiError(meshErrors)}`);
      for (const ct of [...(def.Check ? [def.Check] : []), ...(def.Checks ?? [])]) {
        if (ct.Status !== undefined && !isCheckStatus(ct.Status)) throw badRequest("Status for checks must 'passing', 'warning', 'critical'");
        try {
          validateCheckType(ct);
        } catch (err) {
          throw asHttpError(err);
        }
      }
      const replace = qs(req.query as Query, 'replace-existing-checks');
      // Proxies and gateways are registered merged with their central defaults (service_manager.go).
      let centralDefaults;
      try {
        centralDefaults = await ctx.centralConfig?.resolveFor(def, requestToken(req));
      } catch (err) {
        const msg = (err as Error).message;
        throw new HttpError(msg.includes('Permission denied') ? 403 : 500, msg);
      }
      try {
        registerService(ctx.local, def, {
          ...(centralDefaults ? { centralDefaults } : {}),
          token: requestToken(req),
          replaceExistingChecks: replace !== undefined && (replace === '' || parseGoBool(replace) === true),
          source: 'remote',
          sidecarPorts: { min: ctx.config.ports.sidecarMinPort, max: ctx.config.ports.sidecarMaxPort },
        });
      } catch (err) {
        throw asHttpError(err);
      }
      return sendEmpty(reply);
    },
  });

  endpoint(app, '/v1/agent/service/deregister/*', {
    PUT: (req, reply) => {
      refuseEnterpriseMeta(req);
      ctx.local.removeService(restOfPath(req));
      return sendEmpty(reply);
    },
  });

  endpoint(app, '/v1/agent/check/register', {
    PUT: (req, reply) => {
      refuseEnterpriseMeta(req);
      const raw = decodeJson(req.body);
      if (!isPlainObject(raw)) throw badRequest('Request decode failed: json: cannot unmarshal non-object into Go value of type structs.CheckDefinition');
      let def;
      try {
        def = parseCheckDefinition(raw);
      } catch (err) {
        throw asHttpError(err);
      }
      if (!def.Name) throw badRequest('Missing check name');
      if (def.Status !== undefined && !isCheckStatus(def.Status)) throw badRequest('Bad check status');
      try {
        validateCheckType(def);
        ctx.local.addCheck(def, { token: requestToken(req), source: 'remote' });
      } catch (err) {
        throw asHttpError(err);
      }
      return sendEmpty(reply);
    },
  });

  endpoint(app, '/v1/agent/check/deregister/*', {
    PUT: (req, reply) => {
      refuseEnterpriseMeta(req);
      ctx.local.removeCheck(restOfPath(req));
      return sendEmpty(reply);
    },
  });

  const ttlEndpoint = (status: CheckStatus) => (req: FastifyRequest, reply: FastifyReply) => {
    refuseEnterpriseMeta(req);
    ctx.local.updateTtl(restOfPath(req), status, qs(req.query as Query, 'note') ?? '', 'note');
    return sendEmpty(reply);
  };
  endpoint(app, '/v1/agent/check/pass/*', { PUT: ttlEndpoint('passing') });
  endpoint(app, '/v1/agent/check/warn/*', { PUT: ttlEndpoint('warning') });
  endpoint(app, '/v1/agent/check/fail/*', { PUT: ttlEndpoint('critical') });
  endpoint(app, '/v1/agent/check/update/*', {
    PUT: (req, reply) => {
      const raw = decodeJson(req.body);
      if (!isPlainObject(raw)) throw badRequest('Request decode failed: json: cannot unmarshal non-object into Go value of type agent.checkUpdate');
      const status = pick(raw, 'Status');
      const output = pick(raw, 'Output');
      if (output !== undefined && typeof output !== 'string') {
        throw badRequest('Request decode failed: json: cannot unmarshal non-string into Go struct field checkUpdate.Output of type string');
      }
      if (!isCheckStatus(status)) throw badRequest(`Invalid check status: '${typeof status === 'string' ? status : ''}'`);
      refuseEnterpriseMeta(req); // AgentCheckUpdate: after the body
      ctx.local.updateTtl(restOfPath(req), status, output ?? '', 'update');
      return sendEmpty(reply);
    },
  });

  endpoint(app, '/v1/agent/maintenance', {
    PUT: (req, reply) => {
      const { enable, reason } = parseMaintenance(req.query as Query);
      ctx.local.setNodeMaintenance(enable, reason);
      return sendEmpty(reply);
    },
  });

  endpoint(app, '/v1/agent/service/maintenance/*', {
    PUT: (req, reply) => {
      const id = restOfPath(req);
      if (!id) throw badRequest('Missing service ID');
      const { enable, reason } = parseMaintenance(req.query as Query);
      refuseEnterpriseMeta(req); // AgentServiceMaintenance: after the ID and ?enable
      ctx.local.setServiceMaintenance(id, enable, reason);
      return sendEmpty(reply);
    },
  });

  endpoint(app, '/v1/agent/reload', {
    PUT: async (_req, reply) => {
      try {
        await ctx.reload();
      } catch (err) {
        throw new HttpError(500, (err as Error).message);
      }
      return sendEmpty(reply);
    },
  });

  endpoint(app, '/v1/agent/metrics', {
    GET: (req, reply) => {
      const accept = req.headers.accept ?? '';
      const wantsProm =
        qs(req.query as Query, 'format') === 'prometheus' ||
        accept.includes('application/openmetrics-text') ||
        accept.includes('text/plain; version=0.4.0');
      if (wantsProm) {
        if (!(ctx.config.telemetry.prometheusRetentionTimeMs > 0)) {
          throw new HttpError(415, 'Prometheus is not enabled since its retention time is not positive');
        }
        return reply.header('content-type', PROMETHEUS_CONTENT_TYPE).send(ctx.metrics.prometheus());
      }
      return sendJson(req, reply, ctx.metrics.summary());
    },
  });

  endpoint(app, '/v1/agent/join/*', {
    PUT: async (req, reply) => {
      refusePartition(req); // AgentJoin: parseEntMetaPartition
      const addr = restOfPath(req);
      if (!addr) throw badRequest('Missing address to join');
      const toWan = !!qs(req.query as Query, 'wan'); // any non-empty value, as Consul
      if (toWan && !isServer(ctx.config)) throw new HttpError(500, 'Must be a server to join WAN cluster');
      const wan = toWan ? ctx.gossip.wan : undefined;
      if (toWan && !wan) throw new HttpError(500, multiError([`Failed to join ${addr}: the WAN pool is off (ports.serf_wan is -1)`]));
      try {
        // The port defaults to this agent's serf_lan, or serf_wan for the WAN pool.
        const n = await (wan ?? ctx.gossip.lan).join([addr]);
        ctx.log.serf.info({ addr, num_agents: n, cluster: wan ? 'WAN' : 'LAN' }, 'Join cluster completed');
      } catch (err) {
        throw new HttpError(500, multiError([`Failed to join ${addr}: ${(err as Error).message}`]));
      }
      return sendEmpty(reply);
    },
  });
  endpoint(app, '/v1/agent/force-leave/*', {
    PUT: (req, reply) => {
      refusePartition(req); // AgentForceLeave: parseEntMetaPartition
      const node = restOfPath(req);
      const query = req.query as Query;
      if (!node) throw badRequest('Missing node name');
      if (has(query, 'wan')) {
        if (!isServer(ctx.config)) throw new HttpError(500, 'Must be a server to force-leave a node from the WAN cluster');
        // WAN members are named `<node>.<dc>`.
        if (!ctx.gossip.wan?.forceLeave(node, has(query, 'prune'))) throw new HttpError(500, `agent: No node found with name '${node}'`);
        ctx.log.agent.info({ node, prune: has(query, 'prune') }, '(WAN) Force leaving node');
        return sendEmpty(reply);
      }
      const prune = has(query, 'prune');
      if (!ctx.gossip.lan.forceLeave(node, prune)) throw new HttpError(500, `agent: No node found with name '${node}'`);
      // As Consul's server: a server forced out of the LAN pool also leaves the WAN pool (`<node>.<dc>`).
      ctx.gossip.wan?.forceLeave(node.endsWith(`.${dc}`) ? node : `${node}.${dc}`, prune);
      ctx.log.agent.info({ node, prune }, 'Force leaving node');
      return sendEmpty(reply);
    },
  });
  endpoint(app, '/v1/agent/leave', {
    PUT: async (_req, reply) => {
      // Consul leaves the cluster gracefully, answers, then shuts the agent down.
      ctx.log.agent.info('requesting graceful leave');
      await ctx.cluster.beforeLeave();
      await ctx.gossip.leave();
      reply.raw.once('finish', () => process.emit('SIGTERM'));
      return sendEmpty(reply);
    },
  });
}

/** Consul takes the whole rest of the path as the ID (IDs may contain `/`). */
function restOfPath(req: FastifyRequest): string {
  return (req.params as { '*': string })['*'];
}

/** Agent-local lists and maps honour `?filter` too (evaluated on the agent, as Consul does). */
function filtered<T>(req: FastifyRequest, value: T): T {
  const f = qs(req.query as Query, 'filter');
  return f ? applyFilter(value, compileFilter(f)) : value;
}

function pick(obj: Record<string, unknown>, key: string): any {
  const k = Object.keys(obj).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : obj[k];
}

function parseMaintenance(query: Query): { enable: boolean; reason: string } {
  const raw = qs(query, 'enable');
  if (raw === undefined || raw === '') throw badRequest('Missing value for enable');
  const enable = parseGoBool(raw);
  if (enable === undefined) throw badRequest(`Invalid value for enable: "${raw}"`);
  return { enable, reason: qs(query, 'reason') ?? '' };
}

function asHttpError(err: unknown): unknown {
  if (err instanceof HttpError) return err;
  if (err instanceof ConfigError || err instanceof CheckDecodeError) return badRequest(`Request decode failed: ${err.message}`);
  if (err instanceof CheckDefinitionError) return badRequest(`Invalid check: ${err.message}`);
  if (err instanceof ScriptChecksDisabledError) return new HttpError(500, err.message);
  return err;
}

function stats(ctx: AgentContext): Record<string, Record<string, string>> {
  const mem = process.memoryUsage();
  return {
    agent: {
      check_monitors: '0',
      check_ttls: String(ctx.local.checks().filter((c) => c.Type === 'ttl').length),
      checks: String(ctx.local.checks().length),
      services: String(ctx.local.services().length),
    },
    build: { prerelease: '', revision: REVISION, version: CONSUL_VERSION, version_metadata: '' },
    ...ctx.cluster.stats(),
    serf_lan: ctx.gossip.lan.stats(),
    ...(ctx.gossip.wan ? { serf_wan: ctx.gossip.wan.stats() } : {}),
    runtime: {
      arch: process.arch,
      os: process.platform,
      goroutines: '0',
      version: process.version,
      heap_bytes: String(mem.heapUsed),
    },
  };
}

function debugConfig(ctx: AgentContext): Record<string, unknown> {
  const c = ctx.config;
  return {
    Datacenter: c.datacenter,
    NodeName: c.nodeName,
    NodeID: ctx.nodeId,
    DataDir: c.dataDir,
    DevMode: c.dev,
    // No profiling endpoints (/debug/pprof) exist in Node, whatever enable_debug says:
    // `consul debug` reads this key to skip its pprof target with a warning.
    EnableDebug: false,
    ServerMode: c.server || c.dev,
    Bootstrap: c.bootstrap,
    BindAddr: c.bindAddr,
    SerfBindAddrLAN: `tcp://${c.serfBindLan}:${c.ports.serfLan}`,
    ...(c.ports.serfWan > 0 ? { SerfBindAddrWAN: `tcp://${c.serfBindWan}:${c.ports.serfWan}` } : {}),
    SerfAllowedCIDRsLAN: c.serfAllowedCidrsLan,
    SerfAllowedCIDRsWAN: c.serfAllowedCidrsWan,
    AdvertiseAddrLAN: ctx.advertiseAddr,
    TaggedAddresses: nodeTaggedAddresses(c, ctx.advertiseAddr),
    AdvertiseReconnectTimeout: formatGoDuration(c.advertiseReconnectTimeoutMs),
    ReconnectTimeoutLAN: formatGoDuration(c.reconnectTimeoutLanMs),
    ReconnectTimeoutWAN: formatGoDuration(c.reconnectTimeoutWanMs),
    DisableKeyringFile: c.disableKeyringFile,
    DisableRemoteExec: c.disableRemoteExec,
    CheckUpdateInterval: formatGoDuration(c.checkUpdateIntervalMs),
    RPCHoldTimeout: formatGoDuration(c.rpcHoldTimeoutMs),
    KVMaxValueSize: c.limits.kvMaxValueSize,
    TxnMaxReqLen: c.limits.txnMaxReqLen,
    ClientAddrs: c.clientAddrs,
    HTTPPort: c.ports.http,
    DNSPort: c.ports.dns,
    ServerPort: c.ports.server,
    SerfPortLAN: c.ports.serfLan,
    SerfPortWAN: c.ports.serfWan,
    DNSDomain: c.domain,
    EnableScriptChecks: c.enableScriptChecks,
    UIConfig: { Enabled: c.ui },
    LogLevel: c.logLevel.toUpperCase(),
    PidFile: c.pidFile,
  };
}
