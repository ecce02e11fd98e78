/** Service definitions from config files (`service`, `services`) in the HTTP API's shape. */
import { decodeObject, requireObject, type FieldSpec, type ObjectSpec } from '../checks/decode.js';
import { CHECK_TYPE_SPEC, parseCheckType } from '../checks/definition.js';
import { PROXY_SPEC } from './proxy-spec.js';
import type { ServiceDefinition } from './types.js';

const SERVICE_ADDRESS: ObjectSpec = {
  struct: 'ServiceAddress',
  fields: [
    { name: 'Address', type: 'string' },
    { name: 'Port', type: 'int' },
  ],
};

const WEIGHTS: ObjectSpec = {
  struct: 'Weights',
  fields: [
    { name: 'Passing', type: 'int' },
    { name: 'Warning', type: 'int' },
  ],
};

const SERVICE_FIELDS: FieldSpec[] = [
  { name: 'ID', type: 'string' },
  { name: 'Name', type: 'string' },
  { name: 'Tags', type: 'strings' },
  { name: 'Address', type: 'string' },
  { name: 'TaggedAddresses', type: { map: SERVICE_ADDRESS } },
  { name: 'Meta', type: 'stringMap' },
  { name: 'Port', type: 'int' },
  { name: 'SocketPath', type: 'string' },
  { name: 'Kind', type: 'string' },
  { name: 'EnableTagOverride', type: 'bool' },
  { name: 'Weights', type: { object: WEIGHTS } },
  { name: 'Check', type: { object: CHECK_TYPE_SPEC } },
  { name: 'Checks', type: { array: CHECK_TYPE_SPEC } },
  { name: 'Token', type: 'string' },
  { name: 'Proxy', type: { object: PROXY_SPEC } },
  { name: 'Locality', type: 'any' },
  { name: 'Namespace', type: 'any' },
  { name: 'Partition', type: 'any' },
];

/** Consul's ServiceDefinition keys; the Enterprise keys (and Locality) are accepted and dropped. */
export const SERVICE_SPEC: ObjectSpec = { struct: 'ServiceDefinition', fields: SERVICE_FIELDS };

/** structs.ServiceConnect: `sidecar_service` is a nested service definition (agent/structs/structs.go). */
const CONNECT_SPEC: ObjectSpec = {
  struct: 'structs.ServiceConnect',
  fields: [
    { name: 'Native', type: 'bool' },
    { name: 'SidecarService', type: { object: SERVICE_SPEC } },
  ],
};
SERVICE_FIELDS.push({ name: 'Connect', type: { object: CONNECT_SPEC } });

const DROPPED = ['Locality', 'Namespace', 'Partition'] as const;

/**
 * Normalises a service definition from a config file or an HTTP body (any key case,
 * snake_case aliases) to the HTTP API shape. Throws DecodeError (unknown key, wrong type)
 * or CheckDefinitionError (a bad embedded check).
 */
export function parseServiceDefinition(raw: unknown, path = ''): ServiceDefinition {
  const decoded = decodeObject(requireObject(raw, 'structs.ServiceDefinition', path), SERVICE_SPEC, path);
  return normalise(decoded, path);
}

function normalise(decoded: Record<string, unknown>, path: string): ServiceDefinition {
  for (const key of DROPPED) delete decoded[key];
  if (decoded.Check !== undefined) decoded.Check = parseCheckType(decoded.Check, `${path}.check`);
  if (Array.isArray(decoded.Checks)) {
    decoded.Checks = decoded.Checks.map((c, i) => parseCheckType(c, `${path}.checks[${i}]`));
  }
  if (decoded.Name === undefined) decoded.Name = '';
  const connect = decoded.Connect as { SidecarService?: Record<string, unknown> } | undefined;
  if (connect?.SidecarService) connect.SidecarService = normalise(connect.SidecarService, `${path}.connect.sidecar_service`) as unknown as Record<string, unknown>;
  return decoded as unknown as ServiceDefinition;
}
