// GET /v1/agent/monitor: streams the agent's log lines as they are written, from
// `?loglevel=` up (default INFO; 400 `Unknown log level: X` otherwise), as text lines or,
// with `?logjson`, hclog's JSON lines (agent_endpoint.go AgentMonitor). A slow reader loses
// lines rather than growing the agent's memory, as Consul's monitor drops them.
import type { FastifyInstance } from 'fastify';
import { defaultPolicyHeader } from '../../acl/config.js';
import type { AgentContext } from '../../context.js';
import { hclogJsonLine, LEVEL_VALUES, textLine } from '../../log.js';
import { endpoint } from '../endpoint.js';
import { badRequest } from '../http-error.js';
import { has, qs, type Query } from '../query-options.js';

/** Bytes a monitor may have unsent before further lines are dropped. */
export const MONITOR_BUFFER_BYTES_MAX = 512 * 1024;

export async function agentMonitorRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/agent/monitor', {
    GET: (req, reply) => {
      const query = req.query as Query;
      const levelName = qs(query, 'loglevel') || 'INFO';
      const level = LEVEL_VALUES[levelName.toLowerCase()];
      if (level === undefined) throw badRequest(`Unknown log level: ${levelName}`);
      const render = has(query, 'logjson') ? hclogJsonLine : textLine;
      reply.hijack();
      const res = reply.raw;
      // A hijacked reply skips the app's header hook: say the policy here too.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'X-Consul-Default-ACL-Policy': defaultPolicyHeader(ctx.config.acl), 'cache-control': 'no-cache' });
      res.flushHeaders();
      let dropped = 0;
      const unsubscribe = ctx.logTap.subscribe(level, (line) => {
        if (res.writableLength > MONITOR_BUFFER_BYTES_MAX) {
          dropped++;
          return;
        }
        res.write(render(line));
      });
      res.on('close', () => {
        unsubscribe();
        if (dropped > 0) ctx.log.agent.warn({ count: dropped }, 'Monitor dropped logs during monitor request');
      });
    },
  });
}
