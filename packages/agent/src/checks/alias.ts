/**
 * Alias check (Consul's CheckAlias): mirrors the health of another service instance, on this
 * agent (no AliasNode) or on AliasNode in the catalog (even when that names this node, as in
 * Consul); AliasNode alone mirrors that node's own checks. Its status is the worst
 * of that instance's checks and its node's checks: critical, else warning, else passing, with
 * Consul's outputs (`All checks passing.`, `Aliased check "x" failing: <output>`, `No checks
 * found.`); an instance that does not exist is critical (`Service <id> could not be found on
 * node <node>`). Re-evaluated when the agent's state changes and every second for the catalog.
 */
import type { CheckRunner } from './runner.js';
import type { CheckStatus } from './types.js';

export interface AliasedCheck {
  Node: string;
  Name: string;
  Status: string;
  Output: string;
  ServiceID: string;
}

export interface AliasTarget {
  /** '' for this agent. */
  node: string;
  serviceId: string;
}

/** Where an alias check reads from: the agent's own state, or the catalog for another node. */
export interface AliasSource {
  /** The checks of `node` (all of them, node and service checks), or undefined when the node is unknown. */
  checks(node: string): AliasedCheck[];
  serviceExists(node: string, serviceId: string): boolean;
  /** Calls `onChange` when the source may have changed; returns the unsubscribe. */
  subscribe(onChange: () => void): () => void;
}

/** Consul's processChecks. */
export function aliasHealth(target: AliasTarget, checks: AliasedCheck[], serviceExists: () => boolean): { status: CheckStatus; output: string } {
  let status: CheckStatus = 'passing';
  let output = 'No checks found.';
  let serviceFound = false;
  for (const c of checks) {
    if (target.node !== '' && c.Node.toLowerCase() !== target.node.toLowerCase()) continue;
    const serviceMatch = c.ServiceID === target.serviceId;
    if (c.ServiceID !== '' && !serviceMatch) continue;
    if (serviceMatch) serviceFound = true;
    if (c.Status === 'critical' || c.Status === 'warning') {
      status = c.Status;
      output = `Aliased check ${JSON.stringify(c.Name)} failing: ${c.Output}`;
      if (c.Status === 'critical') break;
    } else if (status === 'passing') {
      output = 'All checks passing.';
    }
  }
  if (!serviceFound && !serviceExists()) {
    return { status: 'critical', output: `Service ${target.serviceId} could not be found on node ${target.node}` };
  }
  return { status, output };
}

/** Catalog sources are polled at this period (the agent's own state notifies). */
const POLL_MS = 1_000;

export function startAliasCheck(target: AliasTarget, source: AliasSource, onUpdate: (status: CheckStatus, output: string) => void): CheckRunner {
  let stopped = false;
  let queued = false;
  const evaluate = (): void => {
    queued = false;
    if (stopped) return;
    const r = aliasHealth(target, source.checks(target.node), () => source.serviceExists(target.node, target.serviceId));
    onUpdate(r.status, r.output);
  };
  // Deferred: our own update is a change of the agent's state, which notifies again.
  const schedule = (): void => {
    if (queued || stopped) return;
    queued = true;
    setImmediate(evaluate);
  };
  const unsubscribe = source.subscribe(schedule);
  const timer = setInterval(schedule, POLL_MS);
  timer.unref?.();
  schedule();
  return {
    kind: 'alias',
    stop: () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
    },
  };
}
