/** The DATA argument of `kv put` / `kv import`: literal, `@file`, or `-` for stdin (Consul's dataFromArgs). */
import { readFile } from 'node:fs/promises';
import type { Io } from '../io.js';

export class DataError extends Error {}

export async function readDataArg(data: string, io: Io): Promise<Uint8Array> {
  if (data.length === 0) return new Uint8Array(0);
  if (data[0] === '@') {
    try {
      return new Uint8Array(await readFile(data.slice(1)));
    } catch (err) {
      throw new DataError(`Failed to read file: ${goFileError(err, data.slice(1))}`);
    }
  }
  if (data === '-') {
    try {
      return await io.readStdin();
    } catch (err) {
      throw new DataError(`Failed to read stdin: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return new TextEncoder().encode(data);
}

/** Go's *PathError text: `open <path>: no such file or directory`. */
export function goFileError(err: unknown, path: string): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return `open ${path}: no such file or directory`;
  if (code === 'EACCES') return `open ${path}: permission denied`;
  if (code === 'EISDIR') return `read ${path}: is a directory`;
  return err instanceof Error ? err.message : String(err);
}
