import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interfaces } from './addresses.js';
import type { LoadConfigHost } from './load.js';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';

const iface = (address: string): Interfaces[string] => [
  { address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/24` },
];
const LOOPBACK = [
  { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
];
const HOST: LoadConfigHost = { hostname: 'test-host', interfaces: { lo: LOOPBACK, eth0: iface('10.1.2.3') } };

let dir: string;
let dataDir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'proconsul-config-'));
  dataDir = path.join(dir, 'data');
  await mkdir(dataDir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: unknown): Promise<string> {
  const p = path.join(dir, name);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

const load = (argv: string[], host: LoadConfigHost = HOST) => loadConfig(argv, {}, host);

describe('defaults', () => {
  it('are Consul\'s', async () => {
    const c = await load(['-data-dir', dataDir]);
    expect(c).toMatchObject({
      dev: false,
      server: false,
      bootstrap: false,
      bootstrapExpect: 0,
      datacenter: 'dc1',
      primaryDatacenter: 'dc1',
      nodeName: 'test-host',
      nodeId: '',
      dataDir,
      bindAddr: '0.0.0.0',
      advertiseAddr: '10.1.2.3',
      advertiseAddrWan: '10.1.2.3',
      clientAddrs: ['127.0.0.1'],
      httpAddrs: ['127.0.0.1'],
      dnsAddrs: ['127.0.0.1'],
      ports: { http: 8500, https: -1, dns: 8600, server: 8300, serfLan: 8301, serfWan: 8302, grpc: -1, sidecarMinPort: 21000, sidecarMaxPort: 21255 },
      domain: 'consul.',
      altDomain: '',
      ui: false,
      logLevel: 'info',
      logJson: false,
      enableScriptChecks: false,
      enableLocalScriptChecks: false,
      encrypt: '',
      encryptVerifyIncoming: true,
      encryptVerifyOutgoing: true,
      disableKeyringFile: false,
      disableRemoteExec: true,
      reconnectTimeoutLanMs: 0,
      reconnectTimeoutWanMs: 0,
      advertiseReconnectTimeoutMs: 0,
      serfBindLan: '0.0.0.0',
      serfBindWan: '0.0.0.0',
      recursors: [],
      retryJoin: [],
      retryIntervalMs: 30_000,
      retryMaxAttempts: 0,
      nodeMeta: {},
      pidFile: '',
      leaveOnTerminate: true,
      skipLeaveOnInterrupt: false,
      checkOutputMaxSize: 4096,
      dnsConfig: {
        allowStale: true,
        maxStaleMs: 87_600 * 3_600_000,
        nodeTtlMs: 0,
        serviceTtlMs: {},
        onlyPassing: false,
        enableTruncate: false,
        udpAnswerLimit: 3,
        aRecordLimit: 0,
        recursorTimeoutMs: 2_000,
        disableCompression: false,
        enableAdditionalNodeMetaTxt: true,
      },
      telemetry: { prometheusRetentionTimeMs: 60_000, disableHostname: false, metricsPrefix: 'consul' },
      services: [],
      checks: [],
      configFiles: [],
    });
  });

  it('-dev is an in-memory server that bootstraps itself on 127.0.0.1 with the UI', async () => {
    const c = await load(['-dev']);
    expect(c).toMatchObject({
      dev: true,
      server: true,
      bootstrap: true,
      dataDir: '',
      bindAddr: '127.0.0.1',
      advertiseAddr: '127.0.0.1',
      clientAddrs: ['127.0.0.1'],
      ui: true,
      logLevel: 'debug',
      ports: { http: 8500, dns: 8600, server: 8300, grpc: 8502 },
      leaveOnTerminate: false,
      skipLeaveOnInterrupt: true,
    });
  });

  it('flags override -dev defaults', async () => {
    const c = await load(['-dev', '-bind', '127.0.8.5', '-client', '127.0.8.6', '-ui=false', '-log-level', 'WARN']);
    expect(c).toMatchObject({ bindAddr: '127.0.8.5', advertiseAddr: '127.0.8.5', clientAddrs: ['127.0.8.6'], ui: false, logLevel: 'warn' });
  });

  it('reads gossip_wan / gossip_lan tuning and the WAN join keys', async () => {
    const c = await load(['-dev', '-hcl', 'gossip_wan { probe_interval = "500ms" probe_timeout = "250ms" suspicion_mult = 2 } gossip_lan { gossip_nodes = 5 }', '-retry-join-wan', '127.0.8.9', '-retry-max-wan', '3']);
    expect(c.gossipWan).toEqual({ probeIntervalMs: 500, probeTimeoutMs: 250, suspicionMult: 2 });
    expect(c.gossipLan).toEqual({ gossipNodes: 5 });
    expect(c).toMatchObject({ retryJoinWan: ['127.0.8.9'], retryMaxAttemptsWan: 3, retryIntervalWanMs: 30_000 });
    await expect(load(['-dev', '-hcl', 'gossip_wan { probe_interval = "0s" }'])).rejects.toThrow('gossip_wan.probe_interval must be positive');
    await expect(load(['-dev', '-hcl', 'gossip_wan { probe_interval = "1s" probe_timeout = "2s" }'])).rejects.toThrow('gossip_wan.probe_timeout must be shorter than gossip_wan.probe_interval');
  });

  it('reads the gossip keys: encryption rollout, keyring file, reconnect timeouts and serf binds', async () => {
    const f = await file('gossip.json', {
      encrypt_verify_incoming: false, encrypt_verify_outgoing: false, reconnect_timeout: '8h', reconnect_timeout_wan: '96h',
      advertise_reconnect_timeout: '15m', serf_wan: '127.0.0.9',
    });
    const c = await load(['-data-dir', dataDir, '-bind', '127.0.0.5', '-config-file', f, '-disable-keyring-file', '-serf-lan-bind', '127.0.0.6']);
    expect(c).toMatchObject({
      encryptVerifyIncoming: false, encryptVerifyOutgoing: false, disableKeyringFile: true,
      reconnectTimeoutLanMs: 8 * 3600_000, reconnectTimeoutWanMs: 96 * 3600_000, advertiseReconnectTimeoutMs: 15 * 60_000,
      serfBindLan: '127.0.0.6', serfBindWan: '127.0.0.9',
    });
    expect(c.warnings.filter((w) => w.includes('ignored'))).toEqual([]);
    // Consul's builder: a server cannot advertise its own reconnect timeout.
    await expect(load(['-data-dir', dataDir, '-server', '-config-file', f])).rejects.toThrow(new ConfigError('advertise_reconnect_timeout can only be used on a client'));
    await expect(load(['-data-dir', dataDir, '-hcl', 'reconnect_timeout = "soon"'])).rejects.toThrow(/reconnect_timeout/);
  });

  it("reads the autopilot block over Consul's defaults, and refuses negative counts as Consul does", async () => {
    expect((await load(['-dev'])).autopilot).toEqual({
      CleanupDeadServers: true, LastContactThresholdMs: 200, MaxTrailingLogs: 250, MinQuorum: 0, ServerStabilizationTimeMs: 10_000,
      RedundancyZoneTag: '', DisableUpgradeMigration: false, UpgradeVersionTag: '',
    });
    const c = await load(['-dev', '-hcl', 'autopilot { cleanup_dead_servers = false last_contact_threshold = "1s" min_quorum = 3 upgrade_version_tag = "build" }']);
    expect(c.autopilot).toMatchObject({ CleanupDeadServers: false, LastContactThresholdMs: 1000, MaxTrailingLogs: 250, MinQuorum: 3, UpgradeVersionTag: 'build' });
    await expect(load(['-dev', '-hcl', 'autopilot { max_trailing_logs = -1 }'])).rejects.toThrow('autopilot.max_trailing_logs cannot be -1. Must be greater than or equal to zero');
    await expect(load(['-dev', '-hcl', 'autopilot { server_stabilization_time = "soon" }'])).rejects.toThrow(/autopilot\.server_stabilization_time/);
  });

  it('needs a data dir outside -dev', async () => {
    await expect(load(['-server'])).rejects.toThrow(new ConfigError('data_dir cannot be empty'));
    const f = await file('not-a-dir', '');
    await expect(load(['-data-dir', f])).rejects.toThrow(`data_dir ${JSON.stringify(f)} is not a directory`);
  });
});

describe('advertise address detection with bind 0.0.0.0', () => {
  it('fails like Consul without exactly one private IPv4', async () => {
    await expect(load(['-data-dir', dataDir], { hostname: 'h', interfaces: { lo: LOOPBACK } })).rejects.toThrow(
      'No private IPv4 address found',
    );
    await expect(
      load(['-data-dir', dataDir], { hostname: 'h', interfaces: { eth0: iface('10.0.0.2'), docker0: iface('172.17.0.1') } }),
    ).rejects.toThrow("Multiple private IPv4 addresses found. Please configure one with 'bind' and/or 'advertise'.");
  });

  it('is not needed with -bind or -advertise', async () => {
    const none: LoadConfigHost = { hostname: 'h', interfaces: { lo: LOOPBACK } };
    expect((await load(['-data-dir', dataDir, '-bind', '127.0.8.1'], none)).advertiseAddr).toBe('127.0.8.1');
    expect((await load(['-data-dir', dataDir, '-advertise', '127.0.8.2'], none)).advertiseAddr).toBe('127.0.8.2');
    expect((await load(['-data-dir', dataDir, '-bind', '{{ GetInterfaceIP "eth0" }}'], HOST)).bindAddr).toBe('10.1.2.3');
  });

  it('evaluates go-sockaddr templates in every address key, with the injected host facts', async () => {
    const host: LoadConfigHost = {
      hostname: 'h',
      interfaces: { lo: LOOPBACK, eth0: iface('10.1.2.3'), eth1: iface('192.168.5.5') },
      network: { defaultInterface: () => 'eth1' },
    };
    const hcl = [
      'bind_addr = "{{ GetDefaultInterfaces | include \\"type\\" \\"IPv4\\" | attr \\"address\\" }}"',
      'advertise_addr = "{{ GetPrivateInterfaces | include \\"network\\" \\"10.0.0.0/8\\" | attr \\"address\\" }}"',
      'client_addr = "127.0.0.1 {{ GetInterfaceIP \\"eth0\\" }}"',
      'serf_lan = "{{ GetPrivateIP }}"',
    ].join('\n');
    const c = await load(['-data-dir', dataDir, '-hcl', hcl], host);
    expect(c).toMatchObject({ bindAddr: '192.168.5.5', advertiseAddr: '10.1.2.3', clientAddrs: ['127.0.0.1', '10.1.2.3'], serfBindLan: '192.168.5.5' });
    await expect(load(['-data-dir', dataDir, '-bind', '127.0.8.1', '-client', '{{ GetAllInterfaces | sort "speed" }}'], host)).rejects.toThrow(
      'client_addr: error parsing "{{ GetAllInterfaces | sort \\"speed\\" }}": unable to execute sockaddr input',
    );
  });
});

describe('config files', () => {
  it('read Consul\'s snake_case keys and merge files in order, then flags', async () => {
    const a = await file('merge/a.json', {
      datacenter: 'East',
      data_dir: dataDir,
      node_name: 'from-file',
      server: true,
      bootstrap_expect: 3,
      bind_addr: '127.0.8.1',
      client_addr: '127.0.8.2 127.0.8.3',
      ports: { http: 18500, dns: 18600 },
      addresses: { http: '127.0.8.4' },
      retry_join: ['127.0.8.10'],
      node_meta: { rack: 'r1', zone: 'a' },
      recursors: ['1.1.1.1'],
      dns_config: { node_ttl: '10s', service_ttl: { '*': '5s', web: '30s' }, only_passing: true, udp_answer_limit: 5 },
      ui_config: { enabled: true },
      enable_script_checks: true,
      encrypt: Buffer.alloc(32, 7).toString('base64'),
      log_level: 'debug',
      pid_file: '/tmp/x.pid',
      telemetry: { prometheus_retention_time: '60s', disable_hostname: true },
    });
    const b = await file('merge/b.json', {
      node_name: 'from-b',
      retry_join: ['127.0.8.11'],
      node_meta: { rack: 'r2' },
      ports: { http: 28500 },
      dns_config: { only_passing: false },
    });
    const c = await load(['-config-file', a, '-config-file', b, '-retry-join', '127.0.8.12', '-node', 'from-flag']);
    expect(c).toMatchObject({
      datacenter: 'east',
      nodeName: 'from-flag',
      server: true,
      bootstrapExpect: 3,
      bindAddr: '127.0.8.1',
      clientAddrs: ['127.0.8.2', '127.0.8.3'],
      httpAddrs: ['127.0.8.4'],
      dnsAddrs: ['127.0.8.2', '127.0.8.3'],
      ports: { http: 28500, dns: 18600, server: 8300 },
      // lists append, maps are replaced by a later non-empty map, single values are replaced
      retryJoin: ['127.0.8.10', '127.0.8.11', '127.0.8.12'],
      nodeMeta: { rack: 'r2' },
      recursors: ['1.1.1.1'],
      dnsConfig: { nodeTtlMs: 10_000, serviceTtlMs: { '*': 5_000, web: 30_000 }, onlyPassing: false, udpAnswerLimit: 5 },
      ui: true,
      enableScriptChecks: true,
      enableLocalScriptChecks: true,
      logLevel: 'debug',
      pidFile: '/tmp/x.pid',
      telemetry: { prometheusRetentionTimeMs: 60_000, disableHostname: true },
      configFiles: [a, b],
    });
  });

  it('-config-dir reads *.json in lexical order and skips other files with a warning', async () => {
    const d = path.join(dir, 'conf.d');
    await file('conf.d/20-b.json', { node_name: 'second', data_dir: dataDir });
    await file('conf.d/10-a.json', { node_name: 'first', datacenter: 'dc9' });
    await file('conf.d/README.txt', 'not config');
    await mkdir(path.join(d, 'sub.json'), { recursive: true });
    const c = await load(['-config-dir', d]);
    expect(c.nodeName).toBe('second');
    expect(c.datacenter).toBe('dc9');
    expect(c.configFiles).toEqual([path.join(d, '10-a.json'), path.join(d, '20-b.json')]);
    expect(c.warnings).toContain(`skipping file ${path.join(d, 'README.txt')}, extension must be .hcl or .json, or config format must be set`);
  });

  it('accepts keys in any case and Consul keys this agent ignores', async () => {
    const f = await file('case.json', { Datacenter: 'dc3', DATA_DIR: dataDir, acl: { enabled: false }, performance: { raft_multiplier: 1 } });
    expect((await load(['-config-file', f])).datacenter).toBe('dc3');
  });

  it('names unknown keys as Consul does', async () => {
    const top = await file('bad1.json', { data_dir: dataDir, foo: 1 });
    await expect(load(['-config-file', top])).rejects.toThrow(`failed to parse ${top}: invalid config key foo`);
    const nested = await file('bad2.json', { dns_config: { only_passin: true } });
    await expect(load(['-config-file', nested])).rejects.toThrow(`failed to parse ${nested}: invalid config key dns_config.only_passin`);
    const svc = await file('bad3.json', { services: [{ name: 'web', check: { ttl: '10s', colour: 'red' } }] });
    await expect(load(['-config-file', svc])).rejects.toThrow(`failed to parse ${svc}: invalid config key services[0].check.colour`);
  });

  it('names the key on a wrong type, and reports bad JSON and missing files', async () => {
    const f = await file('type.json', { ports: { http: '8500' } });
    await expect(load(['-config-file', f])).rejects.toThrow(
      `failed to parse ${f}: ports.http: json: cannot unmarshal string into Go struct field Ports.http of type int`,
    );
    const j = await file('syntax.json', '{"server": tru}');
    await expect(load(['-config-file', j])).rejects.toThrow(`failed to parse ${j}:`);
    const missing = path.join(dir, 'missing.json');
    await expect(load(['-config-file', missing])).rejects.toThrow(`stat ${missing}: no such file or directory`);
    const hcl = await file('x.hcl', 'server = {');
    await expect(load(['-config-file', hcl])).rejects.toThrow(`failed to parse ${hcl}: At 1: expected '}', got end of input`);
    const badKey = await file('y.hcl', 'bogus_key = 1');
    await expect(load(['-config-file', badKey])).rejects.toThrow(`failed to parse ${badKey}: invalid config key bogus_key`);
  });
});

describe('HCL configuration', () => {
  it('reads .hcl files, -config-dir mixes of .hcl and .json and -hcl fragments, merged as JSON would be', async () => {
    const d = path.join(dir, 'hcl-dir');
    await mkdir(d, { recursive: true });
    await writeFile(path.join(d, 'a.hcl'), [
      '# Consul-style HCL',
      'datacenter = "east"  node_name = "hcl-node"',
      'ports { http = 18501 }',
      'node_meta { rack = "r1" }',
      'retry_join = ["10.0.0.1", "10.0.0.2",]',
      'service {',
      '  name = "web"',
      '  port = 80',
      '  tags = ["a"]',
      '  check { id = "web-tcp" tcp = "127.0.0.1:80" interval = "10s" }',
      '}',
      'service { name = "db" port = 5432 }',
      '/* a block comment */',
      'check { id = "mem" name = "memory" ttl = "30s" }',
    ].join('\n'));
    await writeFile(path.join(d, 'b.json'), JSON.stringify({ node_meta: { zone: 'z1' }, retry_join: ['10.0.0.3'], services: [{ name: 'cache', port: 6379 }] }));
    const c = await load(['-config-dir', d, '-data-dir', dataDir, '-bind', '127.0.62.1', '-hcl', 'log_level = "warn"', '-hcl', 'ports { dns = 18601 }']);
    expect([c.datacenter, c.nodeName, c.ports.http, c.ports.dns, c.logLevel]).toEqual(['east', 'hcl-node', 18501, 18601, 'warn']);
    expect(c.nodeMeta).toEqual({ zone: 'z1' }); // a later map replaces an earlier one, as in JSON
    expect(c.retryJoin).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(c.services.map((s) => s.Name)).toEqual(['web', 'db', 'cache']);
    expect(c.services[0]!.Check ?? c.services[0]!.Checks?.[0]).toMatchObject({ CheckID: 'web-tcp', TCP: '127.0.0.1:80', Interval: '10s' });
    expect(c.checks.map((k) => k.ID)).toEqual(['mem']);
    // The same settings in JSON give the same configuration.
    const j = path.join(dir, 'same.json');
    await writeFile(j, JSON.stringify({
      datacenter: 'east', node_name: 'hcl-node', ports: { http: 18501 }, node_meta: { rack: 'r1' }, retry_join: ['10.0.0.1', '10.0.0.2'],
      services: [{ name: 'web', port: 80, tags: ['a'], check: { id: 'web-tcp', tcp: '127.0.0.1:80', interval: '10s' } }, { name: 'db', port: 5432 }],
      check: { id: 'mem', name: 'memory', ttl: '30s' },
    }));
    const fromJson = await load(['-config-file', j, '-config-file', path.join(d, 'b.json'), '-data-dir', dataDir, '-bind', '127.0.62.1', '-log-level', 'warn', '-dns-port', '18601']);
    expect({ ...fromJson, warnings: [], configFiles: [], configPaths: [] }).toEqual({ ...c, warnings: [], configFiles: [], configPaths: [] });
  });
});

describe('service and check definitions', () => {
  it('are normalised to the HTTP API shapes', async () => {
    const f = await file('services.json', {
      data_dir: dataDir,
      service: {
        name: 'web',
        id: 'web1',
        tags: ['v1'],
        port: 8080,
        meta: { version: '1' },
        enable_tag_override: true,
        weights: { passing: 3, warning: 1 },
        tagged_addresses: { lan: { address: '127.0.8.20', port: 8080 } },
        check: { http: 'http://127.0.8.20:8080/health', interval: '10s', timeout: '1s', tls_skip_verify: true },
      },
      services: [{ name: 'db', port: 5432, checks: [{ tcp: '127.0.8.21:5432', interval: '5s' }, { ttl: '30s', id: 'db-ttl' }] }],
      checks: [{ id: 'mem', name: 'Memory', ttl: '30s', service_id: 'web1', status: 'passing' }],
      check: { name: 'disk', ttl: '1m' },
    });
    const c = await load(['-config-file', f]);
    expect(c.services).toEqual([
      { Name: 'db', Port: 5432, Checks: [{ TCP: '127.0.8.21:5432', Interval: '5s' }, { TTL: '30s', CheckID: 'db-ttl' }] },
      {
        Name: 'web',
        ID: 'web1',
        Tags: ['v1'],
        Port: 8080,
        Meta: { version: '1' },
        EnableTagOverride: true,
        Weights: { Passing: 3, Warning: 1 },
        TaggedAddresses: { lan: { Address: '127.0.8.20', Port: 8080 } },
        Check: { HTTP: 'http://127.0.8.20:8080/health', Interval: '10s', Timeout: '1s', TLSSkipVerify: true },
      },
    ]);
    expect(c.checks).toEqual([
      { ID: 'mem', Name: 'Memory', TTL: '30s', ServiceID: 'web1', Status: 'passing' },
      { Name: 'disk', TTL: '1m' },
    ]);
  });

  it('refuses bad definitions with the service or check named', async () => {
    const noName = await file('svc-noname.json', { data_dir: dataDir, service: { port: 1 } });
    await expect(load(['-config-file', noName])).rejects.toThrow('services[0]: Missing service name');
    const badCheck = await file('svc-badcheck.json', { data_dir: dataDir, service: { name: 'web', check: { http: 'http://x/' } } });
    await expect(load(['-config-file', badCheck])).rejects.toThrow(
      'Failed to register service "web": Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks',
    );
    const noCheckName = await file('check-noname.json', { data_dir: dataDir, checks: [{ ttl: '10s' }] });
    await expect(load(['-config-file', noCheckName])).rejects.toThrow('checks[0]: Missing check name');
  });

  it('disable_remote_exec is a setting (default true, also in -dev), set without a warning', async () => {
    expect((await load(['-dev'])).disableRemoteExec).toBe(true);
    const f = await file('rexec.json', { data_dir: dataDir, disable_remote_exec: false });
    const c = await load(['-config-file', f]);
    expect(c.disableRemoteExec).toBe(false);
    expect(c.warnings.filter((w) => w.includes('disable_remote_exec'))).toEqual([]);
    const bad = await file('rexec-bad.json', { data_dir: dataDir, disable_remote_exec: 'no' });
    await expect(load(['-config-file', bad])).rejects.toThrow(/disable_remote_exec/);
  });

  it('allows script checks in files only with enable_script_checks or enable_local_script_checks', async () => {
    const f = await file('script.json', { data_dir: dataDir, checks: [{ name: 'up', args: ['/bin/true'], interval: '10s' }] });
    await expect(load(['-config-file', f])).rejects.toThrow(
      "Failed to register check \"up\": Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true",
    );
    expect((await load(['-config-file', f, '-enable-local-script-checks'])).checks[0]?.Args).toEqual(['/bin/true']);
    const c = await load(['-config-file', f, '-enable-script-checks']);
    expect(c).toMatchObject({ enableScriptChecks: true, enableLocalScriptChecks: true });
  });
});

describe('validation names the key and the problem', () => {
  it.each([
    [['-dev', '-datacenter', 'dc 1'], 'datacenter cannot be "dc 1". Please use only [a-z0-9-_]'],
    [['-data-dir', '$D', '-bootstrap'], "'bootstrap = true' requires 'server = true'"],
    [['-data-dir', '$D', '-bootstrap-expect', '3'], "'bootstrap_expect > 0' requires 'server = true'"],
    [['-dev', '-bootstrap-expect', '3'], "'bootstrap_expect > 0' not allowed in dev mode"],
    [['-dev', '-hcl', 'limits { kv_max_value_size = 67108864 }'], 'limits.kv_max_value_size must be between 1 and 33554432 bytes, was: 67108864'],
    [['-dev', '-hcl', 'limits { txn_max_req_len = 0 }'], 'limits.txn_max_req_len must be between 1 and 33554432 bytes, was: 0'],
    [['-dev', '-hcl', 'advertise_addr_ipv4 = "::1"'], 'advertise_addr_ipv4 must be an ipv4 address'],
    [['-dev', '-hcl', 'telemetry { statsd_address = "127.0.0.1" }'], 'telemetry.statsd_address: "127.0.0.1" is not host:port'],
    [['-dev', '-hcl', 'advertise_addr_wan_ipv6 = "10.0.0.1"'], 'advertise_addr_wan_ipv6 must be an ipv6 address'],
    [['-dev', '-hcl', 'serf_lan_allowed_cidrs = ["10.0.0.0/8", "10.0.0.0/33", "x"]'], 'serf_lan_allowed_cidrs: 2 errors occurred:\n\t* invalid cidr: 10.0.0.0/33\n\t* invalid cidr: x\n\n'],
    [['-data-dir', '$D', '-server', '-bootstrap', '-bootstrap-expect', '3'], "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive"],
    [['-data-dir', '$D', '-server', '-bootstrap-expect', '-1'], 'bootstrap_expect cannot be -1. Must be greater than or equal to zero'],
    [['-dev', '-http-port', '70000'], 'ports.http cannot be 70000. Must be between 0 and 65535, or -1 to disable'],
    [['-dev', '-http-port', '8600'], 'HTTP address 127.0.0.1:8600 already configured for DNS'],
    [['-dev', '-advertise', '0.0.0.0'], 'Advertise address cannot be 0.0.0.0, :: or [::]'],
    [['-dev', '-client', 'localhost'], 'client_addr: invalid ip address: localhost'],
    [['-dev', '-encrypt', 'not-base64!'], 'encrypt has invalid key: illegal base64 data'],
    [['-dev', '-encrypt', Buffer.alloc(10).toString('base64')], 'encrypt has invalid key: key size must be 16, 24 or 32 bytes, got 10'],
    [['-dev', '-log-level', 'loud'], 'Invalid log level: "loud". Valid log levels are: [TRACE DEBUG INFO WARN ERR]'],
    [['-dev', '-node-meta', 'bad key:1'], 'node_meta invalid: Key contains invalid characters: bad key'],
    [['-dev', '-node-meta', 'consul-x:1'], "node_meta invalid: Key prefix 'consul-' is reserved for internal use: consul-x"],
    [['-dev', '-node-id', 'abc'], 'node_id: specified NodeID is invalid: "abc" is not a UUID'],
    [['-dev', '-recursor', '0.0.0.0'], 'DNS recursor address cannot be 0.0.0.0, :: or [::]'],
    [['-dev', '-node', ''], 'node_name cannot be empty'],
  ])('%j -> %s', async (argv, message) => {
    const args = argv.map((a) => (a === '$D' ? dataDir : a));
    await expect(load(args)).rejects.toThrow(new ConfigError(message));
  });

  it('lets two agents share a host on 127.0.0.N with the default ports', async () => {
    const a = await load(['-dev', '-bind', '127.0.0.2', '-client', '127.0.0.2']);
    const b = await load(['-dev', '-bind', '127.0.0.3', '-client', '127.0.0.3']);
    expect([a.bindAddr, a.httpAddrs, b.bindAddr, b.httpAddrs]).toEqual(['127.0.0.2', ['127.0.0.2'], '127.0.0.3', ['127.0.0.3']]);
    expect(a.ports).toEqual(b.ports);
  });

  it('says which keys it accepts and ignores, except those that ask for how it behaves anyway', async () => {
    const f = await file('ignored.json', {
      enable_syslog: true, performance: { raft_multiplier: 1, rpc_hold_timeout: '3s' }, disable_update_check: true, ui_config: { enabled: true },
      telemetry: { dogstatsd_addr: '127.0.0.1:8125', 'disable_compat_1.9': true, disable_hostname: true },
    });
    const c = await load(['-data-dir', dataDir, '-config-file', f, '-bind', '127.0.8.1']);
    const ignored = c.warnings.filter((w) => w.includes('is accepted and ignored'));
    expect(ignored).toEqual([
      'Config key "enable_syslog" is accepted and ignored by this agent (docs/reference/config.md)',
      'Config key "performance.raft_multiplier" is accepted and ignored by this agent (docs/reference/config.md)',
      'Config key "telemetry.disable_compat_1.9" is accepted and ignored by this agent (docs/reference/config.md)',
      'Config key "telemetry.dogstatsd_addr" is accepted and ignored by this agent (docs/reference/config.md)',
    ]);
    expect(c.rpcHoldTimeoutMs).toBe(3000);
    expect((await load(['-dev'])).rpcHoldTimeoutMs).toBe(7000);
  });

  it('warns as Consul does about risky bootstrap settings', async () => {
    const c = await load(['-data-dir', dataDir, '-server', '-bootstrap-expect', '2', '-bind', '127.0.8.1']);
    expect(c.warnings).toContain('bootstrap_expect = 2: A cluster with 2 servers will provide no failure tolerance.');
  });

  it('turns bootstrap_expect = 1 into bootstrap mode before validating, even in dev mode (Consul builder.go)', async () => {
    const d = await load(['-dev', '-bootstrap-expect', '1', '-bind', '127.0.62.1']);
    expect([d.bootstrap, d.bootstrapExpect]).toEqual([true, 0]);
    expect(d.warnings).toContain('BootstrapExpect is set to 1; this is the same as Bootstrap mode.');
    const s = await load(['-data-dir', dataDir, '-server', '-bootstrap-expect', '1', '-bind', '127.0.62.1']);
    expect([s.bootstrap, s.bootstrapExpect]).toEqual([true, 0]);
    await expect(load(['-data-dir', dataDir, '-bootstrap-expect', '1'])).rejects.toThrow("'bootstrap = true' requires 'server = true'");
  });
});
