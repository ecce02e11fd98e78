/**
 * The intention endpoints and the agent's authorize endpoint as one route group of the HTTP
 * app (http/app.ts registers it).
 */
import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../../context.js';
import { agentConnectAuthorizeRoutes } from '../authorize-route.js';
import { configEntryIntentionStore } from './config-entry-store.js';
import { CONNECT_NOT_ENABLED } from '../config.js';
import { HttpError } from '../../http/http-error.js';
import { intentionRoutes } from './routes.js';

export async function connectIntentionRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  // Consul's Intention.* RPCs answer ErrConnectNotEnabled while Connect is off (as the CA endpoints here).
  const connectDisabled = (): HttpError | undefined => (ctx.config.connect.enabled ? undefined : new HttpError(500, CONNECT_NOT_ENABLED));
  intentionRoutes(app, { ctx, store: configEntryIntentionStore(ctx), connectDisabled });
  agentConnectAuthorizeRoutes(app, ctx);
}
