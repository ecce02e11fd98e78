// GET /v1/agent/host: this machine's memory, CPUs, OS, root filesystem (Consul's AgentHost,
// which `consul debug` captures). operator:read (permissions.ts). The readings are a few small
// synchronous /proc and /sys reads, each bounded (host-info/env.ts).
import type { FastifyInstance } from 'fastify';
import { collectHostInfo, SYSTEM_ENV } from '../../host-info/index.js';
import { endpoint } from '../endpoint.js';
import { sendJson } from '../respond.js';

export async function agentHostRoutes(app: FastifyInstance): Promise<void> {
  endpoint(app, '/v1/agent/host', { GET: (req, reply) => sendJson(req, reply, collectHostInfo(SYSTEM_ENV)) });
}
