// Crash-safe small files: write a temp file, fsync it, rename over the target, fsync the
// directory (so the rename itself is durable). A reader sees the old or the new file, never a mix.

import { open, rename, unlink } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function atomicWrite(dir: string, name: string, payload: Uint8Array): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(sealed(payload));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

/** Reads a file written by atomicWrite; null when absent; throws when its checksum fails. */
export async function readSealed(path: string): Promise<Buffer | null> {
  let buf: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      buf = await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (buf.length < 8) throw new Error(`${path}: too short (${buf.length} bytes)`);
  const len = buf.readUInt32LE(0);
  const sum = buf.readUInt32LE(4);
  const body = buf.subarray(8);
  if (body.length !== len || crc32(body) !== sum) throw new Error(`${path}: checksum mismatch`);
  return body;
}

export async function removeIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** [u32 length][u32 crc32][payload] */
function sealed(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}
