/**
 * What the auth method, binding rule and login routes take from the ACL routes (routes.ts):
 * the permission guard, the log writer, the token builder and Consul's token JSON.
 */
import type { AclTokenRecord, Command } from '@proconsul/catalog';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import { goSyntaxError } from '../http/decode.js';
import { DecodeError, decodeStruct, type StructSchema } from '../http/decode-struct.js';
import { badRequest } from '../http/http-error.js';

export type NewToken = Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;

export interface AclRouteDeps {
  ctx: AgentContext;
  /** ACLs on, the builtins in place, and `acl:<level>` for the request's token. */
  guard(req: FastifyRequest, level: 'read' | 'write'): Promise<void>;
  /** ACLs on (login and logout need no permission). */
  enabled(): void;
  /** Applies a command through the log; its failure is a 400 with the store's text. */
  apply(cmd: Command): Promise<void>;
  /** X-Consul-Index and friends from the ACL tables. */
  meta(reply: FastifyReply): void;
  newToken(t: Partial<NewToken>): NewToken;
  showToken(t: AclTokenRecord): Record<string, unknown>;
  /** This is the primary datacenter (else global tokens are written there). */
  inPrimary: boolean;
  /** Answers the request as the primary datacenter does. */
  viaPrimary(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

/**
 * A body decoded as Consul's lib.DecodeJSON (unknown fields refused, keys in any case), its
 * errors prefixed as the endpoint prefixes them ("AuthMethod decoding failed: ") after `reword`
 * (acl_endpoint.go rewords a "Namespace" field: rewordUnknownEnterpriseField).
 */
export function decodeBody(req: FastifyRequest, schema: StructSchema, prefix: string, reword: (message: string) => string = (m) => m): Record<string, unknown> {
  const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (text.trim() === '') throw badRequest(`${prefix}EOF`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw badRequest(`${prefix}${goSyntaxError(text, err as Error)}`);
  }
  try {
    return decodeStruct(raw, schema);
  } catch (err) {
    if (err instanceof DecodeError) throw badRequest(`${prefix}${reword(err.message)}`);
    throw err;
  }
}
