/**
 * Health checks: Consul's check definitions (parsed from the HTTP API and config files)
 * and the runners for http, tcp, ttl and script checks.
 *
 *   const ct = parseCheckType(body.Check);   // DecodeError / CheckDefinitionError
 *   assertScriptChecksAllowed(ct, { enableScriptChecks, enableLocalScriptChecks, source: 'remote' });
 *   const runner = startCheck(ct, { onUpdate: (status, output) => ... });
 *   if (isTtlCheck(runner)) runner.pass('ok');
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
export { DecodeError, type DecodeProblem } from './decode.js';
export {
  parseCheckType,
  parseCheckDefinition,
  validateCheckType,
  checkKind,
  toCheckSpec,
  isCheckStatus,
  isEmptyCheckType,
  assertScriptChecksAllowed,
  BAD_STATUS_MESSAGE,
  MIN_INTERVAL_MS,
  MIN_DEREGISTER_CRITICAL_SERVICE_AFTER_MS,
  type ScriptCheckPolicy,
} from './definition.js';
export { truncateUpdateOutput, effectiveOutputMaxSize, DEFAULT_OUTPUT_MAX_SIZE } from './output.js';
export { HTTP_CHECK_USER_AGENT } from './http.js';
export { startCheck, startTtlCheck } from './start.js';
