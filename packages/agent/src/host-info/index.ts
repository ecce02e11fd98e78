// GET /v1/agent/host's body: Consul's debug.CollectHostInfo (agent/debug/host.go) over
// gopsutil v3's Linux readings. Each part that fails is null and its error is listed in
// `Errors`; the others are still reported.
import { parseCpuinfo, type CpuInfoStat } from './cpu.js';
import { diskUsage, type DiskUsageStat } from './disk.js';
import { goErrorText, readLines, splitLines, type HostEnv } from './env.js';
import { hostInfo, type HostInfoStat } from './host.js';
import { parseMeminfo, type VirtualMemoryStat } from './memory.js';

export { SYSTEM_ENV, type HostEnv } from './env.js';

/** debug.DiskUsagePath. */
const DISK_USAGE_PATH = '/';

/** debug.HostInfo, fields in Consul's order. */
export interface HostInfo {
  Memory: VirtualMemoryStat | null;
  CPU: CpuInfoStat[] | null;
  Host: HostInfoStat | null;
  Disk: DiskUsageStat | null;
  /** Unix nanoseconds (an int64: a bigint). */
  CollectionTime: bigint;
  /** The errors' texts (Consul encodes Go error values here, which mostly come out as `{}`). */
  Errors: string[] | null;
}

/** mem.VirtualMemory: gopsutil reads an unreadable /proc/meminfo as zeros; here it is an error. */
function memory(env: HostEnv): VirtualMemoryStat {
  return parseMeminfo(splitLines(env.read(env.proc('meminfo'))));
}

/** cpu.Info: an unreadable /proc/cpuinfo is no CPUs (null), as gopsutil's. */
function cpus(env: HostEnv): CpuInfoStat[] | null {
  const sysLine = (cpu: number, rel: string): string | undefined => readLines(env, env.sys(`devices/system/cpu/cpu${cpu}`, rel))?.[0];
  return parseCpuinfo(readLines(env, env.proc('cpuinfo')) ?? [], sysLine);
}

export function collectHostInfo(env: HostEnv): HostInfo {
  const errors: string[] = [];
  const attempt = <T>(fn: () => T): T | null => {
    try {
      return fn();
    } catch (err) {
      errors.push(goErrorText(err));
      return null;
    }
  };
  const collectionTime = BigInt(env.nowMs()) * 1_000_000n;
  // Consul's order of collection, which is the order of the errors.
  const host = attempt(() => hostInfo(env));
  const mem = attempt(() => memory(env));
  const disk = attempt(() => diskUsage(env, DISK_USAGE_PATH));
  const cpu = attempt(() => cpus(env));
  return { Memory: mem, CPU: cpu, Host: host, Disk: disk, CollectionTime: collectionTime, Errors: errors.length > 0 ? errors : null };
}
