/**
 * What the agent lends the pure config-entry validators (@proconsul/catalog): the go-bexpr parser
 * of ?filter (http/filter.ts), so a service-resolver subset's Filter is checked as Consul's
 * bexpr.CreateEvaluator checks it, by its grammar only.
 */
import type { ConfigEntryHooks } from '@proconsul/catalog';
import { compileFilter } from '../http/filter.js';
import { HttpError } from '../http/http-error.js';

const EVALUATOR_PREFIX = 'Failed to create boolean expression evaluator: ';

export const CONFIG_ENTRY_HOOKS: ConfigEntryHooks = {
  filterError(expression: string): string | undefined {
    try {
      compileFilter(expression);
      return undefined;
    } catch (err) {
      if (err instanceof HttpError) return err.message.startsWith(EVALUATOR_PREFIX) ? err.message.slice(EVALUATOR_PREFIX.length) : err.message;
      throw err;
    }
  },
};
