/**
 * /v1/config: config entries (Consul's agent/config_endpoint.go over the ConfigEntry.Apply, Get,
 * List and Delete RPCs of agent/consul/config_endpoint.go). Writes are decoded, normalized and
 * validated here (on the leader: the forwarding hook brings them there) and acknowledged once
 * Raft commits them. Consul answers a Normalize/Validate error or a bad `?cas` with 500 (they come
 * back as RPC errors); they are the client's mistakes, so they are 400 here with Consul's text.
 */
import {
  ConfigEntryDecodeError,
  ConfigEntryInvalidError,
  ConfigEntryKindUnsupportedError,
  configEntryKindError,
  decodeConfigEntry,
  normalizeConfigEntry,
  terminatingGatewayWarnings,
  type ConfigEntry,
  type ConfigEntryOp,
} from '@proconsul/catalog';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authorizer } from '../acl/authorizer.js';
import { permissionDenied, requestIdentity } from '../acl/enforce.js';
import type { Denial } from '../acl/permissions.js';
import type { AgentContext } from '../context.js';
import { decodeJson } from '../http/decode.js';
import { endpoint } from '../http/endpoint.js';
import { badRequest, HttpError, notFound } from '../http/http-error.js';
import { refuseEnterpriseMeta } from '../http/enterprise-meta.js';
import { parseWaitAndConsistency, qs, type Query } from '../http/query-options.js';
import { catalogRead } from '../http/read.js';
import { sendJson } from '../http/respond.js';
import { configEntryReadDenial, configEntryWriteDenial } from './acl.js';
import { CONFIG_ENTRY_HOOKS } from './hooks.js';
import { writeInPrimary } from './primary-writes.js';

/** ConfigEntryNotFoundErr. */
export const CONFIG_ENTRY_NOT_FOUND = 'Config entry not found';

/** A JSON body, its errors worded as these endpoints' decodeBody callers word them ("Request decoding failed: ..."). */
export function decodeBody(body: unknown): unknown {
  try {
    return decodeJson(body);
  } catch (err) {
    if (err instanceof HttpError) throw badRequest(err.message.replace(/^Request decode failed: /, 'Request decoding failed: '));
    throw err;
  }
}

/** The path after /v1/config/, split as Consul's strings.SplitN(path, "/", 2). */
function kindAndName(req: FastifyRequest): string[] {
  const rest = (req.params as { '*': string })['*'];
  const i = rest.indexOf('/');
  return i < 0 ? [rest] : [rest.slice(0, i), rest.slice(i + 1)];
}

/** `?cas=<uint64>` as strconv.ParseUint reads it; undefined when absent or empty. */
function casIndex(req: FastifyRequest): number | undefined {
  const v = qs(req.query as Query, 'cas');
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw badRequest(`strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/** The request's authorizer; null when ACLs are off (everything allowed). */
async function authorizer(ctx: AgentContext, req: FastifyRequest): Promise<{ authz: Authorizer; deny: (d: Denial) => HttpError } | null> {
  if (!ctx.aclResolver.enabled) return null;
  const identity = await requestIdentity(req, ctx.aclResolver);
  return { authz: identity.authz, deny: (d) => permissionDenied(identity, d) };
}

/** An entry's name (a mesh entry has none: "mesh"). */
const nameOf = (e: ConfigEntry): string => (e.Kind === 'mesh' ? 'mesh' : (e.Name ?? ''));

async function apply(ctx: AgentContext, op: ConfigEntryOp, entry: ConfigEntry): Promise<boolean> {
  const started = ctx.metrics.clock();
  const r = await ctx.applier.applyIndexed({ Type: 'ConfigEntry', Op: op, Entry: entry });
  ctx.metrics.measureSince(['config_entry', op.startsWith('delete') ? 'delete' : 'apply'], started);
  if (!r.result.ok) throw badRequest(r.result.error ?? 'apply failed');
  return r.result.value === true;
}

export async function configEntryRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/config', {
    PUT: async (req, reply) => {
      const raw = decodeBody(req.body);
      let decoded;
      try {
        decoded = decodeConfigEntry(raw);
      } catch (err) {
        if (err instanceof ConfigEntryDecodeError) throw badRequest(`Request decoding failed: ${err.message}`);
        if (err instanceof ConfigEntryKindUnsupportedError) throw badRequest(err.message);
        throw err;
      }
      // config_endpoint.go ConfigApply: the namespace and partition after the body's decoding
      // (parseEntMetaForConfigEntryKind; http_ce.go refuses them).
      refuseEnterpriseMeta(req);
      const cas = casIndex(req);
      const primary = writeInPrimary(ctx, req, reply);
      if (primary) return primary;
      const acl = await authorizer(ctx, req);
      let entry: ConfigEntry;
      try {
        entry = normalizeConfigEntry(decoded.kind, decoded.fields, CONFIG_ENTRY_HOOKS);
      } catch (err) {
        if (err instanceof ConfigEntryInvalidError) throw badRequest(err.message);
        throw err;
      }
      // Consul's ConfigEntry.Apply logs a WarningConfigEntry's warnings.
      for (const w of terminatingGatewayWarnings(entry)) ctx.log.agent.warn(w);
      const denial = acl && configEntryWriteDenial(acl.authz, entry.Kind, nameOf(entry), entry);
      if (acl && denial) throw acl.deny(denial);
      const ok = await apply(ctx, cas === undefined ? 'upsert' : 'upsert-cas', { ...entry, ModifyIndex: cas ?? 0 });
      return sendJson(req, reply, ok);
    },
  });

  endpoint(app, '/v1/config/*', {
    GET: async (req, reply) => {
      // configGet: the query options (s.parse), then the namespace and partition; the kind is
      // checked by the RPC, after them.
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refuseEnterpriseMeta(req);
      const parts = kindAndName(req);
      const kind = parts[0]!;
      const acl = await authorizer(ctx, req);
      if (parts.length === 2) {
        const name = parts[1]!;
        const kindErr = configEntryKindError(kind);
        if (kindErr) throw badRequest(kindErr);
        const denial = acl && configEntryReadDenial(acl.authz, kind, name);
        if (acl && denial) throw acl.deny(denial);
        return catalogRead(ctx, req, reply, () => ctx.catalog.configEntryGet(kind, name), (r, rep, send) => {
          if (r.value === null) return rep.code(404).header('content-type', 'text/plain; charset=utf-8').send(`${CONFIG_ENTRY_NOT_FOUND} for ${JSON.stringify(kind)} / ${JSON.stringify(name)}`);
          return send(r.value);
        });
      }
      if (kind !== '' && configEntryKindError(kind)) throw badRequest(`invalid config entry kind: ${kind}`);
      // The filtered mark travels with the value: a memoized read (read-memo.ts) does not run the query again.
      return catalogRead(
        ctx,
        req,
        reply,
        () => {
          const r = ctx.catalog.configEntryList(kind === '' ? undefined : kind);
          if (!acl || acl.authz.isManagement) return { ...r, value: { entries: r.value, filtered: false } };
          const entries = r.value.filter((e) => configEntryReadDenial(acl.authz, e.Kind, nameOf(e)) === undefined);
          return { ...r, value: { entries, filtered: entries.length !== r.value.length } };
        },
        (r, rep, send) => {
          if (r.value.filtered) rep.header('X-Consul-Results-Filtered-By-ACLs', 'true');
          return send(r.value.entries);
        },
        (v, pred) => ({ ...v, entries: v.entries.filter(pred) }),
      );
    },
    DELETE: async (req, reply) => {
      const parts = kindAndName(req);
      if (parts.length !== 2) throw notFound('Must provide both a kind and name to delete');
      const [kind, name] = parts as [string, string];
      const kindErr = configEntryKindError(kind);
      if (kindErr) throw badRequest(kindErr);
      refuseEnterpriseMeta(req); // configDelete: after MakeConfigEntry's kind check
      const cas = casIndex(req);
      const primary = writeInPrimary(ctx, req, reply);
      if (primary) return primary;
      const acl = await authorizer(ctx, req);
      // Normalize: proxy-defaults takes only "global" (a mesh entry is always "mesh").
      if (kind === 'proxy-defaults' && name !== '' && name !== 'global') throw badRequest(`invalid name (${JSON.stringify(name)}), only "global" is supported`);
      const stored = kind === 'proxy-defaults' ? 'global' : kind === 'mesh' ? 'mesh' : name;
      const denial = acl && configEntryWriteDenial(acl.authz, kind, stored);
      if (acl && denial) throw acl.deny(denial);
      const deleted = await apply(ctx, cas === undefined ? 'delete' : 'delete-cas', { Kind: kind, Name: stored, CreateIndex: 0, ModifyIndex: cas ?? 0 });
      // Consul answers the `deleted` bool only for a CAS delete, `{}` otherwise.
      return sendJson(req, reply, cas === undefined ? {} : deleted);
    },
  });
}
