/**
 * Validation helpers for the HTTP layer. Each returns `undefined` when the input is fine,
 * or Consul's message (which the caller sends as a 400 text body, or 500 where Consul
 * answers with an RPC error — noted per helper).
 */

/** Consul's default `kv_max_value_size` (raft's suggested max entry size): 512 KiB. */
export const KV_MAX_VALUE_SIZE = 512 * 1024;

/** Max pairs / key / value lengths of service and node meta (`structs.ValidateMetadata`). */
export const META_MAX_PAIRS = 64;
export const META_KEY_MAX_LENGTH = 128;
export const META_VALUE_MAX_LENGTH = 512;
const META_KEY = /^[a-zA-Z0-9_-]+$/;
const RESERVED_META_PREFIX = 'consul-';

/** KV key of a single-key GET/PUT/DELETE: `Missing key name` when empty (HTTP 400). */
export function validateKVKey(key: string): string | undefined {
  if (key === '') return 'Missing key name';
  return undefined;
}

/** KV value size in bytes: Consul answers 413 with this message when too large. */
export function validateKVValueSize(bytes: number, max = KV_MAX_VALUE_SIZE): string | undefined {
  if (bytes > max) {
    return `Request body(${bytes} bytes) too large, max size: ${max} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`;
  }
  return undefined;
}

/** Node name of a registration (Consul: RPC error, HTTP 500 `Must provide node`). */
export function validateNodeName(node: string | undefined): string | undefined {
  if (node === undefined || node === '') return 'Must provide node';
  return undefined;
}

/** Service name of an agent registration (HTTP 400 `Missing service name`). */
export function validateServiceName(name: string | undefined): string | undefined {
  if (name === undefined || name === '') return 'Missing service name';
  return undefined;
}

/** Node UUID (`Bad node ID: ...`): a 36-character UUID, hex with dashes in 8-4-4-4-12. */
export function validateNodeID(id: string): string | undefined {
  if (id === '') return undefined;
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id)) {
    return `Bad node ID: node ID "${id}" is not a valid UUID`;
  }
  return undefined;
}

/** True when a name is a valid DNS label (Consul warns, DNS cannot look the name up otherwise). */
export function isDNSCompatible(name: string): boolean {
  return /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(name);
}

/** Check status: `passing`, `warning` or `critical`. */
export function isCheckStatus(s: string): s is 'passing' | 'warning' | 'critical' {
  return s === 'passing' || s === 'warning' || s === 'critical';
}

/**
 * Service or node meta (`structs.ValidateServiceMetadata`). `allowReserved` lets the agent
 * itself use the `consul-` prefix (e.g. `consul-network-segment`).
 */
export function validateMeta(meta: Record<string, string> | null | undefined, allowReserved = false): string | undefined {
  if (!meta) return undefined;
  const keys = Object.keys(meta);
  if (keys.length > META_MAX_PAIRS) {
    return `Node metadata cannot contain more than ${META_MAX_PAIRS} key/value pairs`;
  }
  for (const key of keys) {
    const value = meta[key] ?? '';
    let why: string | undefined;
    if (key === '') why = 'Key cannot be blank';
    else if (!META_KEY.test(key)) why = `Key contains invalid characters`;
    else if (key.length > META_KEY_MAX_LENGTH) why = `Key is too long (limit: ${META_KEY_MAX_LENGTH} characters)`;
    else if (!allowReserved && key.startsWith(RESERVED_META_PREFIX)) {
      why = `Key prefix '${RESERVED_META_PREFIX}' is reserved for internal use`;
    } else if (typeof value !== 'string') why = 'Value must be a string';
    else if (value.length > META_VALUE_MAX_LENGTH) why = `Value is too long (limit: ${META_VALUE_MAX_LENGTH} characters)`;
    if (why) return `Couldn't load metadata pair ('${key}', '${String(value)}'): ${why}`;
  }
  return undefined;
}

/** Service weights: Passing 1..65535, Warning 0..65535 (HTTP 400 `Invalid Weights: ...`). */
export function validateWeights(w: { Passing: number; Warning: number } | null | undefined): string | undefined {
  if (!w) return undefined;
  if (!Number.isInteger(w.Passing) || w.Passing < 1 || w.Passing > 65535) {
    return 'Invalid Weights: Passing must be between 1 and 65535';
  }
  if (!Number.isInteger(w.Warning) || w.Warning < 0 || w.Warning > 65535) {
    return 'Invalid Weights: Warning must be between 0 and 65535';
  }
  return undefined;
}

/** True for an "any" address (`0.0.0.0`, `::`, `[::]`): Consul refuses it as a service address. */
export function isAnyAddress(addr: string): boolean {
  return addr === '0.0.0.0' || addr === '::' || addr === '[::]';
}
