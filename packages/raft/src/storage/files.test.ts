import { describe, expect, it } from "vitest";
import { atomicWrite, readSealed } from "./files.js";
import type { FileSystem } from "./fs.js";
import { MemoryFileSystem } from "./memory-fs.js";
import { wrapAppendFiles } from "../testing/wrap-fs.js";

/** The memory file system, with each datasync recorded as the number of bytes the file held then. */
function counting(fs: MemoryFileSystem): {
  fs: FileSystem;
  syncedAt: number[];
} {
  const syncedAt: number[] = [];
  const wrapped = wrapAppendFiles(fs, (f) => {
    let bytes = 0;
    return {
      append: async (data) => {
        const n = await f.append(data);
        bytes += n;
        return n;
      },
      datasync: async () => {
        syncedAt.push(bytes);
        await f.datasync();
      },
      truncate: (length) => f.truncate(length),
      close: () => f.close(),
    };
  });
  return { fs: wrapped, syncedAt };
}

describe("atomicWrite", () => {
  it("syncs a large file every 512 KiB as it writes, so its write-back never piles up ahead of the WAL", async () => {
    const mem = new MemoryFileSystem();
    await mem.mkdir("/d");
    const { fs, syncedAt } = counting(mem);
    const big = new Uint8Array(1280 * 1024 + 5).map((_, i) => i % 251);
    await atomicWrite(fs, "/d", "snapshot", [new Uint8Array([1, 2, 3]), big]);
    const KiB = 1024;
    // The 8-byte seal head and 3 bytes, then the big piece in 512 KiB slices: a sync after each
    // 512 KiB written and one at the end.
    expect(syncedAt).toEqual([11 + 512 * KiB, 11 + 1024 * KiB, 11 + 1280 * KiB + 5]);
    mem.crash();
    const back = await readSealed(mem, "/d/snapshot");
    expect(back?.length).toBe(3 + big.length);
    expect(Buffer.compare(back!.subarray(3), Buffer.from(big))).toBe(0);
  });

  it("a small file is synced once", async () => {
    const mem = new MemoryFileSystem();
    await mem.mkdir("/d");
    const { fs, syncedAt } = counting(mem);
    await atomicWrite(fs, "/d", "snapshot", [new Uint8Array([7])]);
    expect(syncedAt).toEqual([9]);
  });
});
