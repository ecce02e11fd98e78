/** Validation rules with Consul's messages (agent/config/builder.go, structs.ValidateMetadata). */
import { ConfigError } from './errors.js';

const META_KEY = /^[a-zA-Z0-9_-]+$/;

/** structs.ValidateMetadata for node_meta. */
export function validateNodeMeta(meta: Record<string, string>): void {
  const fail = (reason: string): never => {
    throw new ConfigError(`node_meta invalid: ${reason}`);
  };
  if (Object.keys(meta).length > 64) fail('Node metadata cannot contain more than 64 key/value pairs');
  for (const [key, value] of Object.entries(meta)) {
    if (key === '') fail('Key cannot be blank');
    if (!META_KEY.test(key)) fail(`Key contains invalid characters: ${key}`);
    if (key.length > 128) fail(`Key is too long (limit: 128 characters): ${key}`);
    if (key.startsWith('consul-')) fail(`Key prefix 'consul-' is reserved for internal use: ${key}`);
    if (value.length > 512) fail(`Value is too long (limit: 512 characters): ${key}`);
  }
}

/** A gossip key: base64 of 16, 24 or 32 bytes. */
export function validateEncryptKey(key: string): void {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key) || key.length % 4 !== 0) {
    throw new ConfigError('encrypt has invalid key: illegal base64 data');
  }
  const size = Buffer.from(key, 'base64').length;
  if (![16, 24, 32].includes(size)) {
    throw new ConfigError(`encrypt has invalid key: key size must be 16, 24 or 32 bytes, got ${size}`);
  }
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function validateNodeId(id: string): void {
  if (!UUID.test(id)) throw new ConfigError(`node_id: specified NodeID is invalid: ${JSON.stringify(id)} is not a UUID`);
}

/** A port number, or -1 where the listener can be disabled (0 picks a free port). */
export function validatePort(key: string, port: number, canDisable: boolean): void {
  const ok = (port >= 0 && port <= 65535) || (canDisable && port === -1);
  if (!ok) {
    const range = canDisable ? 'between 0 and 65535, or -1 to disable' : 'between 0 and 65535';
    throw new ConfigError(`${key} cannot be ${port}. Must be ${range}`);
  }
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Consul's log levels are case-insensitive; "err" and "warning" are accepted spellings. */
export function parseLogLevel(value: string): LogLevelName {
  const v = value.toLowerCase();
  if (v === 'err') return 'error';
  if (v === 'warning') return 'warn';
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevelName;
  throw new ConfigError(`Invalid log level: ${JSON.stringify(value)}. Valid log levels are: [TRACE DEBUG INFO WARN ERR]`);
}
