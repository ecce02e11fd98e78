// PUT /v1/agent/token/<kind>: sets one of the agent's ACL tokens. Without ACLs Consul refuses
// it with 401 `ACL support disabled` (agent_endpoint.go AgentToken, checkACLDisabled); the
// ACL system replaces this answer when ACLs are enabled.
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { HttpError } from '../http-error.js';

export const ACL_DISABLED = 'ACL support disabled';

export async function agentTokenRoutes(app: FastifyInstance, _opts: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/agent/token/*', {
    PUT: () => {
      throw new HttpError(401, ACL_DISABLED);
    },
  });
}
