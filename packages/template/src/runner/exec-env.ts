// The -exec child's environment, as consul-template builds it (config/env.go's Env and
// manager/runner.go's childEnv): the agent settings as CONSUL_HTTP_* variables come first in
// `custom`; `pristine` starts from nothing, else from this process's environment, kept by
// `allowlist` and dropped by `denylist` (filepath.Match patterns); `custom` entries win.

import { sslEnabled, type RunnerConfig } from './config.js';

export interface ExecEnvConfig {
  pristine: boolean;
  /** "KEY=value" entries. */
  custom: string[];
  allowlist: string[];
  denylist: string[];
}

/**
 * manager/runner.go childEnv: what a child needs to reach the same agent. The token is the
 * configured one, not a token file's contents: the child gets the file's path and reads it.
 */
export function agentEnv(consul: RunnerConfig['consul']): string[] {
  const out: string[] = [];
  if (consul.address) out.push(`CONSUL_HTTP_ADDR=${consul.address}`);
  if (consul.auth) out.push(`CONSUL_HTTP_AUTH=${consul.auth.username}:${consul.auth.password}`);
  if (consul.token) out.push(`CONSUL_HTTP_TOKEN=${consul.token}`);
  if (consul.tokenFile) out.push(`CONSUL_HTTP_TOKEN_FILE=${consul.tokenFile}`);
  out.push(`CONSUL_HTTP_SSL=${String(sslEnabled(consul.ssl))}`);
  out.push(`CONSUL_HTTP_SSL_VERIFY=${String(consul.ssl.verify ?? true)}`);
  return out;
}

export function childEnv(cfg: ExecEnvConfig, agent: string[], parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const custom = [...agent, ...cfg.custom];
  const env: Record<string, string> = {};
  if (!cfg.pristine) {
    for (const [k, v] of Object.entries(parent)) {
      if (v === undefined) continue;
      if (cfg.allowlist.length > 0 && !cfg.allowlist.some((p) => pathMatch(p, k))) continue;
      if (cfg.denylist.some((p) => pathMatch(p, k))) continue;
      env[k] = v;
    }
  }
  // As Go's exec: the last of duplicate keys wins; an entry without "=" is dropped.
  for (const e of custom) {
    const i = e.indexOf('=');
    if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
  }
  return env;
}

/** Go's filepath.Match on Unix: `*` any run of non-`/`, `?` one non-`/`, `[...]` a class (`^` negates), `\` escapes. */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escape(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false; // Go: ErrBadPattern, which matches nothing
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^/' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`, 's').test(name);
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
