/**
 * Builds the runtime AgentConfig from merged sources: defaults, -dev, config files in
 * order, then flags (Consul's order), applying Consul's derived defaults and validation.
 */
import { stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseGoDuration, type AutopilotConfig } from '@proconsul/catalog';
import { parseAclConfig } from '../acl/config.js';
import { bootstrapConfigEntries } from '../config-entries/agent-config.js';
import { deprecatedTlsWarnings, parseHttpsTls, parseRpcTls } from '../tls/config.js';
import { ALLOW_TLS_WITHOUT_VERIFY_INCOMING, parseAutoEncrypt } from '../tls/auto-encrypt-config.js';
import { parseAutoConfig } from '../auto-config/config.js';
import { DecodeError } from '../checks/decode.js';
import {
  assertScriptChecksAllowed,
  isEmptyCheckType,
  parseCheckDefinition,
  validateCheckType,
} from '../checks/definition.js';
import { CheckDefinitionError, ScriptChecksDisabledError } from '../checks/errors.js';
import type { CheckDefinition, CheckType } from '../checks/types.js';
import { expandAddrs, expandFirstIP, isAnyAddress, privateIPv4s, type Interfaces, type NetworkHost, type NetworkReaders } from './addresses.js';
import { DEFAULT_SOURCE, DEV_SOURCE } from './defaults.js';
import { ConfigError } from './errors.js';
import { mergeFragments } from './merge.js';
import { multiError } from '../multi-error.js';
import { CONFIG_SPEC, IGNORED_KEYS } from './schema.js';
import { parseServiceDefinition } from './service.js';
import { connectConfig } from '../connect/config.js';
import { validateNodeService } from '../connect/validate-service.js';
import type { AgentConfig, DnsConfig, GossipTuning, HttpConfig, LogFileConfig, ServiceDefinition } from './types.js';
import {
  parseLogLevel,
  validateEncryptKey,
  validateNodeId,
  validateNodeMeta,
  validatePort,
} from './validate.js';

type Fragment = Record<string, unknown>;

/** Ignored keys that need no word: what they ask for is how this agent always behaves. */
const IGNORED_AS_ASKED = new Set(['disable_anonymous_signature', 'disable_update_check']);

/**
 * One warning per key Consul knows that this agent accepts and ignores, set by a config file or
 * a flag: nothing a configuration asks for is dropped without a word.
 */
function ignoredKeyWarnings(sources: readonly Fragment[]): string[] {
  // A dotted path into the blocks; a key may hold a dot itself (`telemetry.disable_compat_1.9`).
  const given = (s: Fragment, path: string): boolean => {
    let at: unknown = s;
    let rest = path;
    for (;;) {
      if (typeof at !== 'object' || at === null) return false;
      if (rest in at) return true;
      const dot = rest.indexOf('.');
      if (dot < 0) return false;
      at = (at as Record<string, unknown>)[rest.slice(0, dot)];
      rest = rest.slice(dot + 1);
    }
  };
  const set = new Set(IGNORED_KEYS.filter((k) => !IGNORED_AS_ASKED.has(k) && sources.some((s) => given(s, k))));
  return [...set].sort().map((k) => `Config key ${JSON.stringify(k)} is accepted and ignored by this agent (docs/reference/config.md)`);
}

/** Consul's log_file: a path ending in a separator names a directory, where the file is `consul.log`. */
function buildLogFile(c: Record<string, unknown>): LogFileConfig {
  const given = String(c['log_file']);
  return {
    path: given.endsWith('/') ? `${given}consul.log` : given,
    // Zero means the default, as in Consul.
    rotateMs: (c['log_rotate_duration'] !== undefined ? parseGoDuration(c['log_rotate_duration'] as string) : 0) || 24 * 3600_000,
    maxBytes: Number(c['log_rotate_bytes'] ?? 0),
    maxFiles: Number(c['log_rotate_max_files'] ?? 0),
  };
}

/** Consul's http_config; `allow_write_http_from` must hold CIDRs (Consul's builder text). */
function buildHttpConfig(h: Record<string, unknown>): HttpConfig {
  const allow = ((h['allow_write_http_from'] as string[] | undefined) ?? []).map((p) => p.trim());
  for (const cidr of allow) if (!isCidr(cidr)) throw new ConfigError(`allow_write_http_from: invalid cidr: ${cidr}`);
  return {
    responseHeaders: (h['response_headers'] as Record<string, string> | undefined) ?? {},
    blockEndpoints: (h['block_endpoints'] as string[] | undefined) ?? [],
    allowWriteHttpFrom: allow,
    useCache: h['use_cache'] !== false,
  };
}

/** dns_config.soa over Consul's defaults (its builder's RuntimeSOAConfig). */
function soaConfig(soa: Record<string, unknown>): DnsConfig['soa'] {
  const n = (key: string, dflt: number): number => (soa[key] === undefined ? dflt : Number(soa[key]));
  return { refresh: n('refresh', 3600), retry: n('retry', 600), expire: n('expire', 86400), minTtl: n('min_ttl', 0) };
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; undefined when it is none of these (a bare IPv6 address, say). */
function splitHostPort(text: string): { host: string; port?: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!m) return undefined;
  return m[2] === undefined ? { host: m[1]! } : { host: m[1]!, port: Number(m[2]) };
}

/** telemetry.statsd_address: `host:port` (`[v6]:port`); a bad one refuses the start. */
function statsdAddress(value: unknown): { statsd?: { host: string; port: number } } {
  if (value === undefined || value === '') return {};
  const hp = splitHostPort(String(value));
  const port = hp?.port ?? 0;
  if (!hp || !(port >= 1 && port <= 65535)) throw new ConfigError(`telemetry.statsd_address: ${JSON.stringify(String(value))} is not host:port`);
  return { statsd: { host: hp.host, port } };
}

/** Consul's dnsRecursorStrategyVal. */
function recursorStrategy(value: unknown): 'sequential' | 'random' {
  const v = String(value ?? '');
  if (v === 'random') return 'random';
  if (v === 'sequential' || v === '') return 'sequential';
  throw new ConfigError(`dns_config.recursor_strategy: invalid strategy: ${JSON.stringify(v)}`);
}

/** memberlist.ParseCIDRs, with its multierror text under the key (Consul's builder). */
function allowedCidrs(value: unknown, key: string): string[] {
  const cidrs = ((value as string[] | undefined) ?? []).map((p) => p.trim());
  const bad = cidrs.filter((c) => !isCidr(c));
  if (bad.length > 0) throw new ConfigError(`${key}: ${multiError(bad.map((c) => `invalid cidr: ${c}`))}`);
  return cidrs;
}

/** Go's net.ParseCIDR accepts it: an IPv4 or IPv6 address, a slash, a prefix length in range. */
function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const family = isIP(m[1]!);
  return family !== 0 && Number(m[2]) <= (family === 4 ? 32 : 128);
}

export interface BuildInput {
  dev: boolean;
  /** Config file fragments in the order read. */
  files: Array<{ file: string; fragment: Fragment }>;
  /** Fragment made from the command-line flags. */
  flags: Fragment;
  /** The -config-file and -config-dir paths as given. */
  configPaths?: string[];
  hostname: string;
  interfaces: Interfaces;
  /** Interface flags and the default route for go-sockaddr templates; absent: not known. */
  network?: NetworkReaders;
  warnings: string[];
  /** The servers' auto_config answer as a fragment: merged after the defaults, before the files. */
  autoConfig?: Fragment;
  /** For CONSUL_INTRO_TOKEN (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const DATACENTER = /^[a-z0-9_-]+$/;

/** A single `check` / `service` is added to the list before merging, as Consul does. */
function foldSingles(fragment: Fragment): Fragment {
  const out = { ...fragment };
  if (out.check !== undefined) {
    out.checks = [...((out.checks as unknown[] | undefined) ?? []), out.check];
    delete out.check;
  }
  if (out.service !== undefined) {
    out.services = [...((out.services as unknown[] | undefined) ?? []), out.service];
    delete out.service;
  }
  return out;
}

function fqdn(domain: string): string {
  return domain.endsWith('.') ? domain : `${domain}.`;
}

/**
 * A request size limit. Consul takes any uint64; ours must leave a forwarded request or a Raft
 * entry (the value in base64) within the 64 MiB RPC frame.
 */
const REQUEST_BYTES_LIMIT_MAX = 32 * 1024 * 1024;
function byteLimit(value: unknown, key: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > REQUEST_BYTES_LIMIT_MAX) throw new ConfigError(`${key} must be between 1 and ${REQUEST_BYTES_LIMIT_MAX} bytes, was: ${String(value)}`);
  return n;
}

function ms(value: unknown): number {
  return typeof value === 'string' ? parseGoDuration(value) : 0;
}

/** The `autopilot` block (defaults merged), checked as Consul's builder checks it. */
function autopilotConfig(a: Fragment): AutopilotConfig {
  const maxTrailingLogs = Number(a.max_trailing_logs);
  if (maxTrailingLogs < 0) throw new ConfigError(`autopilot.max_trailing_logs cannot be ${maxTrailingLogs}. Must be greater than or equal to zero`);
  const minQuorum = Number(a.min_quorum);
  if (minQuorum < 0) throw new ConfigError(`autopilot.min_quorum cannot be ${minQuorum}. Must be greater than or equal to zero`);
  return {
    CleanupDeadServers: a.cleanup_dead_servers === true,
    LastContactThresholdMs: ms(a.last_contact_threshold),
    MaxTrailingLogs: maxTrailingLogs,
    MinQuorum: minQuorum,
    ServerStabilizationTimeMs: ms(a.server_stabilization_time),
    RedundancyZoneTag: String(a.redundancy_zone_tag ?? ''),
    DisableUpgradeMigration: a.disable_upgrade_migration === true,
    UpgradeVersionTag: String(a.upgrade_version_tag ?? ''),
  };
}

/** sync_coordinate_* and consul.coordinate.*, checked as numbers that make sense. */
function coordinateConfig(c: Fragment): AgentConfig['coordinate'] {
  const rate = c.sync_coordinate_rate_target;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    throw new ConfigError(`sync_coordinate_rate_target: must be a non-negative number, got ${JSON.stringify(rate)}`);
  }
  const co = ((c.consul as Fragment | undefined)?.coordinate ?? {}) as Fragment;
  const positive = (key: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`consul.coordinate.${key}: must be a positive integer`);
    return v;
  };
  const updatePeriodMs = ms(co.update_period);
  if (!(updatePeriodMs > 0)) throw new ConfigError('consul.coordinate.update_period: must be a positive duration');
  return {
    disabled: c.disable_coordinates === true,
    syncRateTarget: rate,
    syncIntervalMinMs: ms(c.sync_coordinate_interval_min),
    updatePeriodMs,
    updateBatchSize: positive('update_batch_size', co.update_batch_size),
    updateMaxBatches: positive('update_max_batches', co.update_max_batches),
  };
}

/** gossip_lan / gossip_wan: only the keys given; each must be positive (a zero interval would stop the pool). */
function gossipTuning(value: unknown, key: string): GossipTuning {
  const g = (value ?? {}) as Record<string, unknown>;
  const out: GossipTuning = {};
  const set = (name: string, field: keyof GossipTuning, duration: boolean): void => {
    if (g[name] === undefined) return;
    const n = duration ? ms(g[name]) : Number(g[name]);
    if (!(n > 0)) throw new ConfigError(`${key}.${name} must be positive`);
    out[field] = n;
  };
  set('gossip_nodes', 'gossipNodes', false);
  set('gossip_interval', 'gossipIntervalMs', true);
  set('probe_interval', 'probeIntervalMs', true);
  set('probe_timeout', 'probeTimeoutMs', true);
  set('retransmit_mult', 'retransmitMult', false);
  set('suspicion_mult', 'suspicionMult', false);
  if (out.probeTimeoutMs !== undefined && out.probeIntervalMs !== undefined && out.probeTimeoutMs >= out.probeIntervalMs) {
    throw new ConfigError(`${key}.probe_timeout must be shorter than ${key}.probe_interval`);
  }
  return out;
}

function describeCheckError(err: unknown): string {
  if (err instanceof CheckDefinitionError || err instanceof DecodeError || err instanceof ScriptChecksDisabledError) {
    return err.message;
  }
  throw err;
}

function normaliseServices(raw: unknown[], policy: { enableScriptChecks: boolean; enableLocalScriptChecks: boolean }): ServiceDefinition[] {
  return raw.map((item, i) => {
    let service: ServiceDefinition;
    try {
      service = parseServiceDefinition(item, `services[${i}]`);
    } catch (err) {
      throw new ConfigError(`services[${i}]: ${describeCheckError(err)}`);
    }
    if (service.Name === '') throw new ConfigError(`services[${i}]: Missing service name`);
    // Consul's builder runs ServiceDefinition.Validate (NodeService.Validate) on each service.
    const meshErrors = validateNodeService(service);
    if (meshErrors.length > 0) throw new ConfigError(`service ${JSON.stringify(service.Name)}: ${multiError(meshErrors)}`);
    const checks: CheckType[] = [
      ...(service.Check !== undefined && !isEmptyCheckType(service.Check) ? [service.Check] : []),
      ...(service.Checks ?? []),
    ];
    for (const check of checks) {
      try {
        validateCheckType(check);
        assertScriptChecksAllowed(check, { ...policy, source: 'local' });
      } catch (err) {
        const prefix = err instanceof ScriptChecksDisabledError ? '' : 'Invalid check: ';
        throw new ConfigError(`Failed to register service ${JSON.stringify(service.Name)}: ${prefix}${describeCheckError(err)}`);
      }
    }
    return service;
  });
}

function normaliseChecks(raw: unknown[], policy: { enableScriptChecks: boolean; enableLocalScriptChecks: boolean }): CheckDefinition[] {
  return raw.map((item, i) => {
    let check: CheckDefinition;
    try {
      check = parseCheckDefinition(item, `checks[${i}]`);
    } catch (err) {
      throw new ConfigError(`checks[${i}]: ${describeCheckError(err)}`);
    }
    if (!check.Name) throw new ConfigError(`checks[${i}]: Missing check name`);
    try {
      validateCheckType(check);
      assertScriptChecksAllowed(check, { ...policy, source: 'local' });
    } catch (err) {
      const prefix = err instanceof ScriptChecksDisabledError ? '' : 'Invalid check: ';
      throw new ConfigError(`Failed to register check ${JSON.stringify(check.Name)}: ${prefix}${describeCheckError(err)}`);
    }
    return check;
  });
}

export async function buildConfig(input: BuildInput): Promise<AgentConfig> {
  const { dev, warnings } = input;
  let merged = mergeFragments({}, DEFAULT_SOURCE, CONFIG_SPEC);
  if (dev) merged = mergeFragments(merged, DEV_SOURCE, CONFIG_SPEC);
  if (input.autoConfig) merged = mergeFragments(merged, input.autoConfig, CONFIG_SPEC);
  for (const { fragment } of input.files) merged = mergeFragments(merged, foldSingles(fragment), CONFIG_SPEC);
  merged = mergeFragments(merged, input.flags, CONFIG_SPEC);
  // The merged fragment has the shapes CONFIG_SPEC decodes to; read it loosely here.
  const c = merged as Record<string, any>;
  warnings.push(...ignoredKeyWarnings([...input.files.map((f) => f.fragment), input.flags]));

  // ---- identity and mode
  const datacenter = String(c.datacenter).toLowerCase();
  if (datacenter === '') throw new ConfigError('datacenter cannot be empty');
  if (!DATACENTER.test(datacenter)) {
    throw new ConfigError(`datacenter cannot be ${JSON.stringify(datacenter)}. Please use only [a-z0-9-_]`);
  }
  // acl_datacenter is the pre-1.4 name of primary_datacenter (Consul's applyDeprecatedConfig).
  const primaryRaw = c.primary_datacenter ?? c.acl_datacenter;
  const primaryDatacenter = primaryRaw !== undefined && primaryRaw !== null && primaryRaw !== '' ? String(primaryRaw).toLowerCase() : datacenter;
  if (!DATACENTER.test(primaryDatacenter)) {
    throw new ConfigError(`primary_datacenter cannot be ${JSON.stringify(primaryDatacenter)}. Please use only [a-z0-9-_]`);
  }

  const dataDir = dev ? '' : String(c.data_dir ?? '');
  if (!dev) {
    if (dataDir === '') throw new ConfigError('data_dir cannot be empty');
    const info = await stat(dataDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new ConfigError(`Error getting info on data_dir: ${err.message}`);
    });
    if (info !== undefined && !info.isDirectory()) throw new ConfigError(`data_dir ${JSON.stringify(dataDir)} is not a directory`);
  }

  const nodeName = String(c.node_name ?? input.hostname);
  if (nodeName === '') throw new ConfigError('node_name cannot be empty');
  if (!/^[a-zA-Z0-9-]{1,63}$/.test(nodeName)) {
    warnings.push(`Node name ${JSON.stringify(nodeName)} will not be discoverable via DNS due to invalid characters. Valid characters include all alpha-numerics and dashes.`);
  }
  const nodeId = String(c.node_id ?? '');
  if (nodeId !== '') validateNodeId(nodeId);

  const server = c.server === true;
  let bootstrap = c.bootstrap === true;
  let bootstrapExpect = Number(c.bootstrap_expect);
  // Consul turns bootstrap_expect = 1 into bootstrap mode before validating (builder.go), so
  // `-dev -bootstrap-expect 1` starts.
  if (bootstrapExpect === 1) {
    bootstrap = true;
    bootstrapExpect = 0;
    warnings.push('BootstrapExpect is set to 1; this is the same as Bootstrap mode.');
  }
  if (bootstrap && !server) throw new ConfigError("'bootstrap = true' requires 'server = true'");
  if (bootstrapExpect < 0) {
    throw new ConfigError(`bootstrap_expect cannot be ${bootstrapExpect}. Must be greater than or equal to zero`);
  }
  if (bootstrapExpect > 0 && !server) throw new ConfigError("'bootstrap_expect > 0' requires 'server = true'");
  if (bootstrapExpect > 0 && dev) throw new ConfigError("'bootstrap_expect > 0' not allowed in dev mode");
  if (bootstrapExpect > 0 && bootstrap) {
    throw new ConfigError("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive");
  }
  warnings.push(...deprecatedTlsWarnings(c as Fragment));
  if (server && !dev && bootstrap) warnings.push('bootstrap = true: do not enable unless necessary');
  if (server && !bootstrap && bootstrapExpect === 2) {
    warnings.push('bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance.');
  }
  if (server && !bootstrap && bootstrapExpect > 2 && bootstrapExpect % 2 === 0) {
    warnings.push('bootstrap_expect is even number: A cluster with an even number of servers does not achieve optimum fault tolerance.');
  }

  // ---- addresses
  const addrHost: NetworkHost = { interfaces: input.interfaces, ...input.network };
  const bindAddr = expandFirstIP(String(c.bind_addr), 'bind_addr', addrHost);
  let advertiseAddr: string;
  if (c.advertise_addr !== undefined) {
    advertiseAddr = expandFirstIP(String(c.advertise_addr), 'advertise_addr', addrHost);
  } else if (bindAddr === '0.0.0.0') {
    const found = privateIPv4s(input.interfaces);
    if (found.length === 0) throw new ConfigError('No private IPv4 address found');
    if (found.length > 1) {
      throw new ConfigError("Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.");
    }
    advertiseAddr = found[0] as string;
  } else if (isAnyAddress(bindAddr)) {
    throw new ConfigError("bind_addr is ::, so an IPv6 address must be given with 'advertise'");
  } else {
    advertiseAddr = bindAddr;
  }
  if (isAnyAddress(advertiseAddr)) throw new ConfigError('Advertise address cannot be 0.0.0.0, :: or [::]');
  const advertiseAddrWan =
    c.advertise_addr_wan !== undefined ? expandFirstIP(String(c.advertise_addr_wan), 'advertise_addr_wan', addrHost) : advertiseAddr;
  if (isAnyAddress(advertiseAddrWan)) throw new ConfigError('Advertise WAN address cannot be 0.0.0.0, :: or [::]');
  // Consul's builder: each family's address must be of that family.
  const familyAddr = (key: string, v4: boolean): string => {
    if (c[key] === undefined) return '';
    const addr = expandFirstIP(String(c[key]), key, addrHost);
    if ((isIP(addr) === 4) !== v4) throw new ConfigError(`${key} must be an ${v4 ? 'ipv4' : 'ipv6'} address`);
    return addr;
  };
  const serfBindLan = c.serf_lan !== undefined ? expandFirstIP(String(c.serf_lan), 'serf_lan', addrHost) : bindAddr;
  const serfBindWan = c.serf_wan !== undefined ? expandFirstIP(String(c.serf_wan), 'serf_wan', addrHost) : bindAddr;

  const clientAddrs = expandAddrs(String(c.client_addr), 'client_addr', addrHost);
  const httpAddrs = c.addresses?.http !== undefined ? expandAddrs(String(c.addresses.http), 'addresses.http', addrHost) : clientAddrs;
  const dnsAddrs = c.addresses?.dns !== undefined ? expandAddrs(String(c.addresses.dns), 'addresses.dns', addrHost) : clientAddrs;

  // ---- ports
  const p = c.ports as Record<string, number>;
  const ports = {
    http: p.http as number,
    https: p.https as number,
    dns: p.dns as number,
    server: p.server as number,
    serfLan: p.serf_lan as number,
    serfWan: p.serf_wan as number,
    grpc: p.grpc as number,
    // Consul's builder turns an explicit 0 into -1: automatic sidecar ports disabled.
    sidecarMinPort: (p.sidecar_min_port as number) || -1,
    sidecarMaxPort: (p.sidecar_max_port as number) || -1,
  };
  validatePort('ports.http', ports.http, true);
  validatePort('ports.https', ports.https, true);
  validatePort('ports.dns', ports.dns, true);
  validatePort('ports.grpc', ports.grpc, true);
  validatePort('ports.server', ports.server, false);
  validatePort('ports.serf_lan', ports.serfLan, false);
  validatePort('ports.serf_wan', ports.serfWan, true);

  // Consul's addrsUnique: no two listeners on one address and port.
  const inUse = new Map<string, string>();
  const claim = (name: string, addrs: string[], port: number): void => {
    if (port <= 0) return;
    for (const a of addrs) {
      const key = a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
      const other = inUse.get(key);
      if (other !== undefined) throw new ConfigError(`${name} address ${key} already configured for ${other}`);
      inUse.set(key, name);
    }
  };
  claim('DNS', dnsAddrs, ports.dns);
  claim('HTTP', httpAddrs, ports.http);
  claim('HTTPS', httpAddrs, ports.https);

  // ---- DNS
  const domain = fqdn(String(c.domain));
  const altDomain = c.alt_domain !== undefined && c.alt_domain !== '' ? fqdn(String(c.alt_domain)) : '';
  const d = c.dns_config as Record<string, unknown>;
  const udpAnswerLimit = Number(d.udp_answer_limit);
  const aRecordLimit = Number(d.a_record_limit);
  if (udpAnswerLimit < 0) {
    throw new ConfigError(`dns_config.udp_answer_limit cannot be ${udpAnswerLimit}. Must be greater than or equal to zero`);
  }
  if (aRecordLimit < 0) {
    throw new ConfigError(`dns_config.a_record_limit cannot be ${aRecordLimit}. Must be greater than or equal to zero`);
  }
  const serviceTtlMs = Object.fromEntries(
    Object.entries((d.service_ttl as Record<string, string> | undefined) ?? {}).map(([name, ttl]) => {
      try {
        return [name, parseGoDuration(ttl)];
      } catch (err) {
        throw new ConfigError(`dns_config.service_ttl: invalid duration for ${JSON.stringify(name)}: ${(err as Error).message}`);
      }
    }),
  );
  const recursors = (c.recursors as string[] | undefined) ?? [];
  for (const r of recursors) {
    const hp = splitHostPort(r);
    if (isAnyAddress(hp?.host ?? r)) throw new ConfigError('DNS recursor address cannot be 0.0.0.0, :: or [::]');
    if (hp === undefined && !/^[0-9a-fA-F:]+$/.test(r)) throw new ConfigError(`recursors: invalid address: ${r}`);
  }

  // ---- the rest
  const logLevel = parseLogLevel(String(c.log_level));
  const encrypt = String(c.encrypt ?? '');
  if (encrypt !== '') validateEncryptKey(encrypt);
  const advertiseReconnectTimeoutMs = ms(c.advertise_reconnect_timeout);
  if ((server || dev) && advertiseReconnectTimeoutMs !== 0) throw new ConfigError('advertise_reconnect_timeout can only be used on a client');
  const nodeMeta = (c.node_meta as Record<string, string> | undefined) ?? {};
  validateNodeMeta(nodeMeta);
  const enableScriptChecks = c.enable_script_checks === true;
  const enableLocalScriptChecks = c.enable_local_script_checks ?? enableScriptChecks;
  const checkOutputMaxSize = Number(c.check_output_max_size);
  if (checkOutputMaxSize < 1) throw new ConfigError('check_output_max_size must be positive, to discard check output use the discard_check_output flag');
  const autopilot = autopilotConfig(c.autopilot as Fragment);
  // Consul (go-connlimit): 0 turns a limit off.
  const limits = {
    httpMaxConnsPerClient: Number(c.limits?.http_max_conns_per_client),
    rpcMaxConnsPerClient: Number(c.limits?.rpc_max_conns_per_client),
    kvMaxValueSize: byteLimit(c.limits?.kv_max_value_size, 'limits.kv_max_value_size'),
    txnMaxReqLen: byteLimit(c.limits?.txn_max_req_len, 'limits.txn_max_req_len'),
  };
  const policy = { enableScriptChecks, enableLocalScriptChecks: enableLocalScriptChecks === true };
  const acl = parseAclConfig(c as Fragment);
  const ui = c.ui_config?.enabled ?? c.ui ?? false;
  const autoEncrypt = parseAutoEncrypt(c as Fragment, server || dev, warnings);
  // tlsutil's AutoTLS: auto_encrypt.tls or auto_config.enabled (the certificate comes from the servers).
  const autoTls = autoEncrypt.tls || c.auto_config?.enabled === true;
  const rpcTls = parseRpcTls(c as Fragment, datacenter, domain, autoTls);
  if (autoEncrypt.allowTls && !rpcTls.verifyIncoming) warnings.push(ALLOW_TLS_WITHOUT_VERIFY_INCOMING);
  const autoConfig = await parseAutoConfig(c as Fragment, {
    server: server || dev, verifyOutgoing: rpcTls.verifyOutgoing, certFile: rpcTls.certFile, aclsEnabled: acl.enabled,
    tokenReplication: acl.enableTokenReplication, datacenter, primaryDatacenter, env: input.env ?? process.env,
  }, warnings);

  const config: AgentConfig = {
    dev,
    server,
    bootstrap,
    bootstrapExpect,
    datacenter,
    primaryDatacenter,
    nodeName,
    nodeId,
    dataDir,
    bindAddr,
    serfBindLan,
    serfBindWan,
    serfAllowedCidrsLan: allowedCidrs(c.serf_lan_allowed_cidrs, 'serf_lan_allowed_cidrs'),
    serfAllowedCidrsWan: allowedCidrs(c.serf_wan_allowed_cidrs, 'serf_wan_allowed_cidrs'),
    advertiseAddr,
    advertiseAddrWan,
    advertiseAddrIpv4: familyAddr('advertise_addr_ipv4', true),
    advertiseAddrIpv6: familyAddr('advertise_addr_ipv6', false),
    advertiseAddrWanIpv4: familyAddr('advertise_addr_wan_ipv4', true),
    advertiseAddrWanIpv6: familyAddr('advertise_addr_wan_ipv6', false),
    taggedAddresses: (c.tagged_addresses as Record<string, string> | undefined) ?? {},
    clientAddrs,
    httpAddrs,
    dnsAddrs,
    ports,
    domain,
    altDomain,
    ui: ui === true,
    logLevel,
    logJson: c.log_json === true,
    ...(c.log_file ? { logFile: buildLogFile(c) } : {}),
    enableCentralServiceConfig: c.enable_central_service_config !== false,
    enableScriptChecks,
    enableLocalScriptChecks: enableLocalScriptChecks === true,
    acl,
    httpsTls: parseHttpsTls(c as Fragment, ports.https, autoTls),
    rpcTls,
    autoEncrypt,
    autoConfig,
    encrypt,
    encryptVerifyIncoming: c.encrypt_verify_incoming !== false,
    encryptVerifyOutgoing: c.encrypt_verify_outgoing !== false,
    disableKeyringFile: c.disable_keyring_file === true,
    // Consul 1.17: on unless set to false (agent/config/default.go).
    disableRemoteExec: c.disable_remote_exec !== false,
    reconnectTimeoutLanMs: ms(c.reconnect_timeout),
    reconnectTimeoutWanMs: ms(c.reconnect_timeout_wan),
    advertiseReconnectTimeoutMs,
    recursors,
    startJoin: (c.start_join as string[] | undefined) ?? [],
    retryJoin: (c.retry_join as string[] | undefined) ?? [],
    retryIntervalMs: ms(c.retry_interval),
    retryMaxAttempts: Number(c.retry_max),
    startJoinWan: (c.start_join_wan as string[] | undefined) ?? [],
    retryJoinWan: (c.retry_join_wan as string[] | undefined) ?? [],
    retryIntervalWanMs: ms(c.retry_interval_wan),
    retryMaxAttemptsWan: Number(c.retry_max_wan),
    gossipLan: gossipTuning(c.gossip_lan, 'gossip_lan'),
    gossipWan: gossipTuning(c.gossip_wan, 'gossip_wan'),
    nodeMeta,
    pidFile: String(c.pid_file ?? ''),
    // Consul: servers stay in the cluster on SIGTERM and leave on SIGINT unless told otherwise; clients the reverse.
    leaveOnTerminate: c.leave_on_terminate ?? !server,
    skipLeaveOnInterrupt: c.skip_leave_on_interrupt ?? server,
    rejoinAfterLeave: c.rejoin_after_leave === true,
    translateWanAddrs: c.translate_wan_addrs === true,
    disableHostNodeId: c.disable_host_node_id !== false,
    checkOutputMaxSize,
    discardCheckOutput: c.discard_check_output === true,
    queryTimes: { defaultMs: parseGoDuration(c.default_query_time as string), maxMs: parseGoDuration(c.max_query_time as string) },
    discoveryMaxStaleMs: ms(c.discovery_max_stale),
    rpcHoldTimeoutMs: ms(c.performance?.rpc_hold_timeout),
    // Zero keeps the default, as Consul's server config does.
    sessionTtlMinMs: parseGoDuration(c.session_ttl_min as string) || 10_000,
    limits,
    raftSnapshotIntervalMs: ms(c.raft_snapshot_interval),
    raftSnapshotThreshold: Number(c.raft_snapshot_threshold),
    autopilot,
    configEntriesBootstrap: bootstrapConfigEntries(c.config_entries as { bootstrap?: unknown } | undefined),
    coordinate: coordinateConfig(c as Fragment),
    // auto_encrypt.allow_tls turns Connect on (Consul's builder: the CA signs the agents' certificates).
    connect: { ...connectConfig(c.connect as Record<string, unknown> | undefined), ...(autoEncrypt.allowTls ? { enabled: true } : {}) },
    dnsConfig: {
      allowStale: d.allow_stale === true,
      maxStaleMs: ms(d.max_stale),
      nodeTtlMs: ms(d.node_ttl),
      serviceTtlMs,
      onlyPassing: d.only_passing === true,
      enableTruncate: d.enable_truncate === true,
      udpAnswerLimit,
      aRecordLimit,
      recursorTimeoutMs: ms(d.recursor_timeout),
      disableCompression: d.disable_compression === true,
      enableAdditionalNodeMetaTxt: d.enable_additional_node_meta_txt !== false,
      recursorStrategy: recursorStrategy(d.recursor_strategy),
      soa: soaConfig((d.soa ?? {}) as Record<string, unknown>),
      useCache: d.use_cache === true,
      cacheMaxAgeMs: ms(d.cache_max_age),
    },
    telemetry: {
      prometheusRetentionTimeMs: ms(c.telemetry?.prometheus_retention_time),
      disableHostname: c.telemetry?.disable_hostname === true,
      metricsPrefix: String(c.telemetry?.metrics_prefix ?? 'consul'),
      ...statsdAddress(c.telemetry?.statsd_address),
    },
    services: normaliseServices((c.services as unknown[] | undefined) ?? [], policy),
    watches: (c.watches as Record<string, unknown>[] | undefined) ?? [],
    checkUpdateIntervalMs: ms(c.check_update_interval),
    disableHttpUnprintableCharFilter: c.disable_http_unprintable_char_filter === true,
    httpConfig: buildHttpConfig((c.http_config as Record<string, unknown> | undefined) ?? {}),
    checks: normaliseChecks((c.checks as unknown[] | undefined) ?? [], policy),
    configFiles: input.files.map((f) => f.file),
    configPaths: input.configPaths ?? [],
    autoReloadConfig: c.auto_reload_config === true,
    warnings,
  };
  return config;
}
