import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../log.js';
import { scriptHandler, WATCH_BUF_SIZE } from './handlers.js';

function fakeLog(): Logger & { error: ReturnType<typeof vi.fn>; debug: ReturnType<typeof vi.fn> } {
  return { error: vi.fn(), debug: vi.fn(), warn: vi.fn(), info: vi.fn(), trace: vi.fn() } as never;
}

describe('scriptHandler', () => {
  it('gives the data on stdin and CONSUL_INDEX, and logs the tail of a long output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proconsul-handler-'));
    try {
      const log = fakeLog();
      const out = join(dir, 'in.json');
      await scriptHandler(['sh', '-c', `cat > ${out}; echo "$CONSUL_INDEX" >> ${out}; head -c 5000 /dev/zero | tr '\\0' x`], log)('42', { a: 1 });
      expect(readFileSync(out, 'utf8')).toBe('{"a":1}\n42\n');
      const output = (log.debug.mock.calls[0]![0] as { output: string }).output;
      expect(output.startsWith(`Captured ${WATCH_BUF_SIZE} of 5000 bytes\n...\n`)).toBe(true);
      expect(log.error).not.toHaveBeenCalled();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs a failing handler and an empty args list, and returns', async () => {
    const log = fakeLog();
    await scriptHandler('exit 3', log)('1', null);
    expect(log.error.mock.calls[0]![0]).toMatchObject({ error: 'exit status 3' });
    await scriptHandler([], log)('1', null);
    expect(log.error.mock.calls[1]![1]).toBe('Failed to setup watch');
  });
});
