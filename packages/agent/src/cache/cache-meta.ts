// Consul's setCacheMeta (agent/http.go): `X-Cache: HIT|MISS` on every answer that went through
// the agent cache or the leaf certificate manager, and on a hit `Age` in whole seconds (Go's %.0f).
import type { FastifyReply } from 'fastify';

export function setCacheMeta(reply: FastifyReply, hit: boolean, ageMs: number): FastifyReply {
  reply.header('X-Cache', hit ? 'HIT' : 'MISS');
  if (hit) reply.header('Age', String(Math.round(ageMs / 1000)));
  return reply;
}
