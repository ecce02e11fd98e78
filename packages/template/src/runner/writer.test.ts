import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeIfChanged } from './writer.js';

const dir = mkdtempSync(join(tmpdir(), 'pct-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeIfChanged', () => {
  it('writes, then reports unchanged output without touching the file', async () => {
    const dest = join(dir, 'a.conf');
    expect(await writeIfChanged({ destination: dest, contents: 'one\n' })).toEqual({ status: 'written' });
    expect(readFileSync(dest, 'utf8')).toBe('one\n');
    expect(statSync(dest).mode & 0o777).toBe(0o644);
    const before = statSync(dest).mtimeMs;
    expect(await writeIfChanged({ destination: dest, contents: 'one\n' })).toEqual({ status: 'unchanged' });
    expect(statSync(dest).mtimeMs).toBe(before);
  });
  it('keeps the existing file mode, or uses perms, and leaves no temp files', async () => {
    const dest = join(dir, 'b.conf');
    writeFileSync(dest, 'old');
    chmodSync(dest, 0o600);
    await writeIfChanged({ destination: dest, contents: 'new' });
    expect(statSync(dest).mode & 0o777).toBe(0o600);
    await writeIfChanged({ destination: dest, contents: 'newer', perms: 0o640 });
    expect(statSync(dest).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('creates missing directories and a .bak copy when asked', async () => {
    const dest = join(dir, 'sub', 'dir', 'c.conf');
    await writeIfChanged({ destination: dest, contents: 'v1' });
    await writeIfChanged({ destination: dest, contents: 'v2', backup: true });
    expect(readFileSync(`${dest}.bak`, 'utf8')).toBe('v1');
    expect(readFileSync(dest, 'utf8')).toBe('v2');
  });
  it('a failed validation of the candidate ({{path}}) keeps the last good file', async () => {
    const dest = join(dir, 'd.conf');
    await writeIfChanged({ destination: dest, contents: 'good\n' });
    const validate = 'grep -q good {{path}}';
    const bad = await writeIfChanged({ destination: dest, contents: 'bad\n', validate });
    expect(bad.status).toBe('invalid');
    expect(readFileSync(dest, 'utf8')).toBe('good\n');
    expect((await writeIfChanged({ destination: dest, contents: 'good again\n', validate })).status).toBe('written');
    expect(readFileSync(dest, 'utf8')).toBe('good again\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('a failed in-place validation (no {{path}}) restores the previous file, or removes a new one', async () => {
    const dest = join(dir, 'e.conf');
    await writeIfChanged({ destination: dest, contents: 'good\n' });
    const validate = `grep -q good '${dest}'`;
    expect((await writeIfChanged({ destination: dest, contents: 'bad\n', validate })).status).toBe('invalid');
    expect(readFileSync(dest, 'utf8')).toBe('good\n');
    const fresh = join(dir, 'f.conf');
    expect((await writeIfChanged({ destination: fresh, contents: 'bad\n', validate: `grep -q good '${fresh}'` })).status).toBe('invalid');
    expect(existsSync(fresh)).toBe(false);
  });

  // chown to another user needs root; CI and this machine run the tests as root.
  it.runIf(process.getuid?.() === 0)('sets the template\'s user and group (names or ids), keeps an existing owner, and rewrites for an owner alone', async () => {
    const dest = join(dir, 'owned.conf');
    expect(await writeIfChanged({ destination: dest, contents: 'x', user: 'nobody', group: 'nogroup' })).toEqual({ status: 'written' });
    expect([statSync(dest).uid, statSync(dest).gid]).toEqual([65534, 65534]);
    // New contents without user/group: the file keeps its owner.
    expect(await writeIfChanged({ destination: dest, contents: 'y' })).toEqual({ status: 'written' });
    expect([statSync(dest).uid, statSync(dest).gid]).toEqual([65534, 65534]);
    // Same contents, another owner: written for the owner alone (consul-template's isChownNeeded).
    expect(await writeIfChanged({ destination: dest, contents: 'y', user: 'nobody' })).toEqual({ status: 'unchanged' });
    expect(await writeIfChanged({ destination: dest, contents: 'y', user: '1234' })).toEqual({ status: 'written' });
    expect([statSync(dest).uid, statSync(dest).gid]).toEqual([1234, 65534]);
    await expect(writeIfChanged({ destination: dest, contents: 'z', user: 'no-such-user-here' })).rejects.toThrow('failed looking up user: user: unknown user no-such-user-here');
    expect(readFileSync(dest, 'utf8')).toBe('y');
  });
});
