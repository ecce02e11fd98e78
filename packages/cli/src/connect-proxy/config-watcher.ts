/**
 * Where the proxy's configuration comes from (Consul's ConfigWatcher): the proxy service
 * registered on the local agent, watched with hash-based blocking queries on
 * GET /v1/agent/service/:id (Consul's AgentConfigWatcher, an `agent_service` watch plan), or a
 * fixed configuration built from flags (StaticConfigWatcher).
 */
import { parseWatchPlan, watch, type AgentService, type Consul } from '@proconsul/api';
import { configFromAgentService, type ProxyConfig } from './config.js';
import type { ProxyLogger } from './logger.js';

export async function* agentConfigWatcher(
  client: Consul,
  proxyId: string,
  logger: ProxyLogger,
  signal: AbortSignal,
  backoffBaseMs = 500,
): AsyncGenerator<ProxyConfig> {
  const log = logger.with({ service_id: proxyId });
  const plan = parseWatchPlan({ type: 'agent_service', service_id: proxyId });
  const results = watch(plan.fetcher(client), {
    signal,
    backoffBaseMs,
    onError: (err, _n, delayMs) => log.error('Watch errored', { type: 'agent_service', error: err instanceof Error ? err : String(err), retry: `${delayMs}ms` }),
  });
  for await (const res of results) {
    let cfg: ProxyConfig;
    try {
      cfg = configFromAgentService(res.data as AgentService);
    } catch (err) {
      log.error((err as Error).message);
      continue;
    }
    yield cfg;
  }
}

export async function* staticConfigWatcher(cfg: ProxyConfig): AsyncGenerator<ProxyConfig> {
  yield cfg;
}
