/**
 * Health checks: Consul's check definitions (parsed from the HTTP API and config files)
 * and the runners for http, tcp, ttl and script checks.
 *
 *   const ct = parseCheckType(body.Check);          // throws CheckDefinitionError
 *   assertScriptChecksAllowed(ct, { enableScriptChecks, enableLocalScriptChecks, source: 'remote' });
 *   const runner = startCheck(ct, { onUpdate: (status, output) => ... });
 *   runner.stop();
 */
export type { CheckStatus, CheckKind, CheckType, CheckDefinition, CheckSpec } from './types.js';
export type { CheckLogger, CheckRunOptions, CheckRunner, TtlCheck } from './runner.js';
export { isTtlCheck } from './runner.js';
export {
  CheckDefinitionError,
  ScriptChecksDisabledError,
  SCRIPTS_DISABLED_LOCAL,
  SCRIPTS_DISABLED_REMOTE,
} from './errors.js';
export { parseGoDuration, formatGoDuration } from './duration.js';
export {
  parseCheckType,
  parseCheckDefinition,
  validateCheckType,
  checkKind,
  toCheckSpec,
  isCheckStatus,
  assertScriptChecksAllowed,
  type ScriptCheckPolicy,
} from './definition.js';
export { truncateUpdateOutput, DEFAULT_OUTPUT_MAX_SIZE } from './output.js';
export { startCheck, startTtlCheck } from './start.js';
