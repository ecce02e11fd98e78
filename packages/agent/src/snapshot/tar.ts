// A minimal ustar writer and reader: enough for snapshot archives (a few regular files) and
// `proconsul debug` bundles (a directory tree of small files).
const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A file, or with `dir` a directory (typeflag 5, no data), as `writeTar` stores it. */
export interface TarEntry {
  name: string;
  data: Buffer;
  dir?: boolean;
  /** Permission bits; 0o644 for files, 0o755 for directories unless given. */
  mode?: number;
}

/** ustar's name (100 bytes) and prefix (155 bytes) split at a '/', for names over 100 bytes. */
function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let at = name.indexOf('/'); at >= 0; at = name.indexOf('/', at + 1)) {
    const prefix = name.slice(0, at);
    const rest = name.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { name: rest, prefix };
  }
  throw new Error(`tar: name too long for ustar: ${name}`);
}

function header(entry: TarEntry, size: number, mtimeSec: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(entry.name);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(entry.mode ?? (entry.dir ? 0o755 : 0o644), 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeSec, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces while summing
  h.write(entry.dir ? '5' : '0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  if (prefix) h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

export function writeTar(files: TarEntry[], mtimeSec = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const data = f.dir ? Buffer.alloc(0) : f.data;
    parts.push(header(f, data.length, mtimeSec), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

export class TarError extends Error {}

/** Regular files of a tar archive, by name. Throws TarError on a malformed archive. */
export function readTar(buf: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let off = 0;
  for (let i = 0; i < 10_000 && off + BLOCK <= buf.length; i++) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return files;
    let sum = 0;
    for (let j = 0; j < BLOCK; j++) sum += j >= 148 && j < 156 ? 32 : h[j]!;
    const stored = parseInt(h.subarray(148, 156).toString('ascii').replace(/\0.*$/, '').trim(), 8);
    if (stored !== sum) throw new TarError('bad tar header checksum');
    const base = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    // POSIX ustar only: GNU tar (magic "ustar  ") keeps other fields at offset 345.
    const ustar = h.subarray(257, 263).toString('latin1') === 'ustar\0';
    const prefix = ustar ? h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '') : '';
    const name = prefix ? `${prefix}/${base}` : base;
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(h[156]!);
    // A file's data is padded to whole blocks; an archive cut anywhere inside is refused (Go's ErrUnexpectedEOF).
    if (!Number.isFinite(size) || size < 0 || off + BLOCK + Math.ceil(size / BLOCK) * BLOCK > buf.length) throw new TarError('truncated tar archive');
    if (type === '0' || type === '\0') files.set(name, Buffer.from(buf.subarray(off + BLOCK, off + BLOCK + size)));
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (off < buf.length) throw new TarError('truncated tar archive');
  return files;
}
