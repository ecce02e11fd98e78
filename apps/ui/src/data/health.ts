/** Health arithmetic shared by the views: worst status, per-status tallies. */
import type { HealthCheck, HealthStatus, ServiceEntry } from '@proconsul/api';

const RANK: Record<HealthStatus, number> = { passing: 0, warning: 1, critical: 2 };

export interface Tally {
  passing: number;
  warning: number;
  critical: number;
}

export function worst(checks: Array<Pick<HealthCheck, 'Status'>>): HealthStatus {
  let w: HealthStatus = 'passing';
  for (const c of checks) {
    const s = (c.Status in RANK ? c.Status : 'critical') as HealthStatus;
    if (RANK[s] > RANK[w]) w = s;
  }
  return w;
}

export function tally(checks: Array<Pick<HealthCheck, 'Status'>>): Tally {
  const t: Tally = { passing: 0, warning: 0, critical: 0 };
  for (const c of checks) {
    if (c.Status === 'passing' || c.Status === 'warning') t[c.Status]++;
    else t.critical++;
  }
  return t;
}

export interface ServiceSummary {
  name: string;
  tags: string[];
  instances: number;
  /** Checks of every instance, node-level checks included (as Consul's UI counts them). */
  checks: Tally;
  status: HealthStatus;
}

export function summarize(name: string, tags: string[], entries: ServiceEntry[] | undefined): ServiceSummary {
  const checks = (entries ?? []).flatMap((e) => e.Checks ?? []);
  return { name, tags, instances: entries?.length ?? 0, checks: tally(checks), status: worst(checks) };
}
