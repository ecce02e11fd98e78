// /v1/operator/keyring: gossip encryption keys on every member (Consul's
// OperatorKeyringEndpoint). GET lists, POST installs, PUT makes primary, DELETE removes; any
// member that fails or does not answer makes it a 500 with Consul's error text.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../../context.js';
import { validateKey, type KeyringOp } from '../../gossip/index.js';
import { isServer } from '../../gossip/tags.js';
import { decodeJson, isPlainObject, typeError } from '../decode.js';
import { endpoint } from '../endpoint.js';
import { badRequest, HttpError } from '../http-error.js';
import { parseGoBool, qs, type Query } from '../query-options.js';
import { sendEmpty, sendJson } from '../respond.js';

export async function keyringRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
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
    if (relay) {
      const n = /^[+-]?\d+$/.test(relay) ? Number(relay) : NaN;
      if (Number.isNaN(n)) throw badRequest(`Error parsing relay factor: strconv.Atoi: parsing ${JSON.stringify(relay)}: invalid syntax`);
      if (n < 0 || n > 5) throw badRequest('Invalid relay-factor: Relay factor must be in range: [0, 5]');
    }
    const localOnly = qs(query, 'local-only');
    if (localOnly) {
      const v = parseGoBool(localOnly);
      if (v === undefined) throw badRequest(`Error parsing local-only: strconv.ParseBool: parsing ${JSON.stringify(localOnly)}: invalid syntax`);
      if (v && op !== 'list') throw badRequest('Invalid use of local-only: local-only can only be set for list requests');
    }
    if (!isServer(ctx.config)) throw new HttpError(500, 'keyring operations must run against a server node');
    const { responses, error } = await ctx.gossip.keyring.run(op, key);
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
