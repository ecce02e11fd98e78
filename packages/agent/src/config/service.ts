import type { ServiceDefinition } from './types.js';

/**
 * Normalises a service definition from a config file (`service`/`services`) or an HTTP
 * body (any key case, snake_case aliases) to the HTTP API shape. Throws ConfigError.
 */
export function parseServiceDefinition(raw: unknown): ServiceDefinition {
  void raw;
  throw new Error('not implemented');
}
