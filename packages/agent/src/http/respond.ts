import type { FastifyReply, FastifyRequest } from 'fastify';

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };
const ESCAPE_ALL = /[<>&\u2028\u2029]/g;
const NEEDS_ESCAPE = /[<>&\u2028\u2029]/;

/** JSON as Go's encoding/json writes it (HTML characters escaped); `?pretty` indents by 4 spaces. */
const BIG_MARK = '\u0000bigint:';
const BIG_RE = /"\\u0000bigint:(\d+)"/g;

/** JSON.stringify that writes a bigint (a uint64 such as KV Flags) as a bare JSON number. */
function stringify(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent);
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
    const marked = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? BIG_MARK + v.toString() : v), indent);
    return marked.replace(BIG_RE, '$1');
  }
}

export function encodeJson(value: unknown, pretty: boolean): string {
  let s = pretty ? stringify(value, 4) + '\n' : stringify(value);
  if (s === undefined) s = 'null';
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, (c) => GO_ESCAPES[c]!) : s;
}

const asIs = (payload: unknown): string => payload as string;

/**
 * Sends already-encoded JSON as `application/json`, exactly as Consul labels it. A reply
 * serializer stops fastify from appending "; charset=utf-8"; a string body goes out in one
 * write with the headers.
 */
export function sendJsonText(reply: FastifyReply, json: string): FastifyReply {
  return reply.header('content-type', 'application/json').serializer(asIs).send(json);
}

/** sendJsonText for an encoding shared by several answers (bytes, sent as they are). */
export function sendJsonBytes(reply: FastifyReply, json: Buffer): FastifyReply {
  return reply.header('content-type', 'application/json').send(json);
}

export function sendJson(req: FastifyRequest, reply: FastifyReply, value: unknown): FastifyReply {
  const pretty = (req.query as Record<string, unknown>).pretty !== undefined;
  return sendJsonText(reply, encodeJson(value, pretty));
}

/** Meta headers of every read that touches the state store (X-Consul-Index is never 0). */
export function setQueryMeta(reply: FastifyReply, index: number, consistency?: string): void {
  reply.headers({
    'X-Consul-Index': String(index > 0 ? index : 1),
    'X-Consul-KnownLeader': 'true',
    'X-Consul-LastContact': '0',
    ...(consistency ? { 'X-Consul-Effective-Consistency': consistency } : {}),
  });
}

/** 200 with an empty body, as Consul's agent write endpoints answer. */
export function sendEmpty(reply: FastifyReply): FastifyReply {
  return reply.send();
}
