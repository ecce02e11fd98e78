import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUiDist } from './ui.js';

describe('findUiDist', () => {
  it('finds a built @proconsul/ui in a node_modules above, and nothing without index.html', () => {
    const root = mkdtempSync(join(tmpdir(), 'proconsul-ui-'));
    try {
      const deep = join(root, 'a', 'b', 'c');
      mkdirSync(deep, { recursive: true });
      const dist = join(root, 'node_modules', '@proconsul', 'ui', 'dist');
      mkdirSync(dist, { recursive: true });
      expect(findUiDist(deep)).toBeUndefined();
      writeFileSync(join(dist, 'index.html'), '<html></html>');
      expect(findUiDist(deep)).toBe(dist);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
