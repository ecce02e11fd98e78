// Consul's checks on an agent service registration (agent/agent_endpoint.go, structs.ValidateServiceMetadata).
import { isIP } from 'node:net';
import { badRequest } from '../http/http-error.js';
import type { ServiceDefinition } from '../config/index.js';

const META_PAIRS_MAX = 64;
const META_KEY_LENGTH_MAX = 128;
const META_VALUE_LENGTH_MAX = 512;
const META_KEY_RE = /^[a-zA-Z0-9_-]+$/;

export function validateServiceDefinition(def: ServiceDefinition): void {
  if (!def.Name) throw badRequest('Missing service name');
  if (def.Address && isIP(def.Address) && /^(0\.0\.0\.0|::|\[::\])$/.test(def.Address)) {
    throw badRequest('Invalid service address');
  }
  if (def.Weights) {
    const { Passing, Warning } = def.Weights;
    if (!(Number.isInteger(Passing) && Passing >= 1 && Passing <= 65535)) {
      throw badRequest(`Invalid Weights: Passing must be greater than 0 and less than 65536`);
    }
    if (!(Number.isInteger(Warning) && Warning >= 0 && Warning <= 65535)) {
      throw badRequest(`Invalid Weights: Warning must be greater or equal than 0 and less than 65536`);
    }
  }
  if (def.Meta) {
    const entries = Object.entries(def.Meta);
    if (entries.length > META_PAIRS_MAX) throw badRequest(`Invalid Service Meta: Node metadata cannot contain more than ${META_PAIRS_MAX} key/value pairs`);
    for (const [k, v] of entries) {
      if (k === '') throw badRequest('Invalid Service Meta: Key cannot be blank');
      if (!META_KEY_RE.test(k)) throw badRequest(`Invalid Service Meta: Key contains invalid characters`);
      if (k.length > META_KEY_LENGTH_MAX) throw badRequest(`Invalid Service Meta: Key is too long (limit: ${META_KEY_LENGTH_MAX} characters)`);
      if (k.startsWith('consul-')) throw badRequest(`Invalid Service Meta: Key prefix 'consul-' is reserved for internal use`);
      if (typeof v !== 'string') throw badRequest(`Invalid Service Meta: Value for key "${k}" must be a string`);
      if (v.length > META_VALUE_LENGTH_MAX) throw badRequest(`Invalid Service Meta: Value is too long (limit: ${META_VALUE_LENGTH_MAX} characters)`);
    }
  }
  if (def.Port !== undefined && !(Number.isInteger(def.Port) && def.Port >= 0 && def.Port <= 65535)) {
    throw badRequest('Validation failed: invalid port');
  }
}
