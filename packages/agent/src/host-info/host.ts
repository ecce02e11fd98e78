// gopsutil v3's host.Info on Linux (host/host.go InfoWithContext, host/host_linux.go,
// internal/common/common_linux.go): platform from /etc's release files, virtualization from
// /proc's tell-tales, boot time, host ID. Only files are read: where gopsutil runs a command
// (`/usr/bin/lsb_release` when /etc/lsb-release is missing) this answers as if it had printed nothing.
import { goParseFloat, goParseInt } from '@proconsul/sockaddr';
import { readLines, splitLines, type HostEnv } from './env.js';

/** host.InfoStat, keys and order of its JSON tags. Go's uint64 fields are bigints. */
export interface HostInfoStat {
  hostname: string;
  uptime: bigint;
  bootTime: bigint;
  procs: bigint;
  os: string;
  platform: string;
  platformFamily: string;
  platformVersion: string;
  kernelVersion: string;
  kernelArch: string;
  virtualizationSystem: string;
  virtualizationRole: string;
  hostId: string;
}

export interface Platform {
  platform: string;
  family: string;
  version: string;
}

const FAMILIES: Record<string, string> = {
  ...Object.fromEntries(['debian', 'ubuntu', 'linuxmint', 'raspbian'].map((p) => [p, 'debian'])),
  fedora: 'fedora',
  ...Object.fromEntries(
    ['oracle', 'centos', 'redhat', 'scientific', 'enterpriseenterprise', 'amazon', 'xenserver', 'cloudlinux', 'ibm_powerkvm', 'rocky', 'almalinux'].map((p) => [p, 'rhel']),
  ),
  ...Object.fromEntries(
    ['suse', 'opensuse', 'opensuse-leap', 'opensuse-tumbleweed', 'opensuse-tumbleweed-kubic', 'sles', 'sled', 'caasp'].map((p) => [p, 'suse']),
  ),
  ...Object.fromEntries(['gentoo', 'slackware', 'arch', 'exherbo', 'alpine', 'coreos', 'solus', 'neokylin'].map((p) => [p, p])),
};

/** gopsutil's PathExistsWithContents: more than 4 bytes. */
const hasContents = (env: HostEnv, path: string): boolean => (env.size(path) ?? 0) > 4;
const containsIn = (lines: readonly string[], s: string): boolean => lines.some((l) => l.includes(s));
const lower = (lines: readonly string[]): string => lines.join('').toLowerCase();

function redhatishVersion(lines: readonly string[]): string {
  const c = lower(lines);
  if (c.includes('rawhide')) return 'rawhide';
  return /release (\w[\d.]*)/.exec(c)?.[1] ?? '';
}

const redhatishPlatform = (lines: readonly string[]): string => (lower(lines).includes('red hat') ? 'redhat' : lower(lines).split(' ')[0]!);

function suseVersion(lines: readonly string[]): string {
  let version = '';
  for (const line of lines) {
    const v = /VERSION = ([\d.]+)/.exec(line);
    const patch = v ? undefined : /PATCHLEVEL = (\d+)/.exec(line);
    if (v) version = v[1]!;
    else if (patch) version = `${version}.${patch[1]}`;
  }
  return version;
}

/** Go's strings.Split(line, "=") fields 0 and 1 of `KEY=value` lines (the rest of a value with "=" dropped). */
function keyValues(lines: readonly string[]): Array<[string, string]> {
  return lines.map((l) => l.split('=')).filter((f) => f.length >= 2).map((f) => [f[0]!, f[1]!]);
}

const trimQuotes = (s: string): string => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

/** common.GetOSRelease: ID (amzn is amazon) and VERSION of /etc/os-release. */
export function osRelease(env: HostEnv): { platform: string; version: string } {
  let platform = '';
  let version = '';
  for (const [k, v] of keyValues(readLines(env, env.etc('os-release')) ?? [])) {
    if (k === 'ID') platform = trimQuotes(v);
    else if (k === 'VERSION') version = trimQuotes(v);
  }
  return { platform: platform === 'amzn' ? 'amazon' : platform, version };
}

/** host.PlatformInformation: the first release file found decides, in gopsutil's order. */
export function platformInformation(env: HostEnv): Platform {
  const lsb = { id: '', release: '' };
  for (const [k, v] of keyValues(readLines(env, env.etc('lsb-release')) ?? [])) {
    if (k === 'DISTRIB_ID') lsb.id = v;
    else if (k === 'DISTRIB_RELEASE') lsb.release = v;
  }
  const lines = (name: string): string[] | undefined => readLines(env, env.etc(name));
  let platform = '';
  let version = '';
  const redhatish = (name: string): void => {
    const c = lines(name);
    if (c) [version, platform] = [redhatishVersion(c), redhatishPlatform(c)];
  };
  if (hasContents(env, env.etc('oracle-release')) || hasContents(env, env.etc('enterprise-release'))) {
    platform = 'oracle';
    const c = lines(hasContents(env, env.etc('oracle-release')) ? 'oracle-release' : 'enterprise-release');
    if (c) version = redhatishVersion(c);
  } else if (hasContents(env, env.etc('slackware-version'))) {
    platform = 'slackware';
    const c = lines('slackware-version');
    if (c) version = lower(c).replace('slackware ', '');
  } else if (hasContents(env, env.etc('debian_version'))) {
    if (lsb.id === 'Ubuntu' || lsb.id === 'LinuxMint') {
      platform = lsb.id === 'Ubuntu' ? 'ubuntu' : 'linuxmint';
      version = lsb.release;
    } else {
      platform = hasContents(env, '/usr/bin/raspi-config') ? 'raspbian' : 'debian';
      version = lines('debian_version')?.[0] ?? '';
    }
  } else if (env.exists(env.etc('neokylin-release'))) {
    redhatish('neokylin-release');
  } else if (env.exists(env.etc('redhat-release'))) {
    redhatish('redhat-release');
  } else if (env.exists(env.etc('system-release'))) {
    redhatish('system-release');
  } else if (env.exists(env.etc('gentoo-release'))) {
    platform = 'gentoo';
    const c = lines('gentoo-release');
    if (c) version = redhatishVersion(c);
  } else if (env.exists(env.etc('SuSE-release'))) {
    const c = lines('SuSE-release');
    if (c) [version, platform] = [suseVersion(c), lower(c).includes('opensuse') ? 'opensuse' : 'suse'];
  } else if (env.exists(env.etc('arch-release'))) {
    platform = 'arch';
    version = lsb.release;
  } else if (env.exists(env.etc('alpine-release'))) {
    platform = 'alpine';
    version = lines('alpine-release')?.[0] ?? '';
  } else if (env.exists(env.etc('os-release'))) {
    ({ platform, version } = osRelease(env));
  } else if (lsb.id !== '') {
    const named: Record<string, string> = { RedHat: 'redhat', Amazon: 'amazon', ScientificSL: 'scientific', XenServer: 'xenserver' };
    platform = named[lsb.id] ?? lsb.id.toLowerCase();
    version = lsb.release;
  }
  platform = platform.replace(/^"+|"+$/g, '');
  return { platform, family: FAMILIES[platform] ?? '', version };
}

/** common.VirtualizationWithContext: each check that matches overrides the ones before it. */
export function virtualization(env: HostEnv): { system: string; role: string } {
  let system = '';
  let role = '';
  const set = (s: string, r: string): void => {
    system = s;
    role = r;
  };
  if (env.exists(env.proc('xen'))) {
    set('xen', 'guest');
    const caps = env.exists(env.proc('xen', 'capabilities')) ? readLines(env, env.proc('xen', 'capabilities')) : undefined;
    if (caps && containsIn(caps, 'control_d')) role = 'host';
  }
  const modules = readLines(env, env.proc('modules'));
  if (modules) {
    if (containsIn(modules, 'kvm')) set('kvm', 'host');
    else if (containsIn(modules, 'vboxdrv')) set('vbox', 'host');
    else if (containsIn(modules, 'vboxguest')) set('vbox', 'guest');
    else if (containsIn(modules, 'vmware')) set('vmware', 'guest');
  }
  const cpuinfo = readLines(env, env.proc('cpuinfo'));
  if (cpuinfo && ['QEMU Virtual CPU', 'Common KVM processor', 'Common 32-bit KVM processor'].some((s) => containsIn(cpuinfo, s))) set('kvm', 'guest');
  const pci = readLines(env, env.proc('bus/pci/devices'));
  if (pci && containsIn(pci, 'virtio-pci')) role = 'guest';
  if (env.exists(env.proc('bc', '0'))) set('openvz', 'host');
  else if (env.exists(env.proc('vz'))) set('openvz', 'guest');
  const status = readLines(env, env.proc('self', 'status'));
  if (status && (containsIn(status, 's_context:') || containsIn(status, 'VxID:'))) system = 'linux-vserver';
  let environ: string | undefined;
  try {
    environ = env.read(env.proc('1', 'environ'));
  } catch {
    environ = undefined;
  }
  if (environ?.includes('container=lxc')) set('lxc', 'guest');
  const cgroup = readLines(env, env.proc('self', 'cgroup'));
  if (cgroup) {
    if (containsIn(cgroup, 'lxc')) set('lxc', 'guest');
    else if (containsIn(cgroup, 'docker')) set('docker', 'guest');
    else if (containsIn(cgroup, 'machine-rkt')) set('rkt', 'guest');
    else if (env.exists('/usr/bin/lxc-version')) set('lxc', 'host');
  }
  if (env.exists(env.etc('os-release')) && osRelease(env).platform === 'coreos') set('rkt', 'host');
  return { system, role };
}

/** common.BootTimeWithContext: /proc/stat's btime, or now - /proc/uptime in a docker or lxc guest. */
export function bootTime(env: HostEnv, virt: { system: string; role: string }): bigint {
  const guest = virt.role === 'guest' && (virt.system === 'lxc' || virt.system === 'docker');
  const lines = splitLines(env.read(env.proc(guest ? 'uptime' : 'stat')));
  if (guest) {
    if (lines.length !== 1) throw new Error('wrong uptime format');
    const up = goParseFloat(lines[0]!.trim().split(/\s+/)[0]!);
    return BigInt.asUintN(64, BigInt(Math.trunc(env.nowMs() / 1000 - up)));
  }
  for (const line of lines) {
    if (!line.startsWith('btime')) continue;
    const f = line.trim().split(/\s+/);
    if (f.length !== 2) throw new Error('wrong btime format');
    return BigInt.asUintN(64, goParseInt(f[1]!, 64, true));
  }
  throw new Error('could not find btime');
}

/** host.HostID: DMI's product UUID (root only), else the machine ID as a UUID, else the boot ID. */
export function hostId(env: HostEnv): string {
  const first = (path: string): string => readLines(env, path)?.[0] ?? '';
  const uuid = first(env.sys('class/dmi/id/product_uuid'));
  if (uuid !== '') return uuid.toLowerCase();
  const m = first(env.etc('machine-id'));
  if (m.length === 32) return `${m.slice(0, 8)}-${m.slice(8, 12)}-${m.slice(12, 16)}-${m.slice(16, 20)}-${m.slice(20, 32)}`;
  return first(env.proc('sys/kernel/random/boot_id')).toLowerCase();
}

/** common.NumProcs: the numeric entries of /proc. */
const numProcs = (env: HostEnv): bigint => BigInt(env.list(env.proc()).filter((n) => /^\d+$/.test(n)).length);

/** host.Info, its steps in gopsutil's order: the first that fails fails the whole (Consul then reports `Host` as null). */
export function hostInfo(env: HostEnv): HostInfoStat {
  const hostname = env.hostname();
  const p = platformInformation(env);
  const kernelVersion = env.kernelRelease();
  const kernelArch = env.kernelArch();
  const virt = virtualization(env);
  const boot = bootTime(env, virt);
  const uptime = BigInt(env.uptimeSec());
  const procs = numProcs(env);
  return {
    hostname,
    uptime,
    bootTime: boot,
    procs,
    os: env.os,
    platform: p.platform,
    platformFamily: p.family,
    platformVersion: p.version,
    kernelVersion,
    kernelArch,
    virtualizationSystem: virt.system,
    virtualizationRole: virt.role,
    hostId: hostId(env),
  };
}
