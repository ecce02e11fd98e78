// host-info against real-format /proc, /sys and /etc texts (samples of real machines), with
// expected values computed by hand from gopsutil v3.22.8's Linux code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCpuinfo } from './cpu.js';
import { diskUsage } from './disk.js';
import { goErrorText, splitLines, type HostEnv, type Statfs } from './env.js';
import { bootTime, hostId, platformInformation, virtualization } from './host.js';
import { collectHostInfo } from './index.js';
import { parseMeminfo } from './memory.js';

const MEMINFO = `MemTotal:        8040500 kB
MemFree:          512340 kB
MemAvailable:    5120000 kB
Buffers:          204800 kB
Cached:          3145728 kB
SwapCached:         1024 kB
Active:          2621440 kB
Inactive:        3670016 kB
Active(anon):     524288 kB
Inactive(anon):   786432 kB
Active(file):    2097152 kB
Inactive(file):  2883584 kB
Unevictable:       16384 kB
Mlocked:           16384 kB
SwapTotal:       2097148 kB
SwapFree:        2000000 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:               456 kB
Writeback:           128 kB
AnonPages:       1300000 kB
Mapped:           400000 kB
Shmem:             65536 kB
KReclaimable:     262144 kB
Slab:             393216 kB
SReclaimable:     262144 kB
SUnreclaim:       131072 kB
KernelStack:       12288 kB
PageTables:        24576 kB
SecPageTables:         0 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:         64 kB
CommitLimit:     6117396 kB
Committed_AS:    4500000 kB
VmallocTotal:   34359738367 kB
VmallocUsed:       65536 kB
VmallocChunk:          0 kB
Percpu:             4096 kB
HardwareCorrupted:     0 kB
AnonHugePages:    262144 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:         0 kB
FilePmdMapped:         0 kB
HugePages_Total:       4
HugePages_Free:        3
HugePages_Rsvd:        1
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:            8192 kB
DirectMap4k:      300000 kB
DirectMap2M:     7000000 kB
DirectMap1G:     2097152 kB
`;

const X86_CPU = (n: number, mhz: string): string => `processor	: ${n}
vendor_id	: GenuineIntel
cpu family	: 6
model		: 85
model name	: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz
stepping	: 7
microcode	: 0x5003604
cpu MHz		: ${mhz}
cache size	: 36608 KB
physical id	: 0
siblings	: 2
core id		: ${n}
cpu cores	: 2
apicid		: ${n}
initial apicid	: ${n}
fpu		: yes
fpu_exception	: yes
cpuid level	: 13
wp		: yes
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep
bugs		: spectre_v1 spectre_v2 spec_store_bypass
bogomips	: 4999.99
clflush size	: 64
cache_alignment	: 64
address sizes	: 46 bits physical, 48 bits virtual
power management:

`;
const X86_CPUINFO = X86_CPU(0, '2499.998') + X86_CPU(1, '3100.000');

/** An AWS Graviton2 (Neoverse N1): no model name, vendor from the MIDR implementer. */
const ARM64_CPUINFO = [0, 1]
  .map((n) => `processor	: ${n}
BogoMIPS	: 243.75
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x3
CPU part	: 0xd0c
CPU revision	: 1

`)
  .join('');

/** An old 32-bit ARM kernel: `Processor` names every processor after it. */
const ARMV7_CPUINFO = `Processor	: ARMv7 Processor rev 4 (v7l)
processor	: 0
BogoMIPS	: 38.40
Features	: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm crc32
CPU implementer	: 0x41
CPU architecture: 7
CPU variant	: 0x0
CPU part	: 0xd03
CPU revision	: 4

Hardware	: BCM2835
Revision	: a02082
Serial		: 00000000a1b2c3d4
`;

const noSys = (): undefined => undefined;

describe('parseMeminfo (mem.VirtualMemory)', () => {
  const m = parseMeminfo(splitLines(MEMINFO));

  it('reads kB values as bytes and HugePages_* as counts', () => {
    expect(m.total).toBe(8040500n * 1024n);
    expect(m.free).toBe(512340n * 1024n);
    expect(m.available).toBe(5120000n * 1024n);
    expect(m.buffers).toBe(209715200n);
    expect(m.shared).toBe(67108864n); // Shmem
    expect(m.committedAS).toBe(4500000n * 1024n);
    expect(m.vmallocTotal).toBe(35184372087808n);
    expect([m.hugePagesTotal, m.hugePagesFree, m.hugePagesRsvd, m.hugePagesSurp]).toEqual([4n, 3n, 1n, 0n]);
    expect(m.hugePageSize).toBe(2097152n);
    expect(m.swapCached).toBe(1048576n);
    expect(m.dirty).toBe(466944n);
  });

  it('keeps gopsutil quirks: case-sensitive keys miss Writeback/WritebackTmp, Cached includes SReclaimable', () => {
    expect(m.writeBack).toBe(0n);
    expect(m.writeBackTmp).toBe(0n);
    expect(m.cached).toBe((3145728n + 262144n) * 1024n); // 3489660928
    expect(m.sreclaimable).toBe(268435456n);
  });

  it('computes used = total - free - buffers - cached and its percentage of total', () => {
    // 8040500 - 512340 - 204800 - 3407872 = 3915488 kB
    expect(m.used).toBe(4009459712n);
    expect(m.usedPercent).toBeCloseTo(48.6970710776693, 12);
  });

  it('lays the stat out in the JSON tag order of mem.VirtualMemoryStat', () => {
    expect(Object.keys(m).slice(0, 12)).toEqual(['total', 'available', 'used', 'usedPercent', 'free', 'active', 'inactive', 'wired', 'laundry', 'buffers', 'cached', 'writeBack']);
    expect(Object.keys(m).at(-1)).toBe('hugePageSize');
    expect(Object.keys(m)).toHaveLength(37);
  });

  it('without MemAvailable (kernels before 3.14) estimates available as cached + free', () => {
    const old = parseMeminfo(splitLines(MEMINFO.replace(/^MemAvailable:.*\n/m, '')));
    expect(old.available).toBe((3407872n + 512340n) * 1024n);
  });

  it('wraps used as a uint64 when free + buffers + cached exceed total, as Go does', () => {
    const odd = parseMeminfo(['MemTotal: 100 kB', 'MemFree: 90 kB', 'Buffers: 20 kB']);
    expect(odd.used).toBe(2n ** 64n - 10n * 1024n);
  });

  it('fails on a value that is not a uint64, and skips a line with another ":"', () => {
    expect(() => parseMeminfo(['MemTotal: 1 kB', 'MemFree: lots kB'])).toThrow('strconv.ParseUint: parsing "lots": invalid syntax');
    expect(() => parseMeminfo(['Active(file): -1 kB'])).toThrow('strconv.ParseUint: parsing "-1": invalid syntax');
    expect(parseMeminfo(['MemTotal: 1 kB', 'MemFree: 1: kB']).free).toBe(0n);
  });
});

describe('parseCpuinfo (cpu.Info)', () => {
  it('reads an x86 /proc/cpuinfo, one stat per processor, cores always 1', () => {
    const cpus = parseCpuinfo(splitLines(X86_CPUINFO), noSys)!;
    expect(cpus).toHaveLength(2);
    expect(cpus[0]).toEqual({
      cpu: 0,
      vendorId: 'GenuineIntel',
      family: '6',
      model: '85',
      stepping: 7,
      physicalId: '0',
      coreId: '0',
      cores: 1,
      modelName: 'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz',
      mhz: 2499.998,
      cacheSize: 36608,
      flags: ['fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', 'sep'],
      microcode: '0x5003604',
    });
    expect(cpus[1]!.coreId).toBe('1');
    expect(cpus[1]!.mhz).toBe(3100);
    expect(Object.keys(cpus[0]!)).toEqual(['cpu', 'vendorId', 'family', 'model', 'stepping', 'physicalId', 'coreId', 'cores', 'modelName', 'mhz', 'cacheSize', 'flags', 'microcode']);
  });

  it('takes Mhz from cpufreq/cpuinfo_max_freq (kHz, or Hz above 9999 MHz) over cpu MHz', () => {
    const sys = (cpu: number, rel: string): string | undefined => (rel === 'cpufreq/cpuinfo_max_freq' ? ['3500000', '3500000000'][cpu] : undefined);
    const cpus = parseCpuinfo(splitLines(X86_CPUINFO), sys)!;
    expect(cpus.map((c) => c.mhz)).toEqual([3500, 3500]);
  });

  it('reads an ARM64 /proc/cpuinfo: vendor from CPU implementer, model from CPU part, stepping from CPU revision', () => {
    const sys = (cpu: number, rel: string): string | undefined =>
      rel === 'topology/core_id' ? String(cpu) : cpu === 0 && rel === 'cpufreq/cpuinfo_max_freq' ? '2500000' : undefined;
    const cpus = parseCpuinfo(splitLines(ARM64_CPUINFO), sys)!;
    expect(cpus).toHaveLength(2);
    expect(cpus[0]).toMatchObject({ cpu: 0, vendorId: 'ARM', family: '', model: '0xd0c', stepping: 1, coreId: '0', modelName: '', mhz: 2500, cacheSize: 0 });
    expect(cpus[0]!.flags).toHaveLength(17);
    expect(cpus[0]!.flags!.slice(0, 3)).toEqual(['fp', 'asimd', 'evtstrm']);
    expect(cpus[1]).toMatchObject({ cpu: 1, coreId: '1', mhz: 0 });
  });

  it('names 32-bit ARM processors after the Processor line before them', () => {
    const cpus = parseCpuinfo(splitLines(ARMV7_CPUINFO), noSys)!;
    expect(cpus).toHaveLength(1);
    expect(cpus[0]).toMatchObject({ modelName: 'ARMv7 Processor rev 4 (v7l)', vendorId: 'ARM', model: '0xd03', stepping: 4 });
  });

  it('keeps only the text between the first and second ":" of a line', () => {
    const cpus = parseCpuinfo(['processor : 0', 'model name : Virtual CPU: rev 2', 'physical id : 0:1'], noSys)!;
    expect(cpus[0]).toMatchObject({ modelName: 'Virtual CPU', physicalId: '0', flags: null });
  });

  it('is null without processors and fails on a bad processor number or cache size', () => {
    expect(parseCpuinfo([], noSys)).toBeNull();
    expect(() => parseCpuinfo(['processor : x'], noSys)).toThrow('strconv.ParseInt: parsing "x": invalid syntax');
    expect(() => parseCpuinfo(['processor : 0', 'cache size : 1 MB'], noSys)).toThrow('strconv.ParseInt: parsing "1 MB": invalid syntax');
  });
});

/** An in-memory machine: files by absolute path (directories are implied by them). */
function machine(files: Record<string, string>, statfs?: Partial<Statfs>): HostEnv {
  const enoent = (syscall: string, path: string): Error =>
    Object.assign(new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`), { code: 'ENOENT', syscall, path });
  const isDir = (p: string): boolean => Object.keys(files).some((f) => f.startsWith(p.endsWith('/') ? p : `${p}/`));
  return {
    proc: (...p) => join('/proc', ...p),
    sys: (...p) => join('/sys', ...p),
    etc: (...p) => join('/etc', ...p),
    exists: (p) => p in files || isDir(p),
    size: (p) => (p in files ? Buffer.byteLength(files[p]!) : isDir(p) ? 4096 : undefined),
    read: (p) => {
      if (!(p in files)) throw enoent('open', p);
      return files[p]!;
    },
    list: (p) => [...new Set(Object.keys(files).filter((f) => f.startsWith(`${p}/`)).map((f) => f.slice(p.length + 1).split('/')[0]!))],
    statfs: (p) => {
      if (!statfs) throw enoent('statfs', p);
      return { type: 0xef53n, bsize: 4096n, blocks: 1000n, bfree: 400n, bavail: 300n, files: 100n, ffree: 60n, ...statfs };
    },
    os: 'linux',
    hostname: () => 'node-1',
    kernelRelease: () => '6.1.0-18-amd64',
    kernelArch: () => 'x86_64',
    uptimeSec: () => 3600,
    nowMs: () => 1_700_000_000_500,
  };
}

describe('platformInformation (host.PlatformInformation)', () => {
  const cases: Array<[string, Record<string, string>, [string, string, string]]> = [
    ['ubuntu', { '/etc/debian_version': 'bookworm/sid\n', '/etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"\n' }, ['ubuntu', 'debian', '22.04']],
    ['debian', { '/etc/debian_version': '12.5\n', '/etc/os-release': 'ID=debian\n' }, ['debian', 'debian', '12.5']],
    ['alpine', { '/etc/alpine-release': '3.19.1\n', '/etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n' }, ['alpine', 'alpine', '3.19.1']],
    ['centos', { '/etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n', '/etc/system-release': 'x\n' }, ['centos', 'rhel', '7.9.2009']],
    ['rhel', { '/etc/redhat-release': 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n' }, ['redhat', 'rhel', '8.9']],
    ['rocky', { '/etc/redhat-release': 'Rocky Linux release 9.3 (Blue Onyx)\n' }, ['rocky', 'rhel', '9.3']],
    ['amazon linux 2023', { '/etc/system-release': 'Amazon Linux release 2023.3.20240108 (Amazon Linux)\n', '/etc/os-release': 'ID="amzn"\n' }, ['amazon', 'rhel', '2023.3.20240108']],
    ['fedora', { '/etc/redhat-release': 'Fedora release 39 (Thirty Nine)\n' }, ['fedora', 'fedora', '39']],
    ['os-release fallback', { '/etc/os-release': 'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nVERSION_ID="15.5"\n' }, ['opensuse-leap', 'suse', '15.5']],
    ['os-release of an unknown family', { '/etc/os-release': 'ID=wolfi\nVERSION_ID=20230201\n' }, ['wolfi', '', '']],
    ['a debian_version of 4 bytes is not contents', { '/etc/debian_version': '12\n', '/etc/os-release': 'ID=debian\nVERSION="12 (bookworm)"\n' }, ['debian', 'debian', '12 (bookworm)']],
    ['distroless without release files', {}, ['', '', '']],
  ];
  it.each(cases)('%s', (_name, files, [platform, family, version]) => {
    expect(platformInformation(machine(files))).toEqual({ platform, family, version });
  });
});

describe('virtualization and boot time', () => {
  const stat = { '/proc/stat': 'cpu  1 2 3 4 5 6 7 0 0 0\nintr 123 0 0\nctxt 456\nbtime 1699990000\nprocesses 789\n' };

  it('a docker guest (cgroup v1) takes its boot time from now - /proc/uptime', () => {
    const env = machine({ ...stat, '/proc/self/cgroup': '12:memory:/docker/0123abcd\n0::/\n', '/proc/uptime': '1000.25 3900.00\n' });
    expect(virtualization(env)).toEqual({ system: 'docker', role: 'guest' });
    expect(bootTime(env, virtualization(env))).toBe(1_700_000_000n - 1000n); // trunc(1700000000.5 - 1000.25)
  });

  it('elsewhere boot time is /proc/stat btime', () => {
    const env = machine(stat);
    expect(virtualization(env)).toEqual({ system: '', role: '' });
    expect(bootTime(env, virtualization(env))).toBe(1699990000n);
    expect(() => bootTime(machine({ '/proc/stat': 'cpu 1\n' }), { system: '', role: '' })).toThrow('could not find btime');
  });

  it('later checks override earlier ones, as in gopsutil', () => {
    const kvmHost = { '/proc/modules': 'kvm_intel 372736 0 - Live 0x0000000000000000\nkvm 1142784 1 kvm_intel, Live 0x0000000000000000\n' };
    expect(virtualization(machine(kvmHost))).toEqual({ system: 'kvm', role: 'host' });
    const qemu = { '/proc/cpuinfo': 'processor : 0\nmodel name : QEMU Virtual CPU version 2.5+\n' };
    expect(virtualization(machine({ ...kvmHost, ...qemu }))).toEqual({ system: 'kvm', role: 'guest' });
    expect(virtualization(machine({ '/proc/bus/pci/devices': '0018\t1af41000\t0\tvirtio-pci\n' }))).toEqual({ system: '', role: 'guest' });
    expect(virtualization(machine({ ...qemu, '/proc/1/environ': 'PATH=/bin\0container=lxc\0' }))).toEqual({ system: 'lxc', role: 'guest' });
    expect(virtualization(machine({ '/proc/xen/capabilities': 'control_d\n' }))).toEqual({ system: 'xen', role: 'host' });
    expect(virtualization(machine({ '/proc/vz/version': '1' }))).toEqual({ system: 'openvz', role: 'guest' });
  });
});

describe('hostId (host.HostID)', () => {
  it('prefers DMI product_uuid (lowercased), then machine-id as a UUID, then the boot id', () => {
    const machineId = { '/etc/machine-id': '3d1219c7c4c5404aaa1f6d2a48adfda4\n' };
    const bootId = { '/proc/sys/kernel/random/boot_id': 'B6B1C3A0-0000-4000-8000-000000000001\n' };
    expect(hostId(machine({ '/sys/class/dmi/id/product_uuid': 'EC2A1B2C-0000-1111-2222-333344445555\n', ...machineId }))).toBe('ec2a1b2c-0000-1111-2222-333344445555');
    expect(hostId(machine({ ...machineId, ...bootId }))).toBe('3d1219c7-c4c5-404a-aa1f-6d2a48adfda4');
    expect(hostId(machine({ '/etc/machine-id': 'short\n', ...bootId }))).toBe('b6b1c3a0-0000-4000-8000-000000000001');
  });
});

describe('diskUsage (disk.Usage)', () => {
  it('computes sizes from blocks and used percent of used + available', () => {
    const d = diskUsage(machine({}, { type: 0x58465342n }), '/');
    expect(d).toEqual({
      path: '/',
      fstype: 'xfs',
      total: 4096000n,
      free: 1228800n, // bavail, not bfree
      used: 2457600n, // (blocks - bfree) * bsize
      usedPercent: (600 / 900) * 100,
      inodesTotal: 100n,
      inodesUsed: 40n,
      inodesFree: 60n,
      inodesUsedPercent: 40,
    });
  });

  it('names only gopsutil magic numbers (overlayfs is not one) and leaves used at 0 without inode counts', () => {
    expect(diskUsage(machine({}, {}), '/').fstype).toBe('ext2/ext3');
    expect(diskUsage(machine({}, { type: 0x794c7630n }), '/').fstype).toBe('');
    expect(diskUsage(machine({}, { type: 0x01021994n, files: 0n, ffree: 5n }), '/')).toMatchObject({ fstype: 'tmpfs', used: 0n, usedPercent: 0, inodesUsed: 0n });
  });
});

describe('collectHostInfo (debug.CollectHostInfo)', () => {
  const full = {
    '/proc/meminfo': MEMINFO,
    '/proc/cpuinfo': X86_CPUINFO,
    '/proc/stat': 'btime 1699990000\n',
    '/proc/1/stat': '1 (init)',
    '/proc/42/stat': '42 (node)',
    '/proc/self/cgroup': '0::/\n',
    '/etc/alpine-release': '3.19.1\n',
    '/etc/machine-id': '3d1219c7c4c5404aaa1f6d2a48adfda4\n',
  };

  it('reports every part, in Consul field order, with no errors', () => {
    const info = collectHostInfo(machine(full, {}));
    expect(Object.keys(info)).toEqual(['Memory', 'CPU', 'Host', 'Disk', 'CollectionTime', 'Errors']);
    expect(info.Errors).toBeNull();
    expect(info.CollectionTime).toBe(1_700_000_000_500_000_000n);
    expect(info.CPU).toHaveLength(2);
    expect(info.Memory!.total).toBe(8233472000n);
    expect(info.Disk!.fstype).toBe('ext2/ext3');
    expect(info.Host).toEqual({
      hostname: 'node-1',
      uptime: 3600n,
      bootTime: 1699990000n,
      procs: 2n, // the numeric entries of /proc: 1 and 42
      os: 'linux',
      platform: 'alpine',
      platformFamily: 'alpine',
      platformVersion: '3.19.1',
      kernelVersion: '6.1.0-18-amd64',
      kernelArch: 'x86_64',
      virtualizationSystem: '',
      virtualizationRole: '',
      hostId: '3d1219c7-c4c5-404a-aa1f-6d2a48adfda4',
    });
  });

  it('lists what fails in Errors, in Consul order, and still reports the rest', () => {
    const { '/proc/meminfo': _m, '/proc/stat': _s, ...rest } = full;
    const info = collectHostInfo(machine(rest));
    expect(info.Host).toBeNull();
    expect(info.Memory).toBeNull();
    expect(info.Disk).toBeNull();
    expect(info.CPU).toHaveLength(2);
    expect(info.Errors).toEqual([
      'open /proc/stat: no such file or directory',
      'open /proc/meminfo: no such file or directory',
      'statfs /: no such file or directory',
    ]);
  });

  it('gives a real fs error in Go PathError form', () => {
    let err: unknown;
    try {
      readFileSync('/nonexistent-proconsul-host-info');
    } catch (e) {
      err = e;
    }
    expect(goErrorText(err)).toBe('open /nonexistent-proconsul-host-info: no such file or directory');
  });
});
