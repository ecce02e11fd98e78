// Consul routes accept a fixed set of methods: any other gets 405 `method X not allowed` with
// an Allow header, and OPTIONS answers 200 with the Allow header (agent/http.go).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
export type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;

const ALL_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export interface EndpointOptions {
  /** Largest accepted request body in bytes (fastify's bodyLimit for this route). */
  bodyLimit?: number;
}

export function endpoint(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<Method, Handler>>,
  options: EndpointOptions = {},
): void {
  const allow = ['OPTIONS', ...Object.keys(handlers)].join(',');
  app.route({
    method: [...ALL_METHODS],
    url,
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    handler: (req, reply) => {
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const handler = handlers[method as Method];
      if (handler) return handler(req, reply);
      reply.header('Allow', allow);
      if (method === 'OPTIONS') return reply.code(200).send('');
      throw new HttpError(405, `method ${req.method} not allowed`);
    },
  });
}
