import type { CheckDefinition, CheckKind, CheckSpec, CheckStatus, CheckType } from './types.js';

/** Normalises a CheckType from an HTTP body or a config file (any key case, snake_case aliases). */
export function parseCheckType(raw: unknown): CheckType {
  throw new Error(`not implemented ${String(raw)}`);
}

/** Normalises a CheckDefinition (adds ID, ServiceID, Token to CheckType). */
export function parseCheckDefinition(raw: unknown): CheckDefinition {
  throw new Error(`not implemented ${String(raw)}`);
}

/** Consul's CheckType.Validate(): throws CheckDefinitionError with Consul's message. */
export function validateCheckType(ct: CheckType): void {
  throw new Error(`not implemented ${String(ct)}`);
}

/** Which kind of check this is, with Consul's precedence; undefined when none is set. */
export function checkKind(ct: CheckType): CheckKind | undefined {
  throw new Error(`not implemented ${String(ct)}`);
}

/** Validates and converts to a runner spec (durations in ms, defaults applied). */
export function toCheckSpec(ct: CheckType): CheckSpec {
  throw new Error(`not implemented ${String(ct)}`);
}

export function isCheckStatus(value: unknown): value is CheckStatus {
  return value === 'passing' || value === 'warning' || value === 'critical';
}

export interface ScriptCheckPolicy {
  enableScriptChecks: boolean;
  enableLocalScriptChecks: boolean;
  /** 'local' for config files, 'remote' for the HTTP API. */
  source: 'local' | 'remote';
}

/** Throws ScriptChecksDisabledError with Consul's text when a script check is not allowed. */
export function assertScriptChecksAllowed(ct: CheckType, policy: ScriptCheckPolicy): void {
  throw new Error(`not implemented ${String(ct)} ${String(policy)}`);
}
