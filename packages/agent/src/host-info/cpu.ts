// gopsutil v3's cpu.Info on Linux (cpu_linux.go InfoWithContext, finishCPUInfo): one InfoStat
// per `processor` of /proc/cpuinfo, with gopsutil's quirks kept: a line is split on every ":"
// and only the second piece kept, `Processor` (old ARM) names the model of the processors after
// it, and `mhz` is cpufreq/cpuinfo_max_freq when that file can be read.
import { goParseFloat, goParseInt } from '@proconsul/sockaddr';

/** cpu.InfoStat, keys and order of its JSON tags. */
export interface CpuInfoStat {
  cpu: number;
  vendorId: string;
  family: string;
  model: string;
  stepping: number;
  physicalId: string;
  coreId: string;
  cores: number;
  modelName: string;
  mhz: number;
  cacheSize: number;
  /** null when the processor has no flags/Features line (Go's nil slice). */
  flags: string[] | null;
  microcode: string;
}

/** The value of a MIDR implementer code (`CPU implementer : 0x41`). */
const ARM_IMPLEMENTERS: Record<number, string> = {
  0x41: 'ARM', 0x42: 'Broadcom', 0x43: 'Cavium', 0x44: 'DEC', 0x46: 'Fujitsu', 0x48: 'HiSilicon', 0x49: 'Infineon',
  0x4d: 'Motorola/Freescale', 0x4e: 'NVIDIA', 0x50: 'APM', 0x51: 'Qualcomm', 0x56: 'Marvell', 0x61: 'Apple', 0x69: 'Intel', 0xc0: 'Ampere',
};

/** Go's strconv.ParseUint(text, 0, 8): a prefix picks the base; undefined on error. */
function parseUint8Base0(text: string): number | undefined {
  const m = /^(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]?([0-7]+)|([1-9]\d*|0))$/.exec(text);
  if (!m) return undefined;
  const n = m[1] ? parseInt(m[1], 16) : m[2] ? parseInt(m[2], 2) : m[3] ? parseInt(m[3], 8) : Number(m[4]);
  return n <= 0xff ? n : undefined;
}

/** Go's strconv.ParseFloat(text, 64); undefined on error (gopsutil ignores it where it reads MHz). */
function floatOrUndefined(text: string): number | undefined {
  try {
    return goParseFloat(text);
  } catch {
    return undefined;
  }
}

const int32 = (n: bigint): number => Number(BigInt.asIntN(32, n));

/**
 * The CPUs of a /proc/cpuinfo text. `sysLine(cpu, rel)` is the first line of
 * /sys/devices/system/cpu/cpu<N>/<rel>, undefined when it cannot be read. Throws Go's strconv
 * error on a bad `processor`, `stepping` or `cache size` (as gopsutil returns one).
 */
export function parseCpuinfo(lines: readonly string[], sysLine: (cpu: number, rel: string) => string | undefined): CpuInfoStat[] | null {
  let ret: CpuInfoStat[] | null = null;
  let processorName = '';
  const fresh = (cpu: number): CpuInfoStat => ({
    cpu, vendorId: '', family: '', model: '', stepping: 0, physicalId: '', coreId: '', cores: 1,
    modelName: processorName, mhz: 0, cacheSize: 0, flags: null, microcode: '',
  });
  const finish = (c: CpuInfoStat): void => {
    if (c.coreId.length === 0) c.coreId = sysLine(c.cpu, 'topology/core_id') ?? '';
    const max = sysLine(c.cpu, 'cpufreq/cpuinfo_max_freq');
    const value = max === undefined ? undefined : floatOrUndefined(max);
    if (value === undefined) return;
    c.mhz = value / 1000; // kHz
    if (c.mhz > 9999) c.mhz = c.mhz / 1000; // the file held Hz
  };
  let c = fresh(-1);
  for (const line of lines) {
    const fields = line.split(':');
    if (fields.length < 2) continue;
    const key = fields[0]!.trim();
    const value = fields[1]!.trim();
    switch (key) {
      case 'Processor':
        processorName = value;
        break;
      case 'processor':
        if (c.cpu >= 0) {
          finish(c);
          (ret ??= []).push(c);
        }
        c = fresh(int32(goParseInt(value, 64, true)));
        break;
      case 'vendorId':
      case 'vendor_id':
        c.vendorId = value;
        break;
      case 'CPU implementer': {
        const v = parseUint8Base0(value);
        if (v !== undefined && ARM_IMPLEMENTERS[v] !== undefined) c.vendorId = ARM_IMPLEMENTERS[v];
        break;
      }
      case 'cpu family':
        c.family = value;
        break;
      case 'model':
      case 'CPU part':
        c.model = value;
        break;
      case 'model name':
      case 'cpu':
        c.modelName = value;
        if (value.includes('POWER8') || value.includes('POWER7')) {
          c.model = value.split(' ')[0]!;
          c.family = 'POWER';
          c.vendorId = 'IBM';
        }
        break;
      case 'stepping':
      case 'revision':
      case 'CPU revision':
        c.stepping = int32(goParseInt(key === 'revision' ? value.split('.')[0]! : value, 64, true));
        break;
      case 'cpu MHz':
      case 'clock': {
        const mhz = floatOrUndefined(value.replace('MHz', ''));
        if (mhz !== undefined) c.mhz = mhz; // the fallback when cpufreq is not readable
        break;
      }
      case 'cache size':
        c.cacheSize = int32(goParseInt(value.replace(' KB', ''), 64, true));
        break;
      case 'physical id':
        c.physicalId = value;
        break;
      case 'core id':
        c.coreId = value;
        break;
      case 'flags':
      case 'Features':
        c.flags = value.split(/[, ]/).filter((f) => f !== '');
        break;
      case 'microcode':
        c.microcode = value;
        break;
    }
  }
  if (c.cpu >= 0) {
    finish(c);
    (ret ??= []).push(c);
  }
  return ret;
}
