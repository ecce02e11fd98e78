// The `server` line of an nginx upstream for each passing service instance, with
// nginx's per-server parameters taken from the instance's tags and meta:
//   tag `backup` or meta nginx_backup=true   -> backup  (used when the others are down;
//                                               with no other instance left, a plain server)
//   tag `down` or meta nginx_down=true       -> down    (kept in the file, sent nothing)
//   meta nginx_weight=N                      -> weight=N (else Consul's Weights.Passing when not 1)
//   meta nginx_max_fails=N                   -> max_fails=N
//   meta nginx_fail_timeout=T                -> fail_timeout=T (nginx time: 10s, 500ms, 1m)
//   meta nginx_max_conns=N                   -> max_conns=N
// A value that is not what nginx accepts is left out (and reported), so a typo in a
// registration can never break the configuration.

import type { HealthService } from '../consul/data.js';

export interface ServerLine {
  /** What follows `server`, without the `;`. */
  line: string;
  /** Parameters left out, for the log. */
  rejected: string[];
}

const INT = /^[0-9]{1,9}$/;
const TIME = /^[0-9]{1,9}(ms|s|m|h|d|w|M|y)?$/;
const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(true|1|yes)$/i.test(v);
}

/** host:port as nginx reads it, or undefined when the address cannot be written safely. */
function hostPort(address: string, port: number): string | undefined {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (address.includes(':')) return IPV6.test(address) ? `[${address}]:${port}` : undefined;
  return HOST.test(address) ? `${address}:${port}` : undefined;
}

export function serverLine(s: Pick<HealthService, 'Address' | 'Port' | 'Tags' | 'ServiceMeta' | 'Weights' | 'ID'>): ServerLine | undefined {
  const target = hostPort(s.Address, s.Port);
  if (!target) return undefined;
  const meta = s.ServiceMeta ?? {};
  const tags = new Set<string>(Array.from(s.Tags ?? []));
  const params: string[] = [];
  const rejected: string[] = [];
  const numeric = (key: string, param: string, re: RegExp, positive = false) => {
    const v = meta[key];
    if (v === undefined) return;
    if (re.test(v) && (!positive || Number.parseInt(v, 10) > 0)) params.push(`${param}=${v}`);
    else rejected.push(`${key}=${JSON.stringify(v)}`);
  };
  if (meta.nginx_weight !== undefined) numeric('nginx_weight', 'weight', INT, true);
  else if (s.Weights && Number.isInteger(s.Weights.Passing) && s.Weights.Passing > 1) params.push(`weight=${s.Weights.Passing}`);
  numeric('nginx_max_fails', 'max_fails', INT);
  numeric('nginx_fail_timeout', 'fail_timeout', TIME);
  numeric('nginx_max_conns', 'max_conns', INT);
  if (tags.has('backup') || truthy(meta.nginx_backup)) params.push('backup');
  if (tags.has('down') || truthy(meta.nginx_down)) params.push('down');
  return { line: [target, ...params].join(' '), rejected };
}

/** nginx refuses an upstream without servers: with no instance, one marked down (nginx answers 502). */
export const NO_INSTANCE = '127.0.0.1:65535 down';

/** Sorted, de-duplicated server lines for the instances of one service. */
export function upstreamServers(instances: HealthService[], onSkip: (why: string) => void): string[] {
  const lines = new Set<string>();
  for (const s of instances) {
    const l = serverLine(s);
    if (!l) {
      onSkip(`instance ${JSON.stringify(s.ID)}: address ${JSON.stringify(s.Address)} port ${s.Port} cannot be written as an nginx server`);
      continue;
    }
    if (l.rejected.length) onSkip(`instance ${JSON.stringify(s.ID)}: ignoring ${l.rejected.join(', ')}`);
    lines.add(l.line);
  }
  if (lines.size === 0) return [NO_INSTANCE];
  // nginx refuses an upstream of backup servers only ("no servers in upstream"): with no
  // primary instance left, the backups are what there is, so they serve as primaries.
  const all = [...lines];
  const primaries = all.filter((l) => !/ backup(?= |$)/.test(l));
  return (primaries.length ? all : all.map((l) => l.replace(/ backup(?= |$)/, ''))).sort();
}
