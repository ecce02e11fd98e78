// gopsutil v3's disk.Usage on Linux (disk/disk_unix.go UsageWithContext, disk_linux.go getFsType):
// statfs(2) of a path; `fstype` names the filesystem's magic number as gopsutil's table does
// (ext2, ext3 and ext4 share "ext2/ext3"; a magic gopsutil does not list, such as overlayfs', is "").
import type { HostEnv } from './env.js';

/** disk.UsageStat, keys and order of its JSON tags. Go's uint64 fields are bigints. */
export interface DiskUsageStat {
  path: string;
  fstype: string;
  total: bigint;
  free: bigint;
  used: bigint;
  usedPercent: number;
  inodesTotal: bigint;
  inodesUsed: bigint;
  inodesFree: bigint;
  inodesUsedPercent: number;
}

/** disk_linux.go fsTypeMap, names as gopsutil spells them. */
export const FS_TYPES: ReadonlyMap<number, string> = new Map([
  [0xadf5, 'adfs'], [0xadff, 'affs'], [0x5346414f, 'afs'], [0x09041934, 'anon-inode FS'], [0x61756673, 'aufs'],
  [0x42465331, 'befs'], [0x62646576, 'bdevfs'], [0x1badface, 'bfs'], [0x42494e4d, 'binfmt_misc'], [0xcafe4a11, 'bpf'],
  [0x9123683e, 'btrfs'], [0x00c36400, 'ceph'], [0x0027e0eb, 'cgroupfs'], [0x63677270, 'cgroup2fs'], [0xff534d42, 'cifs'],
  [0x73757245, 'coda'], [0x012ff7b7, 'coh'], [0x62656570, 'configfs'], [0x28cd3d45, 'cramfs'], [0x64626720, 'debugfs'],
  [0x1373, 'devfs'], [0x1cd1, 'devpts'], [0xf15f, 'ecryptfs'], [0xde5e81e4, 'efivarfs'], [0x00414a53, 'efs'],
  [0x137d, 'ext'], [0xef53, 'ext2/ext3'], [0xef51, 'ext2'], [0xf2f52010, 'f2fs'], [0x4006, 'fat'],
  [0x19830326, 'fhgfs'], [0x65735546, 'fuseblk'], [0x65735543, 'fusectl'], [0x0bad1dea, 'futexfs'], [0x1161970, 'gfs/gfs2'],
  [0x47504653, 'gpfs'], [0x4244, 'hfs'], [0x482b, 'hfsplus'], [0xf995e849, 'hpfs'], [0x958458f6, 'hugetlbfs'],
  [0x11307854, 'inodefs'], [0x2bad1dea, 'inotifyfs'], [0x9660, 'isofs'], [0x4004, 'isofs'], [0x4000, 'isofs'],
  [0x07c0, 'jffs'], [0x72b6, 'jffs2'], [0x3153464a, 'jfs'], [0x6b414653, 'k-afs'], [0x0bd00bd0, 'lustre'],
  [0x137f, 'minix'], [0x138f, 'minix (30 char.)'], [0x2468, 'minix v2'], [0x2478, 'minix v2 (30 char.)'], [0x4d5a, 'minix3'],
  [0x19800202, 'mqueue'], [0x4d44, 'msdos'], [0x564c, 'novell'], [0x6969, 'nfs'], [0x6e667364, 'nfsd'],
  [0x3434, 'nilfs'], [0x6e736673, 'nsfs'], [0x5346544e, 'ntfs'], [0x9fa1, 'openprom'], [0x7461636f, 'ocfs2'],
  [0xaad7aaea, 'panfs'], [0x50495045, 'pipefs'], [0x9fa0, 'proc'], [0x6165676c, 'pstorefs'], [0x002f, 'qnx4'],
  [0x68191122, 'qnx6'], [0x858458f6, 'ramfs'], [0x52654973, 'reiserfs'], [0x7275, 'romfs'], [0x67596969, 'rpc_pipefs'],
  [0x73636673, 'securityfs'], [0xf97cff8c, 'selinux'], [0x517b, 'smb'], [0x534f434b, 'sockfs'], [0x73717368, 'squashfs'],
  [0x62656572, 'sysfs'], [0x012ff7b6, 'sysv2'], [0x012ff7b5, 'sysv4'], [0x01021994, 'tmpfs'], [0x74726163, 'tracefs'],
  [0x15013346, 'udf'], [0x00011954, 'ufs'], [0x54190100, 'ufs'], [0x9fa2, 'usbdevfs'], [0x01021997, 'v9fs'],
  [0xbacbacbc, 'vmhgfs'], [0xa501fcf5, 'vxfs'], [0x565a4653, 'vzfs'], [0xabba1974, 'xenfs'], [0x012ff7b4, 'xenix'],
  [0x58465342, 'xfs'], [0x012fd16d, 'xia'], [0x2fc12fc1, 'zfs'],
]);

const percent = (part: bigint, whole: bigint): number => (whole === 0n ? 0 : (Number(part) / Number(whole)) * 100);

/** disk.Usage of a path (its name as given: gopsutil unescapes fstab octal escapes, which "/" has none of). */
export function diskUsage(env: HostEnv, path: string): DiskUsageStat {
  const s = env.statfs(path);
  const u = (n: bigint): bigint => BigInt.asUintN(64, n);
  const ret: DiskUsageStat = {
    path,
    fstype: FS_TYPES.get(Number(s.type)) ?? '',
    total: u(s.blocks * s.bsize),
    free: u(s.bavail * s.bsize),
    used: 0n,
    usedPercent: 0,
    inodesTotal: s.files,
    inodesUsed: 0n,
    inodesFree: s.ffree,
    inodesUsedPercent: 0,
  };
  if (ret.inodesTotal < ret.inodesFree) return ret; // gopsutil: inode counts unknown, the rest left zero
  ret.inodesUsed = ret.inodesTotal - ret.inodesFree;
  ret.used = u((s.blocks - s.bfree) * s.bsize);
  ret.inodesUsedPercent = percent(ret.inodesUsed, ret.inodesTotal);
  // Of used + free (what a non-root user may fill), not of total: gopsutil issue #562.
  ret.usedPercent = percent(ret.used, u(ret.used + ret.free));
  return ret;
}
