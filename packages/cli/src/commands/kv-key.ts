import type { ParsedFlags } from '../flags.js';
import type { Ui } from '../io.js';

/**
 * The KEY argument of `kv get|delete|export`: at most one, a leading "/" dropped (as Consul's
 * CLI does). Undefined, after printing Consul's message, when there are more.
 */
export function kvKeyArg(f: ParsedFlags, ui: Ui): string | undefined {
  if (f.args.length > 1) {
    ui.error(`Too many arguments (expected 1, got ${f.args.length})`);
    return undefined;
  }
  const key = f.args[0] ?? '';
  return key.startsWith('/') ? key.slice(1) : key;
}
