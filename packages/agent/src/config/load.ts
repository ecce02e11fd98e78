/** loadConfig: flags -> config files -> merged, validated AgentConfig. */
import os from 'node:os';
import { buildConfig } from './build.js';
import { parseFlags } from './flags.js';
import { readConfigPaths } from './sources.js';
import type { Interfaces } from './addresses.js';
import type { AgentConfig } from './types.js';

export interface LoadConfigHost {
  /** Default node name (os.hostname()). */
  hostname?: string;
  /** Interfaces for private-IP detection (os.networkInterfaces()). */
  interfaces?: Interfaces;
}

/**
 * Builds the agent configuration from `consul agent` flags (argv without "agent") and the
 * JSON config files they name, merged as Consul merges them: defaults, -dev, config files
 * in order, then flags. Throws ConfigError with a one-line message on bad input.
 * `env` is accepted for symmetry with the CLI; the agent reads no environment variables yet.
 */
export async function loadConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  host: LoadConfigHost = {},
): Promise<AgentConfig> {
  void env;
  const flags = parseFlags(argv);
  const warnings: string[] = [];
  const files = await readConfigPaths(flags.configPaths, flags.configFormat, warnings);
  return buildConfig({
    dev: flags.dev,
    files,
    flags: flags.fragment,
    hostname: host.hostname ?? os.hostname(),
    interfaces: host.interfaces ?? os.networkInterfaces(),
    warnings,
  });
}
