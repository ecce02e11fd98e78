/**
 * /v1/connect/intentions* as Consul 1.17 serves them (agent/intentions_endpoint.go over the
 * Intention.* RPCs of agent/consul/intention_endpoint.go): list, legacy create (answers an ID),
 * exact get/upsert/delete by source and destination, match, check, and the deprecated by-ID
 * get/update/delete. Every write becomes a check-and-set write of the destination's
 * service-intentions config entry; these routes run on the leader (forward.ts sends them there).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { writeInPrimary } from '../../config-entries/primary-writes.js';
import { catalogRead, type Respond } from '../../http/read.js';
import { endpoint } from '../../http/endpoint.js';
import { badRequest, HttpError, notFound } from '../../http/http-error.js';
import type { StructSchema } from '../../http/decode-struct.js';
import { decodeBody } from '../../acl/auth-method-deps.js';
import { refuseEnterpriseMeta } from '../../http/enterprise-meta.js';
import { parseWaitAndConsistency, qsAll, type Query } from '../../http/query-options.js';
import { sendJson } from '../../http/respond.js';
import { byPrecedence, toIntention, toIntentions, type Intention, type ServiceIntentionsEntry, type SourceIntention } from './intention.js';
import { canRead, canWrite, deniedOn, intentionAllowed, intentionDefaultAllow, PERMISSION_DENIED, requestAuthz, type RequestAuthz } from './intention-acl.js';
import { IntentionInvalidError, type IntentionStore } from './intention-store.js';
import { intentionDecision, match } from './match.js';
import { deleteByName, findLegacy, legacyCreate, legacyDelete, legacyUpdate, upsertByName, type EntryChange } from './mutation.js';
import { legacyApplyError, legacyEntryError, validateLegacyIntention } from './legacy-validate.js';
import { goTimeNow } from '../../go-time.js';

type Obj = Record<string, unknown>;

/** ErrIntentionNotFound. */
export const INTENTION_NOT_FOUND = 'Intention not found';
/** Writes retried when another write moved the entry between the read and the commit. */
const CAS_ATTEMPTS_MAX = 8;
/** Intention bodies are small; Consul's limit for an entry's Description and Meta is far below this. */
export const INTENTION_BODY_BYTES_MAX = 64 * 1024;

/** structs.Intention as a request body may carry it (the read-only fields are accepted and ignored). */
const INTENTION_SCHEMA: StructSchema = {
  name: 'structs.Intention',
  fields: {
    ID: 'string', Description: 'string', SourcePeer: 'string', SourceSamenessGroup: 'string', SourceNS: 'string', SourceName: 'string',
    DestinationNS: 'string', DestinationName: 'string', SourcePartition: 'string', DestinationPartition: 'string', SourceType: 'string',
    Action: 'string', Permissions: { arrayOf: 'any' }, JWT: 'any', DefaultAddr: 'string', DefaultPort: 'int', Meta: 'stringMap',
    Precedence: 'int', CreatedAt: 'any', UpdatedAt: 'any', Hash: 'any', CreateIndex: 'uint64', ModifyIndex: 'uint64',
  },
};

const str = (o: Obj, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

export interface IntentionRouteDeps {
  ctx: AgentContext;
  store: IntentionStore;
  /** Consul answers every intention endpoint with this error while Connect is off; undefined when on. */
  connectDisabled(): HttpError | undefined;
}

export function intentionRoutes(app: FastifyInstance, d: IntentionRouteDeps): void {
  const { ctx, store } = d;

  function enabled(): void {
    const err = d.connectDisabled();
    if (err) throw err;
  }

  /** The body as structs.Intention; `prefix` is the endpoint's decode-error wording. */
  const intentionBody = (req: FastifyRequest, prefix: string): Obj => decodeBody(req, INTENTION_SCHEMA, prefix);

  /** The Enterprise fields a request may only leave at their defaults (OSS). */
  function ossOnly(b: Obj): void {
    for (const k of ['SourcePartition', 'DestinationPartition'] as const) {
      const v = str(b, k);
      if (v !== '' && v !== 'default') throw badRequest(`Cannot specify a ${k === 'SourcePartition' ? 'source' : 'destination'} partition with this endpoint`);
    }
    for (const k of ['SourceNS', 'DestinationNS'] as const) {
      const v = str(b, k);
      if (v !== '' && v !== 'default') throw badRequest(`Invalid ${k === 'SourceNS' ? 'source' : 'destination'} namespace ${JSON.stringify(v)}: Namespaces are a Consul Enterprise feature`);
    }
  }

  /** Normalize/Validate with Consul's texts as 400s (Consul's RPC layer answers them as 500s). */
  function normalized(e: ServiceIntentionsEntry, legacy: boolean): ServiceIntentionsEntry {
    try {
      const out = store.normalize(e, legacy);
      if (legacy) {
        const err = legacyEntryError(out);
        if (err) throw new IntentionInvalidError(err);
      }
      return out;
    } catch (err) {
      if (err instanceof IntentionInvalidError) throw badRequest(err.message);
      throw err;
    }
  }

  /**
   * Reads the destination's entry, computes the change and commits it if the entry did not move
   * meanwhile (else again). `compute` throws the endpoint's refusals.
   */
  async function mutate(destination: () => string, compute: (prev: ServiceIntentionsEntry | undefined) => EntryChange, legacy: boolean): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      const prev = store.get(destination());
      let change = compute(prev);
      if (change.op === 'none') return;
      if (change.op === 'upsert') change = { op: 'upsert', entry: normalized(change.entry, legacy) };
      if (await store.write(change, prev?.ModifyIndex ?? 0)) return;
    }
    throw new HttpError(409, 'Intention write conflicted with concurrent writes; try again');
  }

  /**
   * A legacy by-ID update or delete: Consul's "Cannot <verb> non-existent intention", write on
   * the intention's destination, the endpoint's own checks, then checkLegacyIntentionApplyAllowed.
   */
  async function mutateById(id: string, verb: 'modify' | 'delete', a: RequestAuthz, change: (found: { entry: ServiceIntentionsEntry; index: number }) => EntryChange): Promise<void> {
    const locate = (): { entry: ServiceIntentionsEntry; index: number } | undefined => findLegacy(store.list().value, id);
    await mutate(
      () => locate()?.entry.Name ?? '',
      () => {
        const found = locate();
        if (!found) throw notFound(`Cannot ${verb} non-existent intention: '${id}'`);
        if (!canWrite(a, found.entry.Name)) throw PERMISSION_DENIED();
        const next = change(found);
        const refused = legacyApplyError(found.entry);
        if (refused) throw badRequest(refused);
        return next;
      },
      true,
    );
  }

  const reply403IfNot = (ok: boolean): void => {
    if (!ok) throw PERMISSION_DENIED();
  };

  /** A blocking read over the service-intentions entries: `pick` shapes the answer. */
  function readEntries<T>(req: FastifyRequest, reply: FastifyReply, pick: (entries: ServiceIntentionsEntry[]) => T, respond?: Respond<T>): FastifyReply | Promise<FastifyReply> {
    return catalogRead(ctx, req, reply, () => {
      const r = store.list();
      return { ...r, value: pick(r.value) };
    }, respond);
  }

  // ---- list and legacy create -------------------------------------------------------------
  endpoint(
    app,
    '/v1/connect/intentions',
    {
      // intentions_endpoint.go IntentionList: the query options, then parseEntMeta (http_ce.go
      // refuses a namespace or partition), before the RPC's own errors.
      GET: async (req, reply) => {
        parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
        refuseEnterpriseMeta(req);
        enabled();
        const a = await requestAuthz(ctx, req);
        return readEntries(
          req,
          reply,
          (entries) => entries.flatMap(toIntentions).sort(byPrecedence),
          (r, rep, send) => {
            const kept = r.value.filter((ixn) => canRead(a, ixn));
            if (kept.length !== r.value.length) rep.header('X-Consul-Results-Filtered-By-ACLs', 'true');
            return send(kept.length === r.value.length ? r.value : kept);
          },
        );
      },
      POST: async (req, reply) => {
        refuseEnterpriseMeta(req); // IntentionCreate: first
        enabled();
        const b = intentionBody(req, 'Failed to decode request body: ');
        ossOnly(b);
        if (str(b, 'SourcePeer') !== '') throw badRequest('SourcePeer field is not supported on this endpoint. Use config entries instead');
        const primary = writeInPrimary(ctx, req, reply);
        if (primary) return primary;
        const a = await requestAuthz(ctx, req);
        const destination = str(b, 'DestinationName');
        reply403IfNot(canWrite(a, destination));
        if (str(b, 'ID') !== '') throw badRequest('ID must be empty when creating a new intention');
        const id = freshId();
        const now = goTimeNow();
        const src = legacySource(b, id, now);
        const invalid = validateLegacyIntention(legacyInput(b));
        if (invalid) throw badRequest(invalid);
        await mutate(
          () => destination,
          (prev) => {
            const refused = legacyApplyError(prev);
            if (refused) throw badRequest(refused);
            return legacyCreate(prev, destination, src);
          },
          true,
        );
        return sendJson(req, reply, { ID: id });
      },
    },
    { bodyLimit: INTENTION_BODY_BYTES_MAX },
  );

  /** lib.GenerateUUID with checkIntentionID: a fresh ID no intention has. */
  function freshId(): string {
    for (;;) {
      const id = randomUUID();
      if (!findLegacy(store.list().value, id)) return id;
    }
  }

  // ---- exact ------------------------------------------------------------------------------
  endpoint(
    app,
    '/v1/connect/intentions/exact',
    {
      // IntentionGetExact, IntentionPutExact, IntentionDeleteExact: the namespace first.
      GET: async (req, reply) => {
        refuseEnterpriseMeta(req);
        enabled();
        const { source, destination } = exactParams(req, false);
        const a = await requestAuthz(ctx, req);
        return readEntries(
          req,
          reply,
          (entries) => {
            const e = entries.find((x) => x.Name.toLowerCase() === destination.toLowerCase());
            const src = e?.Sources.find((s) => !s.Peer && !s.SamenessGroup && s.Name.toLowerCase() === source.toLowerCase());
            return e && src ? toIntention(e, src) : null;
          },
          readableOr404(a),
        );
      },
      PUT: async (req, reply) => {
        refuseEnterpriseMeta(req);
        enabled();
        const { source, destination } = exactParams(req, true);
        const b = intentionBody(req, 'Request decode failed: ');
        if (str(b, 'SourcePeer') !== '') throw badRequest('SourcePeer field is not supported on this endpoint. Use config entries instead');
        const primary = writeInPrimary(ctx, req, reply);
        if (primary) return primary;
        const a = await requestAuthz(ctx, req);
        reply403IfNot(canWrite(a, destination));
        const meta = (b.Meta as Record<string, string> | undefined) ?? {};
        const src: SourceIntention = {
          Name: source,
          ...(str(b, 'Action') !== '' ? { Action: str(b, 'Action') } : {}),
          ...(Array.isArray(b.Permissions) && b.Permissions.length > 0 ? { Permissions: b.Permissions as Obj[] } : {}),
          Type: str(b, 'SourceType'),
          ...(str(b, 'Description') !== '' ? { Description: str(b, 'Description') } : {}),
        };
        await mutate(
          () => destination,
          (prev) => {
            // Meta lives on the enclosing entry: only an unchanged copy of it may come back.
            if (Object.keys(meta).length > 0) {
              if (!prev) throw badRequest('Meta must not be specified');
              if (!sameMap(prev.Meta ?? {}, meta)) throw badRequest('Meta must not be specified, or should be unchanged during an update.');
            }
            return upsertByName(prev, destination, src);
          },
          false,
        );
        return sendJson(req, reply, true);
      },
      DELETE: async (req, reply) => {
        refuseEnterpriseMeta(req);
        enabled();
        const { source, destination } = exactParams(req, true);
        const primary = writeInPrimary(ctx, req, reply);
        if (primary) return primary;
        const a = await requestAuthz(ctx, req);
        reply403IfNot(canWrite(a, destination));
        await mutate(() => destination, (prev) => deleteByName(prev, source), false);
        return sendJson(req, reply, true);
      },
    },
    { bodyLimit: INTENTION_BODY_BYTES_MAX },
  );

  // ---- match and check --------------------------------------------------------------------
  endpoint(app, '/v1/connect/intentions/match', {
    GET: async (req, reply) => {
      // IntentionMatch, IntentionCheck: the query options, then the namespace.
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refuseEnterpriseMeta(req);
      enabled();
      const q = req.query as Query;
      const by = qsAll(q, 'by');
      if (by.length !== 1) throw badRequest("required query parameter 'by' not set");
      if (by[0] !== 'source' && by[0] !== 'destination') throw badRequest("'by' parameter must be one of 'source' or 'destination'");
      const names = qsAll(q, 'name');
      if (names.length === 0) throw badRequest("required query parameter 'name' not set");
      const entries = names.map((n) => ({ raw: n, name: intentionName(n, `name ${JSON.stringify(n)} is invalid: `) }));
      const a = await requestAuthz(ctx, req);
      // Intention.Match: intentions:read on every name asked for.
      for (const e of entries) if (e.name !== '' && !intentionAllowed(a, e.name, 'read')) throw deniedOn(a, { resource: 'intention', need: 'read', name: e.name });
      const type = by[0];
      return readEntries(req, reply, (all) => Object.fromEntries(entries.map((e) => [e.raw, match(all, type, e.name)])));
    },
  });

  endpoint(app, '/v1/connect/intentions/check', {
    GET: async (req, reply) => {
      parseWaitAndConsistency(req.query as Query, ctx.config.queryTimes);
      refuseEnterpriseMeta(req);
      enabled();
      const q = req.query as Query;
      const sourceType = qsAll(q, 'source-type')[0] ?? 'consul';
      const source = qsAll(q, 'source');
      if (source.length !== 1) throw badRequest("required query parameter 'source' not set");
      const destination = qsAll(q, 'destination');
      if (destination.length !== 1) throw badRequest("required query parameter 'destination' not set");
      const sourceName = sourceType === 'consul' ? intentionName(source[0]!, `source ${JSON.stringify(source[0])} is invalid: `) : source[0]!;
      const destinationName = intentionName(destination[0]!, `destination ${JSON.stringify(destination[0])} is invalid: `);
      if (sourceType !== 'consul') throw badRequest(`unsupported SourceType: ${JSON.stringify(sourceType)}`);
      const a = await requestAuthz(ctx, req);
      // Intention.Check needs only service:read on the destination: it says no more than allowed or not.
      if (destinationName !== '' && a.enabled && !a.authz.allowed('service', destinationName, 'read')) throw deniedOn(a, { resource: 'service', need: 'read', name: destinationName });
      const defaultAllow = intentionDefaultAllow(a);
      const r = store.list();
      const decision = intentionDecision({
        intentions: match(r.value, 'source', sourceName),
        by: 'destination',
        target: destinationName,
        defaultAllow,
        allowPermissions: false,
      });
      return sendJson(req, reply, { Allowed: decision.Allowed });
    },
  });

  // ---- by legacy ID -----------------------------------------------------------------------
  endpoint(
    app,
    '/v1/connect/intentions/:id',
    {
      GET: async (req, reply) => {
        enabled();
        const id = (req.params as { id: string }).id;
        checkUuid(id);
        const a = await requestAuthz(ctx, req);
        return readEntries(
          req,
          reply,
          (entries) => {
            const found = findLegacy(entries, id);
            return found ? toIntention(found.entry, found.entry.Sources[found.index]!) : null;
          },
          readableOr404(a),
        );
      },
      PUT: async (req, reply) => {
        refuseEnterpriseMeta(req); // IntentionSpecificUpdate: first (its GET and DELETE take none)
        enabled();
        const id = (req.params as { id: string }).id;
        const b = intentionBody(req, 'Request decode failed: ');
        ossOnly(b);
        if (str(b, 'SourcePeer') !== '') throw badRequest('SourcePeer field is not supported on this endpoint. Use config entries instead');
        const primary = writeInPrimary(ctx, req, reply);
        if (primary) return primary;
        const a = await requestAuthz(ctx, req);
        const now = goTimeNow();
        await mutateById(id, 'modify', a, (found) => {
          if (str(b, 'DestinationName') !== found.entry.Name) throw badRequest('Cannot modify Destination partition/namespace/name for an intention once it exists.');
          const invalid = validateLegacyIntention(legacyInput(b));
          if (invalid) throw badRequest(invalid);
          return legacyUpdate(found.entry, found.index, legacySource(b, id, now));
        });
        return sendJson(req, reply, { ID: id });
      },
      DELETE: async (req, reply) => {
        enabled();
        const id = (req.params as { id: string }).id;
        const primary = writeInPrimary(ctx, req, reply);
        if (primary) return primary;
        const a = await requestAuthz(ctx, req);
        await mutateById(id, 'delete', a, (found) => legacyDelete(found.entry, found.index));
        return sendJson(req, reply, true);
      },
    },
    { bodyLimit: INTENTION_BODY_BYTES_MAX },
  );
}

/** Answers one intention: 404 with Consul's text when there is none, 403 when the token may read neither end. */
function readableOr404(a: RequestAuthz): Respond<Intention | null> {
  return (r, rep, send) => {
    if (r.value === null) return rep.code(404).header('content-type', 'text/plain; charset=utf-8').send(INTENTION_NOT_FOUND);
    if (!canRead(a, r.value)) throw PERMISSION_DENIED();
    return send(r.value);
  };
}

/** A legacy write's source (Intention.ToSourceIntention(legacy=true)), the type defaulted to consul. */
function legacySource(b: Obj, id: string, now: string): SourceIntention {
  return {
    Name: str(b, 'SourceName'),
    Action: str(b, 'Action'),
    // Kept so that the entry's validation refuses them with Consul's text (an L4-only API).
    ...(Array.isArray(b.Permissions) && b.Permissions.length > 0 ? { Permissions: b.Permissions as Obj[] } : {}),
    LegacyID: id,
    Type: str(b, 'SourceType') || 'consul',
    ...(str(b, 'Description') !== '' ? { Description: str(b, 'Description') } : {}),
    LegacyMeta: (b.Meta as Record<string, string> | undefined) ?? {},
    LegacyCreateTime: now,
    LegacyUpdateTime: now,
  };
}

function legacyInput(b: Obj): Parameters<typeof validateLegacyIntention>[0] {
  return {
    SourceName: str(b, 'SourceName'),
    DestinationName: str(b, 'DestinationName'),
    SourceType: str(b, 'SourceType') || 'consul',
    Action: str(b, 'Action'),
    Description: str(b, 'Description'),
    Meta: (b.Meta as Record<string, string> | undefined) ?? {},
  };
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/**
 * parseIntentionStringComponent in OSS: `name` or `namespace/name` (the default namespace only),
 * no peer. `prefix` starts the error text.
 */
function intentionName(input: string, prefix: string): string {
  if (input.startsWith('peer:')) throw badRequest(`${prefix}cannot specify a peer here`);
  const parts = input.split('/');
  if (parts.length > 3) throw badRequest(`${prefix}input can contain at most two '/'`);
  if (parts.length === 1) return input;
  const ns = parts[parts.length - 2]!;
  if (parts.length === 3 && parts[0] !== 'default' && parts[0] !== '') throw badRequest(`Invalid partition ${JSON.stringify(parts[0])}: Partitions is a Consul Enterprise feature`);
  if (ns !== 'default' && ns !== '') throw badRequest(`Invalid namespace ${JSON.stringify(ns)}: Namespaces are a Consul Enterprise feature`);
  return parts[parts.length - 1]!;
}

/** parseIntentionQueryExact: both parameters once and not empty (a GET takes an empty one). */
function exactParams(req: FastifyRequest, nonEmpty: boolean): { source: string; destination: string } {
  const q = req.query as Query;
  const source = qsAll(q, 'source');
  if (source.length !== 1 || (nonEmpty && source[0] === '')) throw badRequest("required query parameter 'source' not set");
  const destination = qsAll(q, 'destination');
  if (destination.length !== 1 || (nonEmpty && destination[0] === '')) throw badRequest("required query parameter 'destination' not set");
  return {
    source: intentionName(source[0]!, `source ${JSON.stringify(source[0])} is invalid: `),
    destination: intentionName(destination[0]!, `destination ${JSON.stringify(destination[0])} is invalid: `),
  };
}

/**
 * The legacy-ID index takes only UUIDs (go-memdb parseUUID); Consul answers its text as a 400
 * ("failed config entry lookup: ...").
 */
function checkUuid(id: string): void {
  const fail = (why: string): never => {
    throw badRequest(`failed config entry lookup: ${why}`);
  };
  if (id.length !== 36) fail('UUID must be 36 characters');
  const hyphens = id.split('-').length - 1;
  if (hyphens > 4) fail(`UUID should have maximum of 4 "-"; got ${hyphens}`);
  const hex = id.replaceAll('-', '');
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad) fail(`Invalid UUID: encoding/hex: invalid byte: U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(bad[0]).replace(/^"|"$/g, "'")}`);
  if (hex.length % 2 !== 0) fail('Invalid UUID: encoding/hex: odd length hex string');
  if (hex.length !== 32) fail('UUID must be 16 bytes');
}
