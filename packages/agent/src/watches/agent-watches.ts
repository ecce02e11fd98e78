/**
 * The agent config's `watches` (Consul's agent watches): each specification is parsed as Consul
 * parses it (watch.ParseExempt, then the agent's rules for `handler`, `args` and
 * `handler_type`), then runs as a watch plan against this agent's own HTTP API and calls its
 * handler on every change (./handlers.ts). The agent starts them once its HTTP API listens,
 * replaces them all on reload, and stops them at shutdown.
 */
import { parseWatchPlan, watch, type WatchPlan } from '@proconsul/api';
import { createClient, type TlsFiles } from '@proconsul/api/node';
import type { Logger } from '../log.js';
import { httpHandler, scriptHandler, type WatchHandler } from './handlers.js';

/** Consul's watch plan back-off after the n-th error in a row: 5 s × n², at most 180 s. */
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 180_000;

export interface CompiledWatch {
  plan: WatchPlan;
  make(log: Logger): WatchHandler;
}

/** Go's %#v of a decoded config value, for Consul's "Failed to parse watch (...)" text. */
function goSyntax(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${goSyntax((v as Record<string, unknown>)[k])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  return String(v);
}

/** `args` as a list of strings (Consul's parseWatchArgs). */
function watchArgs(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw) && raw.every((a) => typeof a === 'string')) return raw as string[];
  throw new Error('Watch args must be a list of strings');
}

/** Parses every specification, or throws the first one's error in Consul's words. */
export function compileWatches(specs: readonly Record<string, unknown>[], log: Logger): CompiledWatch[] {
  return specs.map((spec) => {
    const params: Record<string, unknown> = { ...spec };
    if (!Object.hasOwn(params, 'handler_type')) params['handler_type'] = 'script';
    else if (params['handler_type'] !== 'http' && params['handler_type'] !== 'script') throw new Error(`Handler type '${String(params['handler_type'])}' not recognized`);
    // As Consul: Connect watches are not for agent configs.
    if (typeof params['type'] === 'string' && params['type'].startsWith('connect_')) throw new Error(`Watch type ${params['type']} is not allowed in agent config`);
    let plan: WatchPlan;
    try {
      plan = parseWatchPlan(params, ['handler', 'args']);
    } catch (err) {
      throw new Error(`Failed to parse watch (${goSyntax(params)}): ${(err as Error).message}`);
    }
    const hasHandler = Object.hasOwn(plan.exempt, 'handler');
    const hasArgs = Object.hasOwn(plan.exempt, 'args');
    if (hasHandler) log.warn("The 'handler' field in watches has been deprecated and replaced with the 'args' field. See https://www.consul.io/docs/agent/watches.html");
    const handler = plan.exempt['handler'];
    if (hasHandler && typeof handler !== 'string') throw new Error('Watch handler must be a string');
    const args = hasArgs ? watchArgs(plan.exempt['args']) : undefined;
    if ((hasHandler && hasArgs) || (hasHandler && plan.handlerType === 'http') || (hasArgs && plan.handlerType === 'http')) throw new Error('Only one watch handler allowed');
    if (!hasHandler && !hasArgs && plan.handlerType !== 'http') throw new Error('Must define a watch handler');
    if (plan.httpHandlerConfig) {
      const config = plan.httpHandlerConfig;
      return { plan, make: (l) => httpHandler(config, l) };
    }
    const script = args ?? (handler as string);
    return { plan, make: (l) => scriptHandler(script, l) };
  });
}

/** How the watches reach this agent's own API. */
export interface WatchEndpoint {
  /** host:port, or https://host:port. */
  address: string;
  tls?: TlsFiles;
}

/** The running watches of one agent. */
export class AgentWatches {
  #stop: AbortController | undefined;

  /**
   * @param endpoint this agent's HTTP or HTTPS API; undefined when it serves neither
   */
  constructor(
    private readonly endpoint: WatchEndpoint | undefined,
    private readonly log: Logger,
  ) {}

  /** Stops the running watches, then starts `watches` (Consul's reloadWatches). */
  replace(watches: CompiledWatch[]): void {
    this.stop();
    if (watches.length === 0) return;
    // Watches use the HTTP API to talk to this agent, so it must be served.
    if (!this.endpoint) throw new Error('watch plans require an HTTP or HTTPS endpoint');
    const stop = new AbortController();
    this.#stop = stop;
    for (const w of watches) this.#run(w, stop.signal).catch((err: Error) => this.log.error({ error: err.message }, 'Failed to run watch'));
  }

  stop(): void {
    this.#stop?.abort();
    this.#stop = undefined;
  }

  async #run(w: CompiledWatch, signal: AbortSignal): Promise<void> {
    const { address, tls } = this.endpoint!;
    const client = createClient({ address, env: {}, ...(tls ? { tls } : {}), ...(w.plan.datacenter ? { datacenter: w.plan.datacenter } : {}), ...(w.plan.token ? { token: w.plan.token } : {}) });
    const handle = w.make(this.log);
    const updates = watch(w.plan.fetcher(client), {
      signal,
      backoffBaseMs: RETRY_BASE_MS,
      backoffMaxMs: RETRY_MAX_MS,
      onError: (err, _n, delayMs) => this.log.error({ type: w.plan.type, error: (err as Error).message, retry: `${delayMs / 1000}s` }, 'Watch errored'),
    });
    for await (const { data, meta } of updates) {
      // Hash-based watches (agent_service) give their handlers index 0, as Consul's agent does.
      await handle(w.plan.indexBased ? (meta.lastIndexRaw ?? String(meta.lastIndex)) : '0', data);
    }
  }
}
