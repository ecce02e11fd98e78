import type { AgentConfig } from './types.js';

/**
 * Builds the agent configuration from `consul agent` flags (argv without "agent") and the
 * JSON config files they name. Throws ConfigError with a one-line message on bad input.
 */
export async function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<AgentConfig> {
  void argv; void env;
  throw new Error('not implemented');
}
