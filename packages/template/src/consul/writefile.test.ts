// writeToFile with consul-template's cases (Test_writeToFile and
// Test_writeToFile_symlink_rejection in template/template_test.go).
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Template } from '../engine/template.js';
import { helperFuncs } from './helpers.js';
import { Scratch } from './scratch.js';

function render(text: string): string {
  return new Template('t', { funcs: helperFuncs(() => new Scratch()) }).parse(text).execute(null);
}

const uid = process.getuid!();
const gid = process.getgid!();
const userName = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[2] === String(uid))?.split(':')[0];
const groupName = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid))?.split(':')[0];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'write-to-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeToFile', () => {
  // name, file (created with "before" unless it is in a new directory), user, group, mode, flags, expected content
  const cases: Array<[string, string, string, string, string, string, string]> = [
    ['without flags', '', userName ?? String(uid), groupName ?? String(gid), '0644', '', 'after'],
    ['with different file permissions', '', userName ?? String(uid), groupName ?? String(gid), '0666', '', 'after'],
    ['with append', '', userName ?? String(uid), groupName ?? String(gid), '0644', '"append"', 'beforeafter'],
    ['with newline', '', userName ?? String(uid), groupName ?? String(gid), '0644', '"newline"', 'after\n'],
    ['with append and newline', '', userName ?? String(uid), groupName ?? String(gid), '0644', '"append,newline"', 'beforeafter\n'],
    ['default owner', '', '', '', '0644', '', 'after'],
    ['provide uid gid', '', String(uid), String(gid), '0644', '', 'after'],
    ['provide just gid', '', '', String(gid), '0644', '', 'after'],
    ['provide just uid', '', String(uid), '', '0644', '', 'after'],
    ['create directory', 'demo/testing.tmp', userName ?? String(uid), groupName ?? String(gid), '0644', '', 'after'],
  ];
  for (const [name, file, user, group, mode, flags, want] of cases) {
    it(name, () => {
      const path = join(dir, file || 'out.txt');
      if (!file) writeFileSync(path, 'before');
      expect(render(`{{ "after" | writeToFile "${path}" "${user}" "${group}" "${mode}" ${flags} }}`)).toBe('');
      expect(readFileSync(path, 'utf8')).toBe(want);
      const st = statSync(path);
      expect(st.mode & 0o7777).toBe(parseInt(mode, 8));
      expect([st.uid, st.gid]).toEqual([uid, gid]);
    });
  }

  it('sets the mode even when the umask or an old file had another', () => {
    const path = join(dir, 'secret');
    writeFileSync(path, 'x', { mode: 0o666 });
    chmodSync(path, 0o666);
    render(`{{ "k" | writeToFile "${path}" "" "" "0600" }}`);
    expect(statSync(path).mode & 0o7777).toBe(0o600);
    // Go's os.FileMode has its own setuid bit: an octal 4755 is just 0755 there.
    render(`{{ "k" | writeToFile "${path}" "" "" "4755" }}`);
    expect(statSync(path).mode & 0o7777).toBe(0o755);
  });

  it('refuses a symlink as the file or as its directory, also when appending', () => {
    const sensitive = join(dir, 'sensitive.txt');
    writeFileSync(sensitive, 'secret');
    const link = join(dir, 'output.txt');
    symlinkSync(sensitive, link);
    expect(() => render(`{{ "data" | writeToFile "${link}" "" "" "0644" }}`)).toThrow(`writeToFile: refusing to write to symlink "${link}"`);
    expect(() => render(`{{ "data" | writeToFile "${link}" "" "" "0644" "append" }}`)).toThrow('refusing to write to symlink');
    const linkedDir = join(dir, 'subdir');
    symlinkSync(join(dir), linkedDir);
    expect(() => render(`{{ "data" | writeToFile "${linkedDir}/output2.txt" "" "" "0644" }}`)).toThrow(
      `writeToFile: refusing to write through symlinked directory in path "${linkedDir}/output2.txt"`,
    );
    expect(readFileSync(sensitive, 'utf8')).toBe('secret');
    expect(existsSync(join(dir, 'output2.txt'))).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("Go's errors: mode, unknown user and group, missing content", () => {
    const path = join(dir, 'f');
    expect(() => render(`{{ "x" | writeToFile "${path}" "" "" "0899" }}`)).toThrow('error calling writeToFile: strconv.ParseUint: parsing "0899": invalid syntax');
    expect(() => render(`{{ "x" | writeToFile "${path}" "no-such-user-x" "" "0644" }}`)).toThrow('user: unknown user no-such-user-x');
    expect(() => render(`{{ "x" | writeToFile "${path}" "" "no-such-group-x" "0644" }}`)).toThrow('group: unknown group no-such-group-x');
    expect(() => render(`{{ writeToFile "${path}" "" "" "0644" }}`)).toThrow('runtime error: index out of range [-1]');
    expect(() => render(`{{ "x" | writeToFile "${dir}" "" "" "0644" }}`)).toThrow(`open ${dir}: is a directory`);
  });

  it.runIf(uid === 0)('as root, gives the file to another user and group, by id or by name', () => {
    const path = join(dir, 'owned');
    render(`{{ "x" | writeToFile "${path}" "4242" "4343" "0640" }}`);
    expect([statSync(path).uid, statSync(path).gid]).toEqual([4242, 4343]);
    render(`{{ "x" | writeToFile "${path}" "nobody" "" "0640" }}`);
    const nobody = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))!.split(':')[2];
    expect([statSync(path).uid, statSync(path).gid]).toEqual([Number(nobody), gid]);
  });
});
