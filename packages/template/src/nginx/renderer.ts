// The "template" of the nginx-conf mode: the file itself. Each render reads the
// current nginx configuration, looks up the passing instances of each named
// service (one shared blocking query each, like `service` in a template) and
// rewrites only the `server` lines of the named upstreams. The runner then
// writes, validates, and reloads exactly as for a template.

import { readFileSync } from 'node:fs';
import type { Brain } from '../consul/brain.js';
import type { HealthService } from '../consul/data.js';
import { RenderScope, recall } from '../consul/funcs.js';
import { healthServiceQuery } from '../consul/query.js';
import type { RenderResult } from '../runner/render.js';
import { findUpstreams, NginxConfError, rewriteUpstreams } from './upstreams.js';
import { upstreamServers } from './servers.js';

export interface NginxUpstream {
  /** The `upstream` block's name in the file. */
  upstream: string;
  /** A `service` query: `web`, `tag.web`, `web@dc2`, `web|passing,warning`. */
  service: string;
}

export class NginxUpstreamRenderer {
  private readonly scope: RenderScope;

  constructor(
    brain: Brain,
    readonly file: string,
    readonly upstreams: NginxUpstream[],
    private readonly warn: (msg: string) => void,
  ) {
    this.scope = new RenderScope(brain);
    // Refuse now, not at the first render: a malformed service (QueryError), a file that
    // cannot be read or parsed, or an upstream the file does not have (NginxConfError).
    for (const u of upstreams) healthServiceQuery(u.service);
    const names = new Set(findUpstreams(readFileSync(file, 'utf8')).map((b) => b.name));
    for (const u of upstreams) if (!names.has(u.upstream)) throw new NginxConfError(`${file}: upstream "${u.upstream}" is not in the file`);
  }

  render(): RenderResult {
    const scope = this.scope;
    scope.reset();
    const servers = new Map<string, string[]>();
    for (const u of this.upstreams) {
      const r = recall<HealthService[]>(scope, healthServiceQuery(u.service));
      if (r.ok) servers.set(u.upstream, upstreamServers(r.value, (why) => this.warn(`upstream ${u.upstream} (service ${u.service}): ${why}`)));
    }
    const result = { contents: '', used: scope.used, missing: scope.missing, absentKeys: scope.absentKeys };
    if (scope.missing.size > 0) return { ...result, complete: false };
    try {
      // The file as it is now: edits made to the rest of it since the last render are kept.
      const contents = rewriteUpstreams(readFileSync(this.file, 'utf8'), servers);
      return { ...result, complete: true, contents };
    } catch (e) {
      const error = new Error(`${this.file}: ${(e as Error).message}`);
      return { ...result, complete: false, error };
    }
  }
}
