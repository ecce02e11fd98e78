// GET /v1/agent/version and GET /v1/agent/host on real agent processes (127.0.66.121 without
// ACLs, 127.0.66.122 with ACLs on and default deny), checked against this machine's own /proc,
// statfs and hostname.
import { readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startAgentProcess, tempDir, type AgentProcess } from './helpers.js';

const IP = '127.0.66.121';
const ACL_IP = '127.0.66.122';
const MGMT = '8e4b0f7a-3c2d-4b1e-9f6a-5d7c8b9a0e1f';
const dir = tempDir('agent-host-');
let agent: AgentProcess;
let aclAgent: AgentProcess;

/** gopsutil's JSON tag order of each part (Consul encodes the structs as they are). */
const KEYS = {
  top: ['Memory', 'CPU', 'Host', 'Disk', 'CollectionTime', 'Errors'],
  memory: [
    'total', 'available', 'used', 'usedPercent', 'free', 'active', 'inactive', 'wired', 'laundry', 'buffers', 'cached',
    'writeBack', 'dirty', 'writeBackTmp', 'shared', 'slab', 'sreclaimable', 'sunreclaim', 'pageTables', 'swapCached',
    'commitLimit', 'committedAS', 'highTotal', 'highFree', 'lowTotal', 'lowFree', 'swapTotal', 'swapFree', 'mapped',
    'vmallocTotal', 'vmallocUsed', 'vmallocChunk', 'hugePagesTotal', 'hugePagesFree', 'hugePagesRsvd', 'hugePagesSurp', 'hugePageSize',
  ],
  cpu: ['cpu', 'vendorId', 'family', 'model', 'stepping', 'physicalId', 'coreId', 'cores', 'modelName', 'mhz', 'cacheSize', 'flags', 'microcode'],
  host: [
    'hostname', 'uptime', 'bootTime', 'procs', 'os', 'platform', 'platformFamily', 'platformVersion', 'kernelVersion',
    'kernelArch', 'virtualizationSystem', 'virtualizationRole', 'hostId',
  ],
  disk: ['path', 'fstype', 'total', 'free', 'used', 'usedPercent', 'inodesTotal', 'inodesUsed', 'inodesFree', 'inodesUsedPercent'],
};

beforeAll(async () => {
  const cfg = join(dir.path, 'acl.json');
  writeFileSync(cfg, JSON.stringify({ acl: { enabled: true, default_policy: 'deny', tokens: { initial_management: MGMT } } }));
  [agent, aclAgent] = await Promise.all([
    startAgentProcess(['-dev', '-client', IP, '-bind', IP, '-node', 'host-plain'], `${IP}:8500`),
    startAgentProcess(['-dev', '-client', ACL_IP, '-bind', ACL_IP, '-node', 'host-acl', '-config-file', cfg], `${ACL_IP}:8500`),
  ]);
});
afterAll(async () => {
  await Promise.all([agent?.stop(), aclAgent?.stop()]);
  dir.remove();
});

describe('GET /v1/agent/version', () => {
  it("is Consul's BuildInfo and agrees with /v1/agent/self", async () => {
    const r = await http(agent.base, 'GET', '/v1/agent/version');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const v = r.json();
    expect(Object.keys(v)).toEqual(['SHA', 'BuildDate', 'HumanVersion', 'FIPS']);
    const self = (await http(agent.base, 'GET', '/v1/agent/self')).json();
    expect(v).toEqual({ SHA: self.Config.Revision, BuildDate: self.Config.BuildDate, HumanVersion: self.Config.Version, FIPS: '' });
    expect(v.HumanVersion).toBe('1.17.0');
  });
});

describe('GET /v1/agent/host', () => {
  it("reports this machine's memory, CPUs, host and root filesystem in gopsutil's shape", async () => {
    const before = Date.now();
    const r = await http(agent.base, 'GET', '/v1/agent/host');
    expect(r.status, r.text).toBe(200);
    const h = r.json();
    expect(Object.keys(h)).toEqual(KEYS.top);
    expect(h.Errors).toBeNull();
    expect(Object.keys(h.Memory)).toEqual(KEYS.memory);
    expect(Object.keys(h.Host)).toEqual(KEYS.host);
    expect(Object.keys(h.Disk)).toEqual(KEYS.disk);
    for (const c of h.CPU) expect(Object.keys(c)).toEqual(KEYS.cpu);

    const memTotalKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(h.Memory.total).toBe(memTotalKb * 1024);
    expect(h.Memory.used).toBe(h.Memory.total - h.Memory.free - h.Memory.buffers - h.Memory.cached);
    const processors = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)!.length;
    expect(h.CPU).toHaveLength(processors);
    expect(h.CPU.map((c: { cpu: number }) => c.cpu)).toEqual([...Array(processors).keys()]);
    expect(h.Host.hostname).toBe(hostname());
    expect(h.Host.os).toBe('linux');
    expect(h.Host.procs).toBeGreaterThan(1);
    expect(Math.abs(h.Host.bootTime + h.Host.uptime - before / 1000)).toBeLessThan(120);
    const fs = statfsSync('/', { bigint: true });
    expect(h.Disk.path).toBe('/');
    expect(h.Disk.total).toBe(Number(fs.blocks * fs.bsize));
    expect(h.Disk.inodesTotal).toBe(Number(fs.files));
    // CollectionTime is Unix nanoseconds (more digits than a double keeps exactly).
    expect(/"CollectionTime":(\d{19}),/.test(r.text)).toBe(true);
    expect(h.CollectionTime / 1e6).toBeGreaterThanOrEqual(before - 1);
    expect(h.CollectionTime / 1e6).toBeLessThanOrEqual(Date.now() + 1);
  });
});

async function tokenWith(rules: string): Promise<Record<string, string>> {
  const asMgmt = { 'X-Consul-Token': MGMT };
  const name = `p${Math.random().toString(36).slice(2, 10)}`;
  const p = await http(aclAgent.base, 'PUT', '/v1/acl/policy', JSON.stringify({ Name: name, Rules: rules }), asMgmt);
  expect(p.status, p.text).toBe(200);
  const t = await http(aclAgent.base, 'PUT', '/v1/acl/token', JSON.stringify({ Policies: [{ Name: name }] }), asMgmt);
  expect(t.status, t.text).toBe(200);
  return { 'X-Consul-Token': t.json().SecretID as string };
}

describe('ACLs (default deny)', () => {
  it('host needs operator:read; version needs nothing', async () => {
    const denied = await http(aclAgent.base, 'GET', '/v1/agent/host');
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("lacks permission 'operator:read'");

    const allowed = await http(aclAgent.base, 'GET', '/v1/agent/host', undefined, await tokenWith('operator = "read"'));
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.json().Host.hostname).toBe(hostname());
    // agent:read (what /v1/agent/self needs) is not enough.
    const agentRead = await http(aclAgent.base, 'GET', '/v1/agent/host', undefined, await tokenWith('agent_prefix "" { policy = "read" }'));
    expect(agentRead.status).toBe(403);

    const version = await http(aclAgent.base, 'GET', '/v1/agent/version');
    expect(version.status).toBe(200);
    expect(version.json().HumanVersion).toBe('1.17.0');
  });
});
