/** loadConfig: flags -> config files -> merged, validated AgentConfig. */
import os from 'node:os';
import { buildConfig } from './build.js';
import { parseFlags } from './flags.js';
import { parseConfigText, readConfigPaths } from './sources.js';
import { mergeFragments } from './merge.js';
import { CONFIG_SPEC } from './schema.js';
import { LINUX_READERS, type Interfaces, type NetworkReaders } from '@proconsul/sockaddr';
import type { AgentConfig } from './types.js';

export interface LoadConfigHost {
  /** Default node name (os.hostname()). */
  hostname?: string;
  /** Interfaces for private-IP detection and address templates (os.networkInterfaces()). */
  interfaces?: Interfaces;
  /**
   * Interface flags and the default route for go-sockaddr templates. Default: this machine's
   * (Linux /sys and /proc) when `interfaces` is not given, none when it is.
   */
  network?: NetworkReaders;
}

/**
 * Builds the agent configuration from `consul agent` flags (argv without "agent") and the
 * JSON config files they name, merged as Consul merges them: defaults, -dev, config files
 * in order, then flags. Throws ConfigError with a one-line message on bad input.
 * `env`: CONSUL_INTRO_TOKEN (auto_config). `autoConfig`: the servers' auto_config answer as a fragment.
 */
export async function loadConfig(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  host: LoadConfigHost = {},
  autoConfig?: Record<string, unknown>,
): Promise<AgentConfig> {
  const flags = parseFlags(argv);
  const warnings: string[] = [];
  const files = await readConfigPaths(flags.configPaths, flags.configFormat, warnings);
  // -hcl fragments come after the flags (Consul's flags-<n>.hcl sources).
  let flagsAndHcl = flags.fragment;
  flags.hcl.forEach((text, i) => {
    flagsAndHcl = mergeFragments(flagsAndHcl, parseConfigText(text, `flags-${i}.hcl`, 'hcl'), CONFIG_SPEC);
  });
  return buildConfig({
    dev: flags.dev,
    files,
    flags: flagsAndHcl,
    configPaths: flags.configPaths,
    hostname: host.hostname ?? os.hostname(),
    interfaces: host.interfaces ?? os.networkInterfaces(),
    network: host.network ?? (host.interfaces === undefined ? LINUX_READERS : {}),
    warnings,
    env,
    ...(autoConfig ? { autoConfig } : {}),
  });
}
