// Puts a rendered file in place: only when it changed, atomically (temp file
// in the same directory, fsync, rename), keeping the permissions and owner (or
// setting the template's user and group), and — when a validation command is
// set — only if the validation accepts it; otherwise the last good file stays.

import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ownerId } from '../os-user.js';
import { runCommand, shellQuote, type CommandResult } from './command.js';

export interface WriteSpec {
  destination: string;
  contents: string;
  /** File mode; default: the existing file's, else 0644. */
  perms?: number;
  /** Copy the previous file to `<destination>.bak` first. */
  backup?: boolean;
  createDestDirs?: boolean;
  /** Validation command; `{{path}}` is replaced by the candidate file. Without it the candidate is tried in place. */
  validate?: string;
  validateTimeoutMs?: number;
  /** Owner to set (name or id; consul-template's `user`/`uid`); default: the existing file's. */
  user?: string;
  /** Group to set (name or id; `group`/`gid`); default: the existing file's. */
  group?: string;
}

export type WriteOutcome =
  | { status: 'unchanged' }
  | { status: 'written' }
  | { status: 'invalid'; validation: CommandResult };

interface Current {
  contents: string;
  mode: number;
  uid: number;
  gid: number;
}

async function current(path: string): Promise<Current | undefined> {
  try {
    const [contents, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { contents, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Who should own the written file, and whether that was asked for (else only kept from the old file). */
interface Owner {
  uid: number;
  gid: number;
  asked: boolean;
}

async function writeTemp(dir: string, base: string, contents: string, mode: number, owner?: Owner): Promise<string> {
  const tmp = join(dir, `.${base}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(contents, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(tmp, mode); // the umask must not narrow the mode
  // Owned before the rename, so the file never appears with the wrong owner. Keeping the old
  // file's owner may be refused (a user cannot give a file away): consul-template only warns.
  if (owner) {
    await chown(tmp, owner.uid, owner.gid).catch((e: NodeJS.ErrnoException) => {
      if (owner.asked || e.code !== 'EPERM') throw e;
    });
  }
  return tmp;
}

export async function writeIfChanged(spec: WriteSpec): Promise<WriteOutcome> {
  const dest = spec.destination;
  const dir = dirname(dest);
  const base = basename(dest);
  const existing = await current(dest);
  const uid = ownerId(spec.user, 'user');
  const gid = ownerId(spec.group, 'group');
  const ownerWrong = existing !== undefined && ((uid !== -1 && uid !== existing.uid) || (gid !== -1 && gid !== existing.gid));
  if (existing && existing.contents === spec.contents && !ownerWrong) return { status: 'unchanged' };
  if (spec.createDestDirs !== false) await mkdir(dir, { recursive: true });
  const mode = spec.perms ?? existing?.mode ?? 0o644;
  const asked = uid !== -1 || gid !== -1;
  const owner: Owner | undefined =
    asked || existing ? { uid: uid !== -1 ? uid : (existing?.uid ?? -1), gid: gid !== -1 ? gid : (existing?.gid ?? -1), asked } : undefined;
  const tmp = await writeTemp(dir, base, spec.contents, mode, owner);
  try {
    if (spec.validate && spec.validate.includes('{{path}}')) {
      const res = await runCommand(spec.validate.split('{{path}}').join(shellQuote(tmp)), spec.validateTimeoutMs ?? 30_000);
      if (!res.ok) return { status: 'invalid', validation: res };
    }
    if (spec.backup && existing) await copyFile(dest, `${dest}.bak`);
    await rename(tmp, dest);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  if (spec.validate && !spec.validate.includes('{{path}}')) {
    // The candidate is in place (e.g. an include that `nginx -t` reads through the main config).
    const res = await runCommand(spec.validate, spec.validateTimeoutMs ?? 30_000);
    if (!res.ok) {
      if (existing) {
        const back = await writeTemp(dir, base, existing.contents, existing.mode, { uid: existing.uid, gid: existing.gid, asked: false });
        await rename(back, dest);
      } else {
        await unlink(dest).catch(() => undefined);
      }
      return { status: 'invalid', validation: res };
    }
  }
  return { status: 'written' };
}
