/** Service definitions from config files (`service`, `services`) in the HTTP API's shape. */
import { decodeObject, requireObject, type ObjectSpec } from '../checks/decode.js';
import { CHECK_TYPE_SPEC, parseCheckType } from '../checks/definition.js';
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

/** Consul's ServiceDefinition keys; Connect, Proxy and the Enterprise keys are accepted and dropped. */
export const SERVICE_SPEC: ObjectSpec = {
  struct: 'ServiceDefinition',
  fields: [
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
    { name: 'Connect', type: { opaque: 'structs.ServiceConnect' } },
    { name: 'Proxy', type: { opaque: 'structs.ConnectProxyConfig' } },
    { name: 'Locality', type: 'any' },
    { name: 'Namespace', type: 'any' },
    { name: 'Partition', type: 'any' },
  ],
};

const DROPPED = ['Connect', 'Proxy', 'Locality', 'Namespace', 'Partition'] as const;

/**
 * Normalises a service definition from a config file or an HTTP body (any key case,
 * snake_case aliases) to the HTTP API shape. Throws DecodeError (unknown key, wrong type)
 * or CheckDefinitionError (a bad embedded check).
 */
export function parseServiceDefinition(raw: unknown, path = ''): ServiceDefinition {
  const decoded = decodeObject(requireObject(raw, 'structs.ServiceDefinition', path), SERVICE_SPEC, path);
  for (const key of DROPPED) delete decoded[key];
  if (decoded.Check !== undefined) decoded.Check = parseCheckType(decoded.Check, `${path}.check`);
  if (Array.isArray(decoded.Checks)) {
    decoded.Checks = decoded.Checks.map((c, i) => parseCheckType(c, `${path}.checks[${i}]`));
  }
  if (decoded.Name === undefined) decoded.Name = '';
  return decoded as unknown as ServiceDefinition;
}
