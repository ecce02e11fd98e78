// /v1/operator/autopilot/configuration: autopilot's settings, replicated through the log
// (operator_autopilot_endpoint.go). GET answers the stored configuration (the agent config's
// `autopilot` block until the first leader has written it); PUT replaces it whole, as Consul does (absent fields become zero), with
// `?cas=<ModifyIndex>` answering whether it was applied.
import type { FastifyInstance } from 'fastify';
import { formatGoDuration, parseGoDuration, type AutopilotConfig } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { decodeJson } from '../decode.js';
import { decodeStruct, DecodeError, type StructSchema } from '../decode-struct.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { checkDatacenter, has, qs, type Query } from '../query-options.js';
import { catalogRead } from '../read.js';
import { sendJson, setQueryMeta } from '../respond.js';
import { parseUint64 } from './kv.js';

/** api.AutopilotConfiguration; the durations are api.ReadableDuration (a Go duration string or nanoseconds). */
const AUTOPILOT_SCHEMA: StructSchema = {
  name: 'api.AutopilotConfiguration',
  fields: {
    CleanupDeadServers: 'bool',
    LastContactThreshold: 'any',
    MaxTrailingLogs: 'uint64',
    MinQuorum: 'uint64',
    ServerStabilizationTime: 'any',
    RedundancyZoneTag: 'string',
    DisableUpgradeMigration: 'bool',
    UpgradeVersionTag: 'string',
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
  },
};

function readableDurationMs(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'string' && typeof v !== 'number') throw new DecodeError(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type api.ReadableDuration`);
  try {
    return parseGoDuration(v);
  } catch (err) {
    throw new DecodeError((err as Error).message);
  }
}

/** The configuration autopilot runs with: the stored one, else the agent config's block. */
export function autopilotConfig(ctx: AgentContext): AutopilotConfig {
  return ctx.catalog.autopilotConfig().value ?? ctx.config.autopilot;
}

export async function operatorAutopilotRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/operator/autopilot/configuration', {
    GET: (req, reply) =>
      catalogRead(ctx, req, reply, () => {
        const r = ctx.catalog.autopilotConfig();
        const c = r.value ?? { ...ctx.config.autopilot, CreateIndex: 0, ModifyIndex: 0 };
        return {
          ...r,
          value: {
            CleanupDeadServers: c.CleanupDeadServers,
            LastContactThreshold: formatGoDuration(c.LastContactThresholdMs),
            MaxTrailingLogs: c.MaxTrailingLogs,
            MinQuorum: c.MinQuorum,
            ServerStabilizationTime: formatGoDuration(c.ServerStabilizationTimeMs),
            RedundancyZoneTag: c.RedundancyZoneTag,
            DisableUpgradeMigration: c.DisableUpgradeMigration,
            UpgradeVersionTag: c.UpgradeVersionTag,
            CreateIndex: c.CreateIndex,
            ModifyIndex: c.ModifyIndex,
          },
        };
      }),
    PUT: async (req, reply) => {
      const query = req.query as Query;
      checkDatacenter(query, ctx.config.datacenter);
      let config: AutopilotConfig;
      try {
        const b = decodeStruct(decodeJson(req.body), AUTOPILOT_SCHEMA);
        config = {
          CleanupDeadServers: b.CleanupDeadServers === true,
          LastContactThresholdMs: readableDurationMs(b.LastContactThreshold),
          MaxTrailingLogs: (b.MaxTrailingLogs as number | undefined) ?? 0,
          MinQuorum: (b.MinQuorum as number | undefined) ?? 0,
          ServerStabilizationTimeMs: readableDurationMs(b.ServerStabilizationTime),
          RedundancyZoneTag: (b.RedundancyZoneTag as string | undefined) ?? '',
          DisableUpgradeMigration: b.DisableUpgradeMigration === true,
          UpgradeVersionTag: (b.UpgradeVersionTag as string | undefined) ?? '',
        };
      } catch (err) {
        if (err instanceof DecodeError) throw badRequest(`Error parsing autopilot config: ${err.message}`);
        if (err instanceof HttpError) throw badRequest(`Error parsing autopilot config: ${err.message.replace(/^Request decode failed: /, '')}`);
        throw err;
      }
      const cas = has(query, 'cas');
      let index = 0;
      if (cas) {
        const raw = qs(query, 'cas') ?? '';
        try {
          const n = parseUint64(raw);
          index = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
        } catch (err) {
          throw badRequest(`Error parsing cas value: ${(err as Error).message}`);
        }
      }
      const r = await ctx.applier.apply({ Type: 'AutopilotSet', Config: config, ...(cas ? { CAS: true, Index: index } : {}) });
      if (!r.ok) throw new HttpError(500, r.error ?? 'apply failed');
      setQueryMeta(reply, ctx.applier.lastIndex);
      return sendJson(req, reply, cas ? r.value === true : true);
    },
  });
}
