/**
 * A config entry from a request body or a config file to the entry the state stores:
 * DecodeConfigEntry (the kind picks the struct; unknown keys refused as validateUnusedKeys
 * does), then the kind's Normalize and Validate, then the JSON shape Consul serves. Pure.
 */
import type { ConfigEntry } from '../config-entry-types.js';
import { ALL_CONFIG_ENTRY_KINDS, SUPPORTED_KINDS } from './kinds.js';
import { ConfigEntryDecodeError, decodeStruct, encodeStruct, multiError } from './schema.js';
import { serviceResolver, serviceRouter, type ConfigEntryHooks } from './discovery-chain-validate.js';
import { ingressGateway, terminatingGateway } from './gateway-validate.js';
import { NORMALIZE_AND_VALIDATE } from './validate.js';
import { exportedServices } from './exported-services.js';
import { apiGateway } from './api-gateway.js';
import { httpRoute, tcpRoute } from './routes.js';
import { inlineCertificate } from './inline-certificate.js';
import { jwtProvider } from './jwt-provider.js';

export { ALL_CONFIG_ENTRY_KINDS, SUPPORTED_KINDS } from './kinds.js';
export { ConfigEntryDecodeError, decodeStruct, o as omitEmptyField, multiError, type StructType } from './schema.js';
export { intentionPrecedence, metaErrors } from './validate.js';
export { terminatingGatewayWarnings } from './gateway-validate.js';
export { resolveExportedServices, servicesExportedTo, type ResolvedExportedService } from './exported-services.js';
export type { ConfigEntryHooks } from './discovery-chain-validate.js';

/** Each stored kind's Normalize then Validate. */
const VALIDATORS: Readonly<Record<string, (e: Obj, hooks: ConfigEntryHooks) => string | undefined>> = {
  ...NORMALIZE_AND_VALIDATE,
  'service-resolver': serviceResolver,
  'service-router': serviceRouter,
  'ingress-gateway': ingressGateway,
  'terminating-gateway': terminatingGateway,
  'exported-services': exportedServices,
  'api-gateway': apiGateway,
  'http-route': httpRoute,
  'tcp-route': tcpRoute,
  'inline-certificate': inlineCertificate,
  'jwt-provider': jwtProvider,
  // Consul CE's SamenessGroupConfigEntry.Validate (config_entry_sameness_group_ce.go).
  'sameness-group': () => 'sameness-groups are an enterprise-only feature',
};

/** An entry Normalize or Validate refuses (Consul's text). */
export class ConfigEntryInvalidError extends Error {}
/** A kind Consul has and this agent does not store yet. */
export class ConfigEntryKindUnsupportedError extends Error {}

type Obj = Record<string, unknown>;

/** The name an entry is stored under: a mesh entry has no Name field, its name is "mesh". */
export function configEntryName(kind: string, entry: Obj): string {
  return kind === 'mesh' ? 'mesh' : typeof entry.Name === 'string' ? entry.Name : '';
}

/** structs.MakeConfigEntry's check: undefined for a kind Consul knows, else its error text. */
export function configEntryKindError(kind: string): string | undefined {
  return (ALL_CONFIG_ENTRY_KINDS as readonly string[]).includes(kind) ? undefined : `invalid config entry kind: ${kind}`;
}

/** The text for a kind Consul has but this agent does not store. */
export function unsupportedKindText(kind: string): string {
  return `config entry kind ${JSON.stringify(kind)} is not supported by this agent yet (supported: ${Object.keys(SUPPORTED_KINDS).filter((k) => k !== 'sameness-group').join(', ')})`;
}

/**
 * DecodeConfigEntry: the kind and the decoded fields. Throws ConfigEntryDecodeError with
 * Consul's text, or ConfigEntryKindUnsupportedError.
 */
export function decodeConfigEntry(raw: unknown): { kind: string; fields: Obj } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigEntryDecodeError('Payload does not contain a kind/Kind key at the top level');
  const r = raw as Obj;
  const kindVal = 'Kind' in r ? r.Kind : r.kind;
  if (!('Kind' in r) && !('kind' in r)) throw new ConfigEntryDecodeError('Payload does not contain a kind/Kind key at the top level');
  if (typeof kindVal !== 'string') throw new ConfigEntryDecodeError('Kind value in payload is not a string');
  const kindErr = configEntryKindError(kindVal);
  if (kindErr) throw new ConfigEntryDecodeError(kindErr);
  const schema = SUPPORTED_KINDS[kindVal];
  if (!schema) throw new ConfigEntryKindUnsupportedError(unsupportedKindText(kindVal));
  const { value, unused } = decodeStruct(r, schema);
  const errors: string[] = [];
  for (const k of unused) {
    if (k === 'CreateIndex' || k === 'ModifyIndex' || k === 'kind' || k === 'Kind') continue;
    if (k.toLowerCase().endsWith('namespace')) errors.push(`invalid config key ${JSON.stringify(k)}, namespaces are a consul enterprise feature`);
    else if (k.toLowerCase().includes('jwt')) errors.push(`invalid config key ${JSON.stringify(k)}, api-gateway jwt validation is a consul enterprise feature`);
    else errors.push(`invalid config key ${JSON.stringify(k)}`);
  }
  if (errors.length > 0) throw new ConfigEntryDecodeError(multiError(errors));
  return { kind: kindVal, fields: value };
}

/**
 * Normalize and Validate a decoded entry, and shape it as Consul serves it (indexes 0 until
 * the state stores it). Throws ConfigEntryInvalidError with Consul's text.
 */
export function normalizeConfigEntry(kind: string, fields: Obj, hooks: ConfigEntryHooks = {}): ConfigEntry {
  const e = structuredClone(fields);
  e.Kind = kind;
  const err = VALIDATORS[kind]!(e, hooks);
  if (err !== undefined) throw new ConfigEntryInvalidError(err);
  const shaped = encodeStruct(e, SUPPORTED_KINDS[kind]!);
  // Mesh and exported-services entries have no Kind field; their MarshalJSON puts Kind first.
  const body = kind === 'mesh' || kind === 'exported-services' ? { Kind: kind, ...shaped } : shaped;
  return { ...body, CreateIndex: 0, ModifyIndex: 0 } as ConfigEntry;
}

/** decodeConfigEntry then normalizeConfigEntry. */
export function parseConfigEntry(raw: unknown, hooks: ConfigEntryHooks = {}): ConfigEntry {
  const { kind, fields } = decodeConfigEntry(raw);
  return normalizeConfigEntry(kind, fields, hooks);
}
