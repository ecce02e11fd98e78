/**
 * Agent configuration: Consul's `consul agent` flags and JSON config files, merged as Consul
 * merges them, validated, with Consul's defaults.
 *
 *   const config = await loadConfig(process.argv.slice(3));   // throws ConfigError
 *   // -> config.ports.http, config.clientAddrs, config.services, ...
 */
export type {
  AgentConfig,
  AgentPorts,
  DnsConfig,
  HttpConfig,
  LogFileConfig,
  LogLevel,
  QueryTimes,
  ServiceDefinition,
  TelemetryConfig,
} from './types.js';
export { ConfigError } from './errors.js';
export { loadConfig, type LoadConfigHost } from './load.js';
export { parseServiceDefinition } from './service.js';
export { parseFlags, FLAG_NAMES, FLAG_DEFS, type FlagDef, type FlagKind, type ParsedFlags } from './flags.js';
export { CONFIG_SPEC, IGNORED_KEYS } from './schema.js';
