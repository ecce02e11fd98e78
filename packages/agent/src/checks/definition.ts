/** Consul's CheckType / CheckDefinition: decoding, validation and conversion to a runner spec. */
import { parseGoDuration } from '@proconsul/catalog';
import { decodeObject, requireObject, type FieldSpec, type ObjectSpec } from './decode.js';
import {
  CheckDefinitionError,
  SCRIPTS_DISABLED_LOCAL,
  SCRIPTS_DISABLED_REMOTE,
  ScriptChecksDisabledError,
} from './errors.js';
import type { CheckDefinition, CheckKind, CheckSpec, CheckStatus, CheckType } from './types.js';

/** Check types Consul has and this agent does not run; recognised so the error says so. */
const UNSUPPORTED_TYPES: readonly FieldSpec[] = [
  { name: 'OSService', type: 'string' },
];
const UNSUPPORTED_KIND: Record<string, string> = {
  OSService: 'OSService',
};

const CHECK_TYPE_FIELDS: readonly FieldSpec[] = [
  { name: 'CheckID', type: 'string' },
  { name: 'Name', type: 'string' },
  { name: 'Notes', type: 'string' },
  { name: 'Status', type: 'string' },
  { name: 'HTTP', type: 'string' },
  { name: 'Method', type: 'string' },
  { name: 'Header', type: 'headerMap' },
  { name: 'Body', type: 'string' },
  { name: 'TLSServerName', type: 'string' },
  { name: 'TLSSkipVerify', type: 'bool' },
  { name: 'DisableRedirects', type: 'bool' },
  { name: 'TCP', type: 'string' },
  { name: 'GRPC', type: 'string' },
  { name: 'GRPCUseTLS', type: 'bool' },
  { name: 'H2PING', type: 'string' },
  { name: 'H2PingUseTLS', type: 'bool' },
  { name: 'UDP', type: 'string' },
  { name: 'DockerContainerID', type: 'string' },
  { name: 'Shell', type: 'string' },
  { name: 'AliasService', type: 'string' },
  { name: 'AliasNode', type: 'string' },
  { name: 'TTL', type: 'duration' },
  { name: 'Args', type: 'strings', aliases: ['ScriptArgs'] },
  { name: 'Interval', type: 'duration' },
  { name: 'Timeout', type: 'duration' },
  { name: 'DeregisterCriticalServiceAfter', type: 'duration' },
  { name: 'SuccessBeforePassing', type: 'int' },
  { name: 'FailuresBeforeWarning', type: 'int' },
  { name: 'FailuresBeforeCritical', type: 'int' },
  { name: 'OutputMaxSize', type: 'int' },
  ...UNSUPPORTED_TYPES,
];

/** CheckType as embedded in a service; `id` is accepted for CheckID (config files use it). */
export const CHECK_TYPE_SPEC: ObjectSpec = {
  struct: 'CheckType',
  fields: CHECK_TYPE_FIELDS.map((f) => (f.name === 'CheckID' ? { ...f, aliases: ['ID'] } : f)),
};

/** CheckDefinition (check/register, `checks` in config); `CheckID` is accepted for ID. */
export const CHECK_DEFINITION_SPEC: ObjectSpec = {
  struct: 'CheckDefinition',
  fields: [
    { name: 'ID', type: 'string', aliases: ['CheckID'] },
    { name: 'ServiceID', type: 'string' },
    { name: 'Token', type: 'string' },
    ...CHECK_TYPE_FIELDS.filter((f) => f.name !== 'CheckID'),
  ],
};

export function isCheckStatus(value: unknown): value is CheckStatus {
  return value === 'passing' || value === 'warning' || value === 'critical';
}

/** Consul's message for a bad Status in a registration. */
export const BAD_STATUS_MESSAGE = "Status for checks must 'passing', 'warning', 'critical'";

function finish<T extends CheckType>(decoded: Record<string, unknown>): T {
  for (const field of UNSUPPORTED_TYPES) {
    const kind = UNSUPPORTED_KIND[field.name];
    if (decoded[field.name] !== undefined && decoded[field.name] !== '' && kind !== undefined) {
      throw new CheckDefinitionError(`${kind} checks are not supported by this agent`);
    }
    delete decoded[field.name];
  }
  if (decoded.Status !== undefined && decoded.Status !== '' && !isCheckStatus(decoded.Status)) {
    throw new CheckDefinitionError(BAD_STATUS_MESSAGE, 'status');
  }
  if (decoded.Status === '') delete decoded.Status;
  return decoded as T;
}

/**
 * Normalises a CheckType from an HTTP body or a config file (any key case, snake_case
 * aliases). Throws DecodeError for unknown keys and wrong types, CheckDefinitionError for a
 * bad Status or a check type this agent cannot run.
 */
export function parseCheckType(raw: unknown, path = ''): CheckType {
  return finish<CheckType>(decodeObject(requireObject(raw, 'structs.CheckType', path), CHECK_TYPE_SPEC, path));
}

/** Normalises a CheckDefinition (CheckType plus ID, ServiceID, Token). */
export function parseCheckDefinition(raw: unknown, path = ''): CheckDefinition {
  return finish<CheckDefinition>(
    decodeObject(requireObject(raw, 'structs.CheckDefinition', path), CHECK_DEFINITION_SPEC, path),
  );
}

/** Consul's CheckType.Empty(): a check with nothing set is skipped in service definitions. */
export function isEmptyCheckType(ct: CheckType): boolean {
  return Object.values(ct).every((v) => v === undefined);
}

function ms(value: string | undefined): number {
  return value === undefined ? 0 : parseGoDuration(value);
}

/** Which kind of check this is, with Consul's precedence (http > ttl > tcp > script > grpc > h2ping > udp). */
export function checkKind(ct: CheckType): CheckKind | undefined {
  if (ct.HTTP) return 'http';
  if (ms(ct.TTL) > 0) return 'ttl';
  if (ct.TCP) return 'tcp';
  if (ct.Args !== undefined && ct.Args.length > 0) return ct.DockerContainerID ? 'docker' : 'script';
  if (ct.GRPC) return 'grpc';
  if (ct.H2PING) return 'h2ping';
  if (ct.UDP) return 'udp';
  if (isAliasCheck(ct)) return 'alias';
  return undefined;
}

/** Consul's CheckType.IsAlias(): AliasNode alone aliases that node's own (node-level) checks. */
function isAliasCheck(ct: CheckType): boolean {
  return Boolean(ct.AliasNode) || Boolean(ct.AliasService);
}

/** Consul's CheckType.Validate() (agent/structs/check_type.go): throws CheckDefinitionError with Consul's message. */
export function validateCheckType(ct: CheckType): void {
  const intervalMs = ms(ct.Interval);
  const ttlMs = ms(ct.TTL);
  const intervalCheck =
    Boolean(ct.HTTP) || Boolean(ct.TCP) || Boolean(ct.UDP) || Boolean(ct.GRPC) || Boolean(ct.H2PING) || (ct.Args !== undefined && ct.Args.length > 0);
  if (intervalMs > 0 && ttlMs > 0) {
    throw new CheckDefinitionError('Interval and TTL cannot both be specified');
  }
  if (intervalCheck && intervalMs <= 0) {
    throw new CheckDefinitionError('Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks');
  }
  const alias = isAliasCheck(ct);
  if (intervalCheck && alias) {
    throw new CheckDefinitionError('Interval cannot be set for Alias checks');
  }
  if (alias && ttlMs > 0) {
    throw new CheckDefinitionError('TTL must be not be set for Alias checks');
  }
  if (!intervalCheck && !alias && ttlMs <= 0) {
    throw new CheckDefinitionError('TTL must be > 0 for TTL checks');
  }
  if ((ct.OutputMaxSize ?? 0) < 0) {
    throw new CheckDefinitionError('MaxOutputMaxSize must be positive');
  }
  if ((ct.FailuresBeforeWarning ?? 0) > (ct.FailuresBeforeCritical ?? 0)) {
    throw new CheckDefinitionError("FailuresBeforeWarning can't be higher than FailuresBeforeCritical");
  }
  if (ct.HTTP) {
    let url: URL;
    try {
      url = new URL(ct.HTTP);
    } catch {
      throw new CheckDefinitionError(`invalid HTTP check URL ${JSON.stringify(ct.HTTP)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new CheckDefinitionError(`unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`);
    }
  }
  for (const address of [ct.TCP, ct.UDP, ct.H2PING, ct.GRPC && ct.GRPC.split('/')[0]]) {
    if (address && !HOST_PORT.test(address)) throw new CheckDefinitionError(`address ${address}: missing port in address`);
  }
}

const HOST_PORT = /^(\[[^\]]+\]|[^:]+):\d+$/;

/** Consul's MinInterval: intervals below 1 s are raised to it ("to avoid fork bombs"). */
export const MIN_INTERVAL_MS = 1_000;
/** Consul's CheckDeregisterIntervalMin. */
export const MIN_DEREGISTER_CRITICAL_SERVICE_AFTER_MS = 60_000;

/** Validates and converts to a runner spec (durations in ms, Consul's defaults applied). */
export function toCheckSpec(ct: CheckType): CheckSpec {
  validateCheckType(ct);
  const kind = checkKind(ct);
  if (kind === undefined) throw new CheckDefinitionError('TTL must be > 0 for TTL checks');
  const failuresBeforeCritical = ct.FailuresBeforeCritical ?? 0;
  const deregisterMs = ms(ct.DeregisterCriticalServiceAfter);
  const spec: CheckSpec = {
    kind,
    intervalMs: kind === 'ttl' ? 0 : Math.max(ms(ct.Interval), MIN_INTERVAL_MS),
    timeoutMs: kind === 'ttl' ? 0 : ms(ct.Timeout) > 0 ? ms(ct.Timeout) : kind === 'script' || kind === 'docker' ? 30_000 : 10_000,
    ttlMs: kind === 'ttl' ? ms(ct.TTL) : 0,
    deregisterCriticalServiceAfterMs:
      deregisterMs > 0 ? Math.max(deregisterMs, MIN_DEREGISTER_CRITICAL_SERVICE_AFTER_MS) : 0,
    successBeforePassing: ct.SuccessBeforePassing ?? 0,
    failuresBeforeWarning: ct.FailuresBeforeWarning ?? failuresBeforeCritical,
    failuresBeforeCritical,
    outputMaxSize: ct.OutputMaxSize !== undefined && ct.OutputMaxSize > 0 ? ct.OutputMaxSize : 0,
  };
  if (kind === 'http' && ct.HTTP) {
    spec.http = {
      url: ct.HTTP,
      method: ct.Method || 'GET',
      header: ct.Header ?? {},
      body: ct.Body ?? '',
      tlsSkipVerify: ct.TLSSkipVerify ?? false,
      tlsServerName: ct.TLSServerName ?? '',
      disableRedirects: ct.DisableRedirects ?? false,
    };
  }
  if (kind === 'tcp') spec.tcp = ct.TCP;
  if (kind === 'udp') spec.udp = ct.UDP;
  const tls = { tlsSkipVerify: ct.TLSSkipVerify ?? false, tlsServerName: ct.TLSServerName ?? '' };
  if (kind === 'grpc' && ct.GRPC) spec.grpc = { target: ct.GRPC, useTls: ct.GRPCUseTLS ?? false, ...tls };
  if (kind === 'h2ping' && ct.H2PING) spec.h2ping = { address: ct.H2PING, useTls: ct.H2PingUseTLS ?? true, ...tls };
  if (kind === 'script' || kind === 'docker') spec.args = [...(ct.Args ?? [])];
  if (kind === 'docker') spec.dockerContainerId = ct.DockerContainerID;
  return spec;
}

export interface ScriptCheckPolicy {
  enableScriptChecks: boolean;
  enableLocalScriptChecks: boolean;
  /** 'local' for config files, 'remote' for the HTTP API. */
  source: 'local' | 'remote';
}

/** Throws ScriptChecksDisabledError with Consul's text when a script check is not allowed. */
export function assertScriptChecksAllowed(ct: CheckType, policy: ScriptCheckPolicy): void {
  if (ct.Args === undefined || ct.Args.length === 0) return;
  if (policy.source === 'local' && !(policy.enableScriptChecks || policy.enableLocalScriptChecks)) {
    throw new ScriptChecksDisabledError(SCRIPTS_DISABLED_LOCAL);
  }
  if (policy.source === 'remote' && !policy.enableScriptChecks) {
    throw new ScriptChecksDisabledError(SCRIPTS_DISABLED_REMOTE);
  }
}
