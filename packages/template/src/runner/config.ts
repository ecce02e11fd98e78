// consul-template's configuration (HCL or JSON, the same keys) plus the flags,
// normalized into one RunnerConfig. Unknown keys and bad values are errors that
// name the key.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from '@proconsul/api';
import { parseHcl } from './hcl.js';
import { parseLogLevel, type LogLevel } from './log.js';
import type { NginxUpstream } from '../nginx/renderer.js';
import type { ExecEnvConfig } from './exec-env.js';
import { RETRY_DEFAULTS, type RetryConfig } from './retry.js';
import { parseSignal } from './signals.js';

export interface Wait {
  minMs: number;
  maxMs: number;
}

export interface TemplateConfig {
  source?: string;
  contents?: string;
  destination: string;
  command?: string | string[];
  commandTimeoutMs: number;
  /** The template's `exec.env` block: the command's environment (config/env.go), over agentEnv. */
  commandEnv?: ExecEnvConfig;
  perms?: number;
  backup: boolean;
  errorOnMissingKey: boolean;
  leftDelimiter?: string;
  rightDelimiter?: string;
  wait?: Wait;
  createDestDirs: boolean;
  /** Beyond consul-template: validation before the swap ({{path}} = candidate file). */
  validate?: string;
  /** Beyond consul-template: hold the render while any `service` has fewer instances. */
  minInstances: number;
  /** nginx-conf mode: no template; the destination's own `upstream` blocks are rewritten. */
  nginxUpstreams?: NginxUpstream[];
  /** consul-template's function_denylist (and its older name function_blacklist): glob patterns. */
  functionDenylist?: string[];
  /** consul-template's sandbox_path: `file` reads only below it. */
  sandboxPath?: string;
  /** Owner of the destination, a name or an id (`user`, or the older numeric `uid`). */
  user?: string;
  /** Group of the destination, a name or an id (`group`, or `gid`). */
  group?: string;
}

/** consul-template's `consul.ssl` block (its -consul-ssl-* flags). */
export interface SslConfig {
  enabled?: boolean;
  /** Verify the agent's certificate (default true). */
  verify?: boolean;
  cert?: string;
  key?: string;
  caCert?: string;
  caPath?: string;
  serverName?: string;
}

/**
 * consul-template's `dedup` block (-dedup) as given: unset keys stay undefined until
 * `finalizeDedup`, so later config files override only what they set (Go's Merge).
 */
export interface DedupConfig {
  enabled?: boolean;
  /** Stale reads of the shared data (0: the leader only). */
  maxStaleMs?: number;
  /** KV prefix of the per-template lock and data keys. */
  prefix?: string;
  /** TTL of the runner's session: how long a dead leader keeps its templates. */
  ttlMs?: number;
  /** ?wait= of the followers' blocking query on the data key. */
  blockWaitMs?: number;
}

export type DedupSettings = Required<DedupConfig>;

export const DEDUP_DEFAULTS: Omit<DedupSettings, 'enabled'> = { maxStaleMs: 2000, prefix: 'consul-template/dedup/', ttlMs: 15_000, blockWaitMs: 60_000 };

/** consul-template's DedupConfig.Finalize: enabled when any other key is set (non-zero, non-empty), unless `enabled` says otherwise. */
export function finalizeDedup(d: DedupConfig): DedupSettings {
  const anySet = [d.maxStaleMs, d.ttlMs, d.blockWaitMs].some((ms) => !!ms) || !!d.prefix;
  return {
    enabled: d.enabled ?? anySet,
    maxStaleMs: d.maxStaleMs ?? DEDUP_DEFAULTS.maxStaleMs,
    prefix: d.prefix ?? DEDUP_DEFAULTS.prefix,
    ttlMs: d.ttlMs ?? DEDUP_DEFAULTS.ttlMs,
    blockWaitMs: d.blockWaitMs ?? DEDUP_DEFAULTS.blockWaitMs,
  };
}

/**
 * consul-template's top-level `exec` block (-exec, -exec-*; config/exec.go): the child started
 * once every template rendered and told of each change.
 */
export interface ExecConfig {
  command?: string | string[];
  /** Default: on when a command is given. */
  enabled?: boolean;
  /** A random wait up to this before the reload signal or restart. */
  splayMs: number;
  /** Sent on a template change; null (the default): restart the child instead. */
  reloadSignal: NodeJS.Signals | null;
  /** Stops the child (default SIGINT); null: SIGKILL. */
  killSignal: NodeJS.Signals | null;
  /** How long the child has to exit after the kill signal before SIGKILL (default 30s). */
  killTimeoutMs: number;
  /** Taken as consul-template takes it: it does not apply to the exec child there either. */
  timeoutMs: number;
  env: ExecEnvConfig;
}

export function execEnabled(e: ExecConfig): boolean {
  const list = typeof e.command === 'string' ? [e.command] : (e.command ?? []);
  return e.enabled ?? (list.length > 0 && list[0] !== '');
}

export interface RunnerConfig {
  consul: {
    address?: string;
    token?: string;
    /** consul.token_file (-consul-token-file): a file whose token, when not empty, wins over `token` (Consul's api NewClient). */
    tokenFile?: string;
    /** consul.retry (-consul-retry*): how failed queries are retried, and when to give up. */
    retry: RetryConfig;
    ssl: SslConfig;
    /** HTTP basic auth (`consul.auth`, -consul-auth user:pass). */
    auth?: { username: string; password: string };
  };
  /** Keys and flags taken for compatibility that change nothing here: named in a warning at start. */
  ignored: string[];
  wait: Wait;
  templates: TemplateConfig[];
  once: boolean;
  dry: boolean;
  logLevel: LogLevel;
  exec: ExecConfig;
  /** Reloads the configuration and templates (default SIGHUP; null: off, the signal goes to the child). */
  reloadSignal: NodeJS.Signals | null;
  /** Stops proconsul-template and its child (default SIGINT; null: off, the signal goes to the child). */
  killSignal: NodeJS.Signals | null;
  pidFile?: string;
  /** Beyond consul-template: `key` of a missing key fails after this long (0 = wait forever). */
  keyTimeoutMs: number;
  /** ?wait= for blocking queries. */
  blockWaitMs: number;
  /**
   * consul-template's max_stale (default 2s): queries are `?stale`, so any server answers, and
   * one whose X-Consul-LastContact is over this is asked again of the leader. 0: leader reads.
   */
  maxStaleMs: number;
  /** De-duplication (`dedup`, -dedup): one instance per template watches, the others read its data. */
  dedup: DedupConfig;
}

export class ConfigError extends Error {}

export function defaultConfig(): RunnerConfig {
  return {
    consul: { retry: { ...RETRY_DEFAULTS }, ssl: {} },
    ignored: [],
    wait: { minMs: 0, maxMs: 0 },
    templates: [],
    once: false,
    dry: false,
    logLevel: 'info',
    keyTimeoutMs: 30_000,
    blockWaitMs: 60_000,
    maxStaleMs: 2000,
    dedup: {},
    exec: {
      splayMs: 0,
      reloadSignal: null,
      killSignal: 'SIGINT',
      killTimeoutMs: 30_000,
      timeoutMs: 0,
      env: emptyEnv(),
    },
    // config/config.go DefaultReloadSignal, DefaultKillSignal.
    reloadSignal: 'SIGHUP',
    killSignal: 'SIGINT',
  };
}

/**
 * config/consul.go's Finalize: what neither a file nor a flag set comes from the environment
 * (the first non-empty variable, trimmed), so the child processes get it as CONSUL_HTTP_*.
 */
export function finalizeConsul(consul: RunnerConfig['consul'], env: Record<string, string | undefined>): void {
  const fromEnv = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '')?.trim();
  consul.address ??= fromEnv('CONSUL_HTTP_ADDR');
  consul.token ??= fromEnv('CONSUL_TOKEN', 'CONSUL_HTTP_TOKEN');
  consul.tokenFile ??= fromEnv('CONSUL_TOKEN_FILE', 'CONSUL_HTTP_TOKEN_FILE');
}

/** config/ssl.go's Finalize: any TLS setting turns HTTPS on, unless `enabled` says otherwise. */
export function sslEnabled(ssl: SslConfig): boolean {
  return ssl.enabled ?? ([ssl.cert, ssl.key, ssl.caCert, ssl.caPath, ssl.serverName].some((v) => v) || ssl.verify !== undefined);
}

/** A signal name from a config key or flag; "" turns it off. */
export function signalValue(key: string, v: unknown): NodeJS.Signals | null {
  try {
    return parseSignal(str(key, v));
  } catch (e) {
    throw new ConfigError(`${key}: ${(e as Error).message}`);
  }
}

/** `-wait 5s:10s`; max defaults to 4x min. */
export function parseWait(s: string): Wait {
  const [a = '', b] = s.split(':');
  try {
    const minMs = parseDuration(a);
    const maxMs = b === undefined ? minMs * 4 : parseDuration(b);
    if (minMs < 0 || maxMs < minMs) throw new Error();
    return { minMs, maxMs };
  } catch {
    throw new ConfigError(`invalid wait ${JSON.stringify(s)}: expected min[:max] durations with max >= min, e.g. 2s:10s`);
  }
}

/** `-template "src:dst[:command]"`; the command may itself contain colons. */
export function parseTemplateFlag(s: string): TemplateConfig {
  const parts = s.split(':');
  if (parts.length < 2 || !parts[0] || !parts[1]) {
    throw new ConfigError(`invalid template ${JSON.stringify(s)}: expected "source:destination[:command]"`);
  }
  const t = templateDefaults();
  t.source = parts[0];
  t.destination = parts[1]!;
  if (parts.length > 2) t.command = parts.slice(2).join(':');
  return t;
}

/** `-nginx-upstream "upstream=service"`: an upstream block of the file and the service that fills it. */
export function parseNginxUpstreamFlag(s: string): NginxUpstream {
  const m = /^([^\s=;{}#'"]+)=(\S+)$/.exec(s);
  if (!m) throw new ConfigError(`invalid -nginx-upstream ${JSON.stringify(s)}: expected "upstream=service", e.g. "app=web"`);
  return { upstream: m[1]!, service: m[2]! };
}

/** The nginx-conf mode's "template": `file` is both what is read and what is written. */
export function nginxConfTemplate(file: string, upstreams: NginxUpstream[], reload: string): TemplateConfig {
  const t = templateDefaults();
  t.destination = file;
  t.command = reload;
  t.createDestDirs = false;
  t.nginxUpstreams = upstreams;
  return t;
}

function templateDefaults(): TemplateConfig {
  return { destination: '', commandTimeoutMs: 30_000, backup: false, errorOnMissingKey: false, createDestDirs: true, minInstances: 0 };
}

function duration(key: string, v: unknown): number {
  if (typeof v === 'number') return v / 1e6; // Go durations as numbers are nanoseconds
  if (typeof v === 'string') {
    try {
      return parseDuration(v);
    } catch {
      throw new ConfigError(`${key}: invalid duration ${JSON.stringify(v)}`);
    }
  }
  throw new ConfigError(`${key}: expected a duration string like "5s"`);
}

function str(key: string, v: unknown): string {
  if (typeof v !== 'string') throw new ConfigError(`${key}: expected a string`);
  return v;
}
function strings(key: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ConfigError(`${key}: expected a list of strings`);
  return v as string[];
}
function bool(key: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ConfigError(`${key}: expected true or false`);
}
function int(key: string, v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ConfigError(`${key}: expected a non-negative integer`);
  return n;
}
/** A block may appear once (object) or several times (array). */
function blocks(key: string, v: unknown): Record<string, unknown>[] {
  const list = Array.isArray(v) ? v : [v];
  for (const b of list) if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ConfigError(`${key}: expected a block`);
  return list as Record<string, unknown>[];
}
function one(key: string, v: unknown): Record<string, unknown> {
  // fromEntries, not Object.assign: assigning a JSON block's own "__proto__" key would set the prototype.
  return Object.fromEntries(blocks(key, v).flatMap((b) => Object.entries(b)));
}
function waitValue(key: string, v: unknown): Wait {
  if (typeof v === 'string') return parseWait(v);
  const w = one(key, v);
  const minMs = w.min !== undefined ? duration(`${key}.min`, w.min) : 0;
  const maxMs = w.max !== undefined ? duration(`${key}.max`, w.max) : minMs * 4;
  if (maxMs < minMs) throw new ConfigError(`${key}: max must not be less than min`);
  return { minMs, maxMs };
}
function command(key: string, v: unknown): string | string[] {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v.length === 1 ? (v[0] as string) : (v as string[]);
  throw new ConfigError(`${key}: expected a string or a list of strings`);
}

function templateFrom(raw: Record<string, unknown>, i: number): TemplateConfig {
  const t = templateDefaults();
  const k = (name: string) => `template[${i}].${name}`;
  for (const [key, v] of Object.entries(raw)) {
    switch (key) {
      case 'source': t.source = str(k(key), v); break;
      case 'contents': t.contents = str(k(key), v); break;
      case 'destination': t.destination = str(k(key), v); break;
      case 'command': t.command = command(k(key), v); break;
      case 'command_timeout': t.commandTimeoutMs = duration(k(key), v); break;
      case 'perms': {
        const n = typeof v === 'string' ? parseInt(v, 8) : v;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0o7777) throw new ConfigError(`${k(key)}: expected a file mode like "0644"`);
        t.perms = n;
        break;
      }
      case 'backup': t.backup = bool(k(key), v); break;
      case 'error_on_missing_key': t.errorOnMissingKey = bool(k(key), v); break;
      case 'left_delimiter': t.leftDelimiter = str(k(key), v); break;
      case 'right_delimiter': t.rightDelimiter = str(k(key), v); break;
      case 'wait': t.wait = waitValue(k(key), v); break;
      case 'create_dest_dirs': t.createDestDirs = bool(k(key), v); break;
      case 'validate': t.validate = str(k(key), v); break;
      case 'min_instances': t.minInstances = int(k(key), v); break;
      case 'exec': {
        // consul-template's newer form of command/command_timeout.
        const e = one(k(key), v);
        if (e.command !== undefined) t.command = command(`${k(key)}.command`, e.command);
        if (e.timeout !== undefined) t.commandTimeoutMs = duration(`${k(key)}.timeout`, e.timeout);
        if (e.env !== undefined) applyEnv((t.commandEnv ??= emptyEnv()), `${k(key)}.env`, e.env);
        break;
      }
      case 'function_denylist':
      case 'function_blacklist':
        t.functionDenylist = [...(t.functionDenylist ?? []), ...strings(k(key), v)];
        break;
      case 'sandbox_path': t.sandboxPath = str(k(key), v); break;
      case 'user': t.user = str(k(key), v); break;
      case 'group': t.group = str(k(key), v); break;
      // The older numeric forms; user and group win over them, as in consul-template.
      case 'uid': t.user ??= String(int(k(key), v)); break;
      case 'gid': t.group ??= String(int(k(key), v)); break;
      // Accepted for compatibility, not used.
      case 'source_raw':
        break;
      default:
        throw new ConfigError(`${k(key)}: unknown key`);
    }
  }
  if (!t.destination) throw new ConfigError(`template[${i}]: destination is required`);
  const hasSource = t.source !== undefined && t.source !== '';
  if (hasSource === (t.contents !== undefined)) throw new ConfigError(`template[${i}]: set exactly one of source and contents`);
  return t;
}

const SSL_KEYS: Record<string, keyof SslConfig> = {
  enabled: 'enabled', verify: 'verify', cert: 'cert', key: 'key', ca_cert: 'caCert', ca_path: 'caPath', server_name: 'serverName',
};

function applySsl(ssl: SslConfig, block: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(block)) {
    const field = SSL_KEYS[k];
    if (field === undefined) throw new ConfigError(`consul.ssl.${k}: unknown key`);
    if (field === 'enabled' || field === 'verify') ssl[field] = bool(`consul.ssl.${k}`, v);
    else ssl[field] = str(`consul.ssl.${k}`, v);
  }
}

/** consul.auth: enabled when a username or password is given, unless `enabled = false`. */
function authBlock(block: Record<string, unknown>): RunnerConfig['consul']['auth'] {
  for (const k of Object.keys(block)) if (!['enabled', 'username', 'password'].includes(k)) throw new ConfigError(`consul.auth.${k}: unknown key`);
  const username = block.username === undefined ? '' : str('consul.auth.username', block.username);
  const password = block.password === undefined ? '' : str('consul.auth.password', block.password);
  const enabled = block.enabled === undefined ? username !== '' || password !== '' : bool('consul.auth.enabled', block.enabled);
  return enabled ? { username, password } : undefined;
}

/** -consul-auth "user[:password]". */
export function parseAuthFlag(v: string): { username: string; password: string } {
  const i = v.indexOf(':');
  return i < 0 ? { username: v, password: '' } : { username: v.slice(0, i), password: v.slice(i + 1) };
}

function applyDedup(d: DedupConfig, block: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(block)) {
    const key = `dedup.${k}`;
    switch (k) {
      case 'enabled': d.enabled = bool(key, v); break;
      case 'max_stale': d.maxStaleMs = duration(key, v); break;
      case 'prefix': d.prefix = str(key, v); break;
      case 'ttl': d.ttlMs = positiveDuration(key, v); break;
      case 'block_query_wait': d.blockWaitMs = positiveDuration(key, v); break;
      default: throw new ConfigError(`${key}: unknown key`);
    }
  }
}

// config/retry.go: attempts (0 = forever), backoff, max_backoff, enabled.
function applyRetry(r: RetryConfig, block: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(block)) {
    const key = `consul.retry.${k}`;
    switch (k) {
      case 'enabled': r.enabled = bool(key, v); break;
      case 'attempts': r.attempts = int(key, v); break;
      case 'backoff': r.backoffMs = duration(key, v); break;
      case 'max_backoff': r.maxBackoffMs = duration(key, v); break;
      default: throw new ConfigError(`${key}: unknown key`);
    }
  }
}

// config/exec.go and config/env.go: the env lists add up across files, as Go's Merge appends them.
function applyExec(e: ExecConfig, block: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(block)) {
    const key = `exec.${k}`;
    switch (k) {
      case 'command': e.command = command(key, v); break;
      case 'enabled': e.enabled = bool(key, v); break;
      case 'splay': e.splayMs = duration(key, v); break;
      case 'reload_signal': e.reloadSignal = signalValue(key, v); break;
      case 'kill_signal': e.killSignal = signalValue(key, v); break;
      case 'kill_timeout': e.killTimeoutMs = duration(key, v); break;
      case 'timeout': e.timeoutMs = duration(key, v); break;
      case 'env': applyEnv(e.env, key, v); break;
      default: throw new ConfigError(`${key}: unknown key`);
    }
  }
}

/** config/env.go's block (pristine, custom, allowlist, denylist), for the exec child and a template's command. */
function applyEnv(env: ExecEnvConfig, key: string, v: unknown): void {
  for (const [ek, ev] of Object.entries(one(key, v))) {
    const ekey = `${key}.${ek}`;
    switch (ek) {
      case 'pristine': env.pristine = bool(ekey, ev); break;
      case 'custom': env.custom.push(...strings(ekey, ev)); break;
      case 'allowlist': case 'whitelist': env.allowlist.push(...strings(ekey, ev)); break;
      case 'denylist': case 'blacklist': env.denylist.push(...strings(ekey, ev)); break;
      default: throw new ConfigError(`${ekey}: unknown key`);
    }
  }
}

export function emptyEnv(): ExecEnvConfig {
  return { pristine: false, custom: [], allowlist: [], denylist: [] };
}

function positiveDuration(key: string, v: unknown): number {
  const ms = duration(key, v);
  if (!(ms > 0)) throw new ConfigError(`${key}: must be more than 0`);
  return ms;
}

/** Applies a parsed config file (HCL or JSON object) onto `cfg`. */
export function applyConfigObject(cfg: RunnerConfig, raw: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(raw)) {
    switch (key) {
      case 'consul': {
        const c = one(key, v);
        for (const [ck, cv] of Object.entries(c)) {
          if (ck === 'address') cfg.consul.address = str('consul.address', cv);
          else if (ck === 'token') cfg.consul.token = str('consul.token', cv);
          else if (ck === 'token_file') cfg.consul.tokenFile = str('consul.token_file', cv);
          else if (ck === 'retry') applyRetry(cfg.consul.retry, one('consul.retry', cv));
          else if (ck === 'ssl') applySsl(cfg.consul.ssl, one('consul.ssl', cv));
          else if (ck === 'auth') cfg.consul.auth = authBlock(one('consul.auth', cv));
          else if (['transport', 'namespace', 'partition'].includes(ck)) cfg.ignored.push(`consul.${ck}`);
          else throw new ConfigError(`consul.${ck}: unknown key`);
        }
        break;
      }
      case 'wait': cfg.wait = waitValue(key, v); break;
      case 'template':
        cfg.templates.push(...blocks(key, v).map((b, i) => templateFrom(b, cfg.templates.length + i)));
        break;
      case 'log_level': cfg.logLevel = parseLogLevel(str(key, v)); break;
      case 'pid_file': cfg.pidFile = str(key, v); break;
      case 'exec': applyExec(cfg.exec, one(key, v)); break;
      case 'reload_signal': cfg.reloadSignal = signalValue(key, v); break;
      case 'kill_signal': cfg.killSignal = signalValue(key, v); break;
      case 'key_timeout': cfg.keyTimeoutMs = duration(key, v); break;
      case 'block_query_wait': cfg.blockWaitMs = duration(key, v); break;
      case 'once': cfg.once = bool(key, v); break;
      case 'dry': cfg.dry = bool(key, v); break;
      case 'max_stale': cfg.maxStaleMs = duration(key, v); break;
      case 'dedup': applyDedup(cfg.dedup, one(key, v)); break;
      case 'syslog': case 'vault': case 'nomad': case 'default_delimiters': case 'template_error_fatal': case 'err_on_failed_lookup':
        cfg.ignored.push(key);
        break;
      default:
        throw new ConfigError(`${key}: unknown key`);
    }
  }
}

/**
 * Reads a config file: JSON when it starts with `{` (or ends in .json), HCL otherwise.
 * A directory loads its .hcl and .json files in name order, as consul-template does.
 */
export function loadConfigFile(cfg: RunnerConfig, path: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  if (isDir) {
    for (const f of readdirSync(path).filter((n) => /\.(hcl|json)$/.test(n)).sort()) loadConfigFile(cfg, join(path, f));
    return;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as Error).message}`);
  }
  let raw: Record<string, unknown>;
  const trimmed = text.trim();
  if (path.endsWith('.json') || trimmed.startsWith('{')) {
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`${path}: invalid JSON: ${(e as Error).message}`);
    }
  } else {
    try {
      raw = parseHcl(text, path);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  try {
    applyConfigObject(cfg, raw);
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
}
