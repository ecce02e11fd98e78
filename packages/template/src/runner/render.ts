// One consul-template template: parsed once, rendered against the Brain as
// often as its data changes. A render is complete when every dependency it
// read had a value; an incomplete render is never written.

import { variadic, type FuncMap } from '../engine/exec.js';
import { Template } from '../engine/template.js';
import type { Brain } from '../consul/brain.js';
import { connectFuncs } from '../consul/connect-funcs.js';
import { peeringFuncs } from '../consul/peering-funcs.js';
import { consulFuncs, RenderScope } from '../consul/funcs.js';
import { helperFuncs } from '../consul/helpers.js';
import { spewFuncs } from '../spew/spew.js';
import { sprigFuncs } from '../sprig/index.js';
import type { Dependency } from '../consul/query.js';
import { Scratch } from '../consul/scratch.js';
import { sockaddrFuncs, type SockaddrHost } from '../consul/sockaddr.js';

export interface RendererOptions {
  /** File name shown in errors. */
  name: string;
  text: string;
  leftDelim?: string;
  rightDelim?: string;
  errorOnMissingKey?: boolean;
  env?: Record<string, string | undefined>;
  now?: () => Date;
  /** function_denylist: functions matching a pattern (`*` any run of characters) fail when called. */
  functionDenylist?: string[];
  /** sandbox_path: `file` reads only below it. */
  sandboxPath?: string;
  /** The interfaces `sockaddr` reads (default: this machine's). */
  sockaddrHost?: SockaddrHost;
}

/** go-glob's match: `*` stands for any run of characters, nothing else is special. */
function globMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's').test(name);
}

/** consul-template's `denied`: the function stays known to the parser and fails when run. */
const denied = variadic(() => {
  throw new Error('function is disabled');
});

export interface RenderResult {
  complete: boolean;
  contents: string;
  used: Map<string, Dependency>;
  missing: Map<string, Dependency>;
  /** kv.get ids whose key does not exist while `key` asks for it. */
  absentKeys: Set<string>;
  /** An execution error with every dependency present (a real template bug). */
  error?: Error;
}

export class TemplateRenderer {
  private readonly scope: RenderScope;
  private scratch = new Scratch();
  private readonly template: Template;

  constructor(
    brain: Brain,
    readonly opts: RendererOptions,
  ) {
    this.scope = new RenderScope(brain, opts.env ?? process.env, opts.sandboxPath ?? '');
    const funcs: FuncMap = {
      ...helperFuncs(() => this.scratch, opts.now),
      ...consulFuncs(this.scope),
      ...connectFuncs(this.scope),
      ...peeringFuncs(this.scope),
      ...sockaddrFuncs(opts.sockaddrHost),
      ...sprigFuncs(opts.now),
      ...spewFuncs(),
      // consul-template's executeTemplate: render a define'd template to a string.
      executeTemplate: variadic((name: string, ...data: unknown[]) => {
        if (data.length > 1) throw new Error(`executeTemplate: wrong number of arguments, expected 1 or 2, but got ${data.length + 1}`);
        return this.template.executeTemplate(name, data[0] ?? null);
      }),
    };
    for (const pattern of opts.functionDenylist ?? []) {
      for (const name of Object.keys(funcs)) if (globMatch(pattern, name)) funcs[name] = denied;
    }
    this.template = new Template(opts.name, {
      leftDelim: opts.leftDelim,
      rightDelim: opts.rightDelim,
      missingKey: opts.errorOnMissingKey ? 'error' : 'default',
      funcs,
    });
    // Throws TemplateParseError with file:line:col.
    this.template.parse(opts.text);
  }

  render(): RenderResult {
    this.scope.reset();
    this.scratch = new Scratch();
    let contents = '';
    let error: Error | undefined;
    try {
      contents = this.template.execute(null);
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    const { used, missing, absentKeys } = this.scope;
    // With data still missing, placeholders may trip the template (e.g. index
    // of an empty list); that is not an error yet.
    if (missing.size > 0) return { complete: false, contents: '', used, missing, absentKeys };
    if (error) return { complete: false, contents: '', used, missing, absentKeys, error };
    return { complete: true, contents, used, missing, absentKeys };
  }
}
