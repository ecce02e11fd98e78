/**
 * `consul agent` command-line flags, parsed the way Go's flag package parses them:
 * `-flag`, `--flag`, `-flag=value`, `-flag value`; booleans take no separate value
 * (`-server`, `-server=false`); parsing stops at `--` or the first non-flag argument.
 * The result is a config fragment with the same keys as a config file.
 */
import { parseGoDuration } from '@proconsul/catalog';
import { ConfigError } from './errors.js';

type Fragment = Record<string, unknown>;

export type FlagKind = 'string' | 'bool' | 'int' | 'duration' | 'list' | 'map' | 'config-path' | 'hcl' | 'ignored' | 'ignored-bool';

export interface FlagDef {
  kind: FlagKind;
  /** Config key path the flag sets, e.g. ['ports', 'http']. */
  key?: readonly string[];
}

const FLAGS: Record<string, FlagDef> = {
  advertise: { kind: 'string', key: ['advertise_addr'] },
  'advertise-wan': { kind: 'string', key: ['advertise_addr_wan'] },
  'alt-domain': { kind: 'string', key: ['alt_domain'] },
  bind: { kind: 'string', key: ['bind_addr'] },
  bootstrap: { kind: 'bool', key: ['bootstrap'] },
  'bootstrap-expect': { kind: 'int', key: ['bootstrap_expect'] },
  check_output_max_size: { kind: 'int', key: ['check_output_max_size'] },
  client: { kind: 'string', key: ['client_addr'] },
  'config-dir': { kind: 'config-path' },
  'config-file': { kind: 'config-path' },
  'config-format': { kind: 'string', key: ['$config_format'] },
  'data-dir': { kind: 'string', key: ['data_dir'] },
  datacenter: { kind: 'string', key: ['datacenter'] },
  dev: { kind: 'bool', key: ['$dev'] },
  'disable-host-node-id': { kind: 'bool', key: ['disable_host_node_id'] },
  'disable-keyring-file': { kind: 'bool', key: ['disable_keyring_file'] },
  'dns-port': { kind: 'int', key: ['ports', 'dns'] },
  domain: { kind: 'string', key: ['domain'] },
  'enable-local-script-checks': { kind: 'bool', key: ['enable_local_script_checks'] },
  'enable-script-checks': { kind: 'bool', key: ['enable_script_checks'] },
  encrypt: { kind: 'string', key: ['encrypt'] },
  'grpc-port': { kind: 'int', key: ['ports', 'grpc'] },
  'grpc-tls-port': { kind: 'ignored' },
  hcl: { kind: 'hcl' },
  'http-port': { kind: 'int', key: ['ports', 'http'] },
  'https-port': { kind: 'int', key: ['ports', 'https'] },
  join: { kind: 'list', key: ['start_join'] },
  'join-wan': { kind: 'list', key: ['start_join_wan'] },
  'log-file': { kind: 'string', key: ['log_file'] },
  'log-json': { kind: 'bool', key: ['log_json'] },
  'log-level': { kind: 'string', key: ['log_level'] },
  'log-rotate-bytes': { kind: 'int', key: ['log_rotate_bytes'] },
  'log-rotate-duration': { kind: 'duration', key: ['log_rotate_duration'] },
  'log-rotate-max-files': { kind: 'int', key: ['log_rotate_max_files'] },
  node: { kind: 'string', key: ['node_name'] },
  'node-id': { kind: 'string', key: ['node_id'] },
  'node-meta': { kind: 'map', key: ['node_meta'] },
  'non-voting-server': { kind: 'ignored-bool' },
  'pid-file': { kind: 'string', key: ['pid_file'] },
  'primary-gateway': { kind: 'ignored' },
  protocol: { kind: 'ignored' },
  'raft-protocol': { kind: 'ignored' },
  'read-replica': { kind: 'ignored-bool' },
  recursor: { kind: 'list', key: ['recursors'] },
  rejoin: { kind: 'bool', key: ['rejoin_after_leave'] },
  'retry-interval': { kind: 'duration', key: ['retry_interval'] },
  'retry-interval-wan': { kind: 'duration', key: ['retry_interval_wan'] },
  'retry-join': { kind: 'list', key: ['retry_join'] },
  'retry-join-wan': { kind: 'list', key: ['retry_join_wan'] },
  'retry-max': { kind: 'int', key: ['retry_max'] },
  'retry-max-wan': { kind: 'int', key: ['retry_max_wan'] },
  segment: { kind: 'ignored' },
  'serf-lan-bind': { kind: 'string', key: ['serf_lan'] },
  'serf-lan-port': { kind: 'int', key: ['ports', 'serf_lan'] },
  'serf-wan-bind': { kind: 'string', key: ['serf_wan'] },
  'serf-wan-port': { kind: 'int', key: ['ports', 'serf_wan'] },
  server: { kind: 'bool', key: ['server'] },
  'server-port': { kind: 'int', key: ['ports', 'server'] },
  syslog: { kind: 'ignored-bool' },
  ui: { kind: 'bool', key: ['ui_config', 'enabled'] },
  'ui-content-path': { kind: 'ignored' },
  'ui-dir': { kind: 'ignored' },
};

/** `-h` / `-help`: the caller prints agentUsage() and exits 0, as `consul agent -h` does. */
export class HelpRequested extends ConfigError {
  constructor() {
    super('flag: help requested');
  }
}

/** `proconsul agent -h`: every flag and the config key it sets. */
export function agentUsage(): string {
  const lines = Object.keys(FLAGS)
    .sort()
    .map((name) => {
      const d = FLAGS[name]!;
      const arg = d.kind === 'bool' || d.kind === 'ignored-bool' ? '' : d.kind === 'int' ? '=<int>' : '=<value>';
      const what =
        d.kind === 'ignored' || d.kind === 'ignored-bool' ? 'Accepted for compatibility and ignored.'
        : d.kind === 'config-path' ? 'A config file (JSON or HCL), or a directory of them. May be repeated.'
        : d.kind === 'hcl' ? 'An HCL config fragment, applied after the flags. May be repeated.'
        : d.key?.[0]?.startsWith('$') ? (name === 'dev' ? 'Development mode: an in-memory server, its own leader, UI on.' : 'The format of config files without a known extension (json or hcl).')
        : `Sets ${d.key!.join('.')}.${d.kind === 'list' || d.kind === 'map' ? ' May be repeated.' : ''}`;
      return `  -${name}${arg}\n     ${what}`;
    });
  return `Usage: proconsul agent [options]\n\n  Starts the Proconsul agent and runs until an interrupt is received.\n  Flags and config keys are Consul's (docs/reference/cli.md, packages/agent/CONFIG.md).\n\n${lines.join('\n\n')}`;
}

/** Every flag and the config key it sets (docs/reference/cli.md is generated from it). */
export const FLAG_DEFS: Readonly<Record<string, FlagDef>> = FLAGS;

/** The flag names this agent accepts (for CONFIG.md and usage text). */
export const FLAG_NAMES: readonly string[] = Object.keys(FLAGS).sort();

export interface ParsedFlags {
  /** Config keys set by flags (merged after the config files). */
  fragment: Fragment;
  /** -config-file / -config-dir paths in command-line order. */
  configPaths: string[];
  dev: boolean;
  /** -config-format, when given. */
  configFormat?: string;
  /** -hcl fragments in command-line order (merged after the flags, as Consul does). */
  hcl: string[];
}

/** Go's strconv.ParseBool. */
function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function setPath(target: Fragment, key: readonly string[], value: unknown): void {
  let node = target;
  for (const part of key.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Fragment;
  }
  node[key[key.length - 1] as string] = value;
}

function getPath(target: Fragment, key: readonly string[]): unknown {
  let node: unknown = target;
  for (const part of key) node = (node as Fragment | undefined)?.[part];
  return node;
}

/** Parses `consul agent` arguments (without the "agent" word). Throws ConfigError with Go's messages. */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const fragment: Fragment = {};
  const configPaths: string[] = [];
  const hcl: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg.length < 2 || arg[0] !== '-') break;
    let numMinuses = 1;
    if (arg[1] === '-') {
      numMinuses = 2;
      if (arg.length === 2) {
        i += 1; // "--" ends the flags
        break;
      }
    }
    let name = arg.slice(numMinuses);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') throw new ConfigError(`bad flag syntax: ${arg}`);
    i += 1;
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (name === 'h' || name === 'help') throw new HelpRequested();
    const def = FLAGS[name];
    if (def === undefined) throw new ConfigError(`flag provided but not defined: -${name}`);

    if (def.kind === 'bool' || def.kind === 'ignored-bool') {
      const parsed = value === undefined ? true : parseGoBool(value);
      if (parsed === undefined) {
        throw new ConfigError(
          `invalid boolean value ${JSON.stringify(value)} for -${name}: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`,
        );
      }
      if (def.key !== undefined) setPath(fragment, def.key, parsed);
      continue;
    }
    if (value === undefined) {
      if (i >= argv.length) throw new ConfigError(`flag needs an argument: -${name}`);
      value = argv[i] as string;
      i += 1;
    }
    const invalid = (reason: string): ConfigError =>
      new ConfigError(`invalid value ${JSON.stringify(value)} for flag -${name}: ${reason}`);
    switch (def.kind) {
      case 'string':
        setPath(fragment, def.key as readonly string[], value);
        break;
      case 'int': {
        if (!/^[+-]?\d+$/.test(value)) throw invalid(`strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
        setPath(fragment, def.key as readonly string[], Number(value));
        break;
      }
      case 'duration':
        try {
          parseGoDuration(value);
        } catch (err) {
          throw invalid((err as Error).message);
        }
        setPath(fragment, def.key as readonly string[], value);
        break;
      case 'list': {
        const key = def.key as readonly string[];
        const list = (getPath(fragment, key) as string[] | undefined) ?? [];
        setPath(fragment, key, [...list, value]);
        break;
      }
      case 'map': {
        // -node-meta key:value (Consul splits at the first colon).
        const key = def.key as readonly string[];
        const colon = value.indexOf(':');
        const [name, val] = colon === -1 ? [value, ''] : [value.slice(0, colon), value.slice(colon + 1)];
        // A computed key defines an own property, also for a name such as `__proto__`.
        setPath(fragment, key, { ...((getPath(fragment, key) as Record<string, string> | undefined) ?? {}), [name]: val });
        break;
      }
      case 'config-path':
        configPaths.push(value);
        break;
      case 'hcl':
        hcl.push(value);
        break;
      case 'ignored':
        break;
    }
  }
  const rest = argv.slice(i);
  if (rest.length > 0) throw new ConfigError(`Unexpected extra arguments: [${rest.join(' ')}]`);

  const dev = fragment.$dev === true;
  const configFormat = fragment.$config_format as string | undefined;
  delete fragment.$dev;
  delete fragment.$config_format;
  return { fragment, configPaths, hcl, dev, ...(configFormat !== undefined ? { configFormat } : {}) };
}
