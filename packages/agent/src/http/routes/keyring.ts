// /v1/operator/keyring: gossip encryption keys on every member (Consul's
// OperatorKeyringEndpoint). GET lists, POST installs, PUT makes primary, DELETE removes; any
// member that fails or does not answer makes it a 500 with Consul's error text. As Consul's
// KeyringOperation, a server runs it on the WAN pool, its own LAN pool, and the LAN pool of
// every other datacenter (sent to a server there, marked to run on its LAN pool only).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { keyringErrors, validateKey, type KeyringOp, type KeyringResponse } from '../../gossip/index.js';
import { isServer } from '../../gossip/tags.js';
import { decodeJson, isPlainObject, typeError } from '../decode.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { parseGoBool, qs, type Query } from '../query-options.js';
import { sendEmpty, sendJson } from '../respond.js';

/** Marks a keyring request another datacenter's server sends here for our LAN pool only (trusted from agent RPC only). */
const LAN_ONLY_HEADER = 'x-proconsul-keyring-lan-only';
const FORWARD_TIMEOUT_MS = 30_000;

export async function keyringRoutes(app: FastifyInstance, { ctx, forwardedOnly }: { ctx: AgentContext; forwardedOnly: boolean }): Promise<void> {
  const run = async (req: FastifyRequest, reply: FastifyReply, op: KeyringOp): Promise<FastifyReply> => {
    const query = req.query as Query;
    let key = '';
    if (op !== 'list') {
      const body = decodeJson(req.body);
      if (!isPlainObject(body)) throw typeError(body, 'keyringArgs', 'agent.keyringArgs');
      const k = Object.entries(body).find(([name]) => name.toLowerCase() === 'key')?.[1] ?? '';
      if (typeof k !== 'string') throw typeError(k, 'keyringArgs.Key', 'string');
      const bad = validateKey(k);
      if (bad) throw badRequest(`Invalid key: ${bad}`);
      key = k;
    }
    const relay = qs(query, 'relay-factor');
    let relayFactor = 0;
    if (relay) {
      const n = /^[+-]?\d+$/.test(relay) ? Number(relay) : NaN;
      if (Number.isNaN(n)) throw badRequest(`Error parsing relay factor: strconv.Atoi: parsing ${JSON.stringify(relay)}: invalid syntax`);
      if (n < 0 || n > 5) throw badRequest('Invalid relay-factor: Relay factor must be in range: [0, 5]');
      relayFactor = n;
    }
    const localOnlyRaw = qs(query, 'local-only');
    let localOnly = false;
    if (localOnlyRaw) {
      const v = parseGoBool(localOnlyRaw);
      if (v === undefined) throw badRequest(`Error parsing local-only: strconv.ParseBool: parsing ${JSON.stringify(localOnlyRaw)}: invalid syntax`);
      if (v && op !== 'list') throw badRequest('Invalid use of local-only: local-only can only be set for list requests');
      localOnly = v;
    }
    if (!isServer(ctx.config)) throw new HttpError(500, 'keyring operations must run against a server node');
    const lanOnly = forwardedOnly && req.headers[LAN_ONLY_HEADER] === '1';
    const responses = await ctx.gossip.keyring.run(op, key, { localOnly, relayFactor, lanOnly });
    // The asking datacenter counts the errors: our answer is the responses, failed or not.
    if (lanOnly) return sendJson(req, reply, responses);
    if (!localOnly) responses.push(...(await otherDatacenters(ctx, req)));
    const error = keyringErrors(responses);
    if (error) throw new HttpError(500, error);
    return op === 'list' ? sendJson(req, reply, responses) : sendEmpty(reply);
  };
  endpoint(app, '/v1/operator/keyring', {
    GET: (req, reply) => run(req, reply, 'list'),
    POST: (req, reply) => run(req, reply, 'install'),
    PUT: (req, reply) => run(req, reply, 'use'),
    DELETE: (req, reply) => run(req, reply, 'remove'),
  });
}

/** The same operation on the LAN pool of every other datacenter (Consul's globalRPC). */
async function otherDatacenters(ctx: AgentContext, req: FastifyRequest): Promise<KeyringResponse[]> {
  const others = (await ctx.cluster.datacenters()).filter((dc) => dc !== ctx.config.datacenter);
  const headers: Record<string, string> = { [LAN_ONLY_HEADER]: '1' };
  for (const h of ['x-consul-token', 'authorization']) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const body = req.body instanceof Uint8Array && req.body.length > 0 ? { body: req.body } : {};
  return Promise.all(
    others.map(async (dc): Promise<KeyringResponse> => {
      const failed = (error: string): KeyringResponse => ({ WAN: false, Datacenter: dc, Segment: '', Keys: {}, PrimaryKeys: {}, NumNodes: 0, Error: error });
      try {
        const res = await ctx.cluster.forwardToDatacenter(dc, { method: req.method, url: req.url, headers, ...body }, FORWARD_TIMEOUT_MS);
        const text = Buffer.from(res.body).toString('utf8');
        if (res.status !== 200) return failed(text.trim());
        const list = JSON.parse(text) as KeyringResponse[];
        return list.find((r) => !r.WAN) ?? failed('no answer for its LAN pool');
      } catch (err) {
        return failed((err as Error).message);
      }
    }),
  );
}
