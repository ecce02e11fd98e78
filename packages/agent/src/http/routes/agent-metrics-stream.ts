// GET /v1/agent/metrics/stream: the in-memory sink's summary of each interval (10 s) as that
// interval ends, as JSON indented by four spaces, one document after another, until the client
// goes (agent_endpoint.go AgentMetricsStream over go-metrics' InmemSink.Stream). Like the
// monitor, a slow reader loses summaries rather than growing the agent's memory.
import type { FastifyInstance } from 'fastify';
import { defaultPolicyHeader } from '../../acl/config.js';
import type { AgentContext } from '../../context.js';
import { endpoint } from '../endpoint.js';
import { MONITOR_BUFFER_BYTES_MAX } from './agent-monitor.js';

export async function agentMetricsStreamRoutes(app: FastifyInstance, { ctx }: { ctx: AgentContext }): Promise<void> {
  endpoint(app, '/v1/agent/metrics/stream', {
    GET: (_req, reply) => {
      reply.hijack();
      const res = reply.raw;
      // Go's server sniffs an empty first write as text/plain; a hijacked reply skips the app's header hook.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'X-Consul-Default-ACL-Policy': defaultPolicyHeader(ctx.config.acl) });
      res.flushHeaders();
      let timer: NodeJS.Timeout | undefined;
      const next = (): void => {
        const span = ctx.metrics.currentSpan();
        timer = setTimeout(() => {
          if (res.writableLength <= MONITOR_BUFFER_BYTES_MAX) res.write(`${JSON.stringify(ctx.metrics.intervalSummary(span.startMs), null, 4)}\n`);
          next();
        }, Math.max(0, span.endMs - ctx.metrics.clock()));
      };
      next();
      res.on('close', () => clearTimeout(timer));
    },
  });
}
