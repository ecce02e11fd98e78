// gopsutil v3's mem.VirtualMemory on Linux (mem_linux.go fillFromMeminfoWithContext): the
// VirtualMemoryStat of a /proc/meminfo text, with gopsutil's quirks kept. Keys match
// case-sensitively (so the kernel's `Writeback` never fills `writeBack`), `cached` includes
// SReclaimable, `used` is total - free - buffers - cached as a uint64 (it wraps, as Go's does).
import { goParseInt } from '@proconsul/sockaddr';

/** mem.VirtualMemoryStat, keys and order of its JSON tags. Go's uint64 fields are bigints. */
export interface VirtualMemoryStat {
  total: bigint;
  available: bigint;
  used: bigint;
  usedPercent: number;
  free: bigint;
  active: bigint;
  inactive: bigint;
  wired: bigint;
  laundry: bigint;
  buffers: bigint;
  cached: bigint;
  writeBack: bigint;
  dirty: bigint;
  writeBackTmp: bigint;
  shared: bigint;
  slab: bigint;
  sreclaimable: bigint;
  sunreclaim: bigint;
  pageTables: bigint;
  swapCached: bigint;
  commitLimit: bigint;
  committedAS: bigint;
  highTotal: bigint;
  highFree: bigint;
  lowTotal: bigint;
  lowFree: bigint;
  swapTotal: bigint;
  swapFree: bigint;
  mapped: bigint;
  vmallocTotal: bigint;
  vmallocUsed: bigint;
  vmallocChunk: bigint;
  hugePagesTotal: bigint;
  hugePagesFree: bigint;
  hugePagesRsvd: bigint;
  hugePagesSurp: bigint;
  hugePageSize: bigint;
}

type U64Field = Exclude<keyof VirtualMemoryStat, 'usedPercent'>;

/** The meminfo keys gopsutil reads into the stat, in kB (`true`) or as counts (`false`). */
const KEYS: Record<string, [U64Field, boolean]> = {
  MemTotal: ['total', true],
  MemFree: ['free', true],
  MemAvailable: ['available', true],
  Buffers: ['buffers', true],
  Cached: ['cached', true],
  Active: ['active', true],
  Inactive: ['inactive', true],
  WriteBack: ['writeBack', true],
  WriteBackTmp: ['writeBackTmp', true],
  Dirty: ['dirty', true],
  Shmem: ['shared', true],
  Slab: ['slab', true],
  SReclaimable: ['sreclaimable', true],
  SUnreclaim: ['sunreclaim', true],
  PageTables: ['pageTables', true],
  SwapCached: ['swapCached', true],
  CommitLimit: ['commitLimit', true],
  Committed_AS: ['committedAS', true],
  HighTotal: ['highTotal', true],
  HighFree: ['highFree', true],
  LowTotal: ['lowTotal', true],
  LowFree: ['lowFree', true],
  SwapTotal: ['swapTotal', true],
  SwapFree: ['swapFree', true],
  Mapped: ['mapped', true],
  VmallocTotal: ['vmallocTotal', true],
  VmallocUsed: ['vmallocUsed', true],
  VmallocChunk: ['vmallocChunk', true],
  HugePages_Total: ['hugePagesTotal', false],
  HugePages_Free: ['hugePagesFree', false],
  HugePages_Rsvd: ['hugePagesRsvd', false],
  HugePages_Surp: ['hugePagesSurp', false],
  Hugepagesize: ['hugePageSize', true],
};
/** Keys gopsutil parses (a bad value is an error) into the extended stat, which Consul does not report. */
const EX_KEYS = new Set(['Active(anon)', 'Inactive(anon)', 'Active(file)', 'Inactive(file)', 'Unevictable']);

const u64 = (n: bigint): bigint => BigInt.asUintN(64, n);

/** The stat of a /proc/meminfo text; throws Go's strconv error on a value that is not a uint64. */
export function parseMeminfo(lines: readonly string[]): VirtualMemoryStat {
  const m: VirtualMemoryStat = {
    total: 0n, available: 0n, used: 0n, usedPercent: 0, free: 0n, active: 0n, inactive: 0n, wired: 0n, laundry: 0n,
    buffers: 0n, cached: 0n, writeBack: 0n, dirty: 0n, writeBackTmp: 0n, shared: 0n, slab: 0n, sreclaimable: 0n,
    sunreclaim: 0n, pageTables: 0n, swapCached: 0n, commitLimit: 0n, committedAS: 0n, highTotal: 0n, highFree: 0n,
    lowTotal: 0n, lowFree: 0n, swapTotal: 0n, swapFree: 0n, mapped: 0n, vmallocTotal: 0n, vmallocUsed: 0n,
    vmallocChunk: 0n, hugePagesTotal: 0n, hugePagesFree: 0n, hugePagesRsvd: 0n, hugePagesSurp: 0n, hugePageSize: 0n,
  };
  let memAvailable = false;
  for (const line of lines) {
    const fields = line.split(':');
    if (fields.length !== 2) continue;
    const key = fields[0]!.trim();
    const value = fields[1]!.trim().replaceAll(' kB', '');
    const target = KEYS[key];
    if (target === undefined && !EX_KEYS.has(key)) continue;
    const n = goParseInt(value, 64, false);
    if (target === undefined) continue;
    const [field, kB] = target;
    m[field] = kB ? u64(n * 1024n) : n;
    if (key === 'MemAvailable') memAvailable = true;
  }
  m.cached = u64(m.cached + m.sreclaimable);
  // Without MemAvailable (kernels before 3.14, older than Node 20 runs on) gopsutil estimates
  // from /proc/zoneinfo's watermarks, or falls back to this when it cannot read them.
  if (!memAvailable) m.available = u64(m.cached + m.free);
  m.used = u64(m.total - m.free - m.buffers - m.cached);
  // Go divides 0 by 0 into NaN (which its JSON encoder then refuses): report 0.
  m.usedPercent = m.total === 0n ? 0 : (Number(m.used) / Number(m.total)) * 100;
  return m;
}
