import type { CheckRunOptions, CheckRunner, TtlCheck } from './runner.js';
import type { CheckSpec, CheckType } from './types.js';

/**
 * Starts a check: http/tcp/script run promptly, then every Interval; ttl waits for updates.
 * Accepts a CheckType (validated here, throws CheckDefinitionError) or a CheckSpec.
 * Script checks are run as given: call assertScriptChecksAllowed first.
 */
export function startCheck(check: CheckType | CheckSpec, options: CheckRunOptions): CheckRunner {
  throw new Error(`not implemented ${String(check)} ${String(options)}`);
}

/** Starts a ttl check (the spec's kind must be 'ttl'). */
export function startTtlCheck(check: CheckType | CheckSpec, options: CheckRunOptions): TtlCheck {
  throw new Error(`not implemented ${String(check)} ${String(options)}`);
}
