import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './temp.js';

describe('tempDir', () => {
  it('makes a prefixed directory and removes it with its contents', () => {
    const dir = tempDir('pctest-');
    expect(basename(dir.path)).toMatch(/^pctest-/);
    writeFileSync(join(dir.path, 'f'), 'x');
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
    dir.remove(); // already gone: no error
  });
});
