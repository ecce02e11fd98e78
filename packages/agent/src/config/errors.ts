/** A configuration Consul would refuse; the message names the flag or key and the problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
