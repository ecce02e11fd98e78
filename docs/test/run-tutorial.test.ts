// The runner itself: it must fail on a failing block, time out, and stop background processes.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractBlocks, runTutorial } from './run-tutorial.js';

const fence = '```';
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function md(text: string): string {
  const dir = scratch('proconsul-docs-md-');
  const file = join(dir, 't.md');
  writeFileSync(file, text);
  return file;
}

describe('runTutorial', () => {
  it('extracts only sh fences, with their attributes', () => {
    const blocks = extractBlocks(`a\n${fence}sh\necho 1\n${fence}\n${fence}console\n$ no\n${fence}\n${fence}sh background\nsleep 9\n${fence}\n${fence}sh cleanup timeout=5\ntrue\n${fence}\n`);
    expect(blocks.map((b) => [b.kind, b.code, b.line, b.timeoutMs])).toEqual([
      ['run', 'echo 1', 2, 60_000],
      ['background', 'sleep 9', 8, 60_000],
      ['cleanup', 'true', 11, 5_000],
    ]);
  });

  it('rejects an unknown attribute rather than ignoring it', () => {
    expect(() => extractBlocks(`${fence}sh bakground\ntrue\n${fence}\n`)).toThrow(/unknown fence attribute "bakground"/);
  });

  it('carries variables and the directory over, and fails with the block and its output', async () => {
    const file = md(`${fence}sh\nGREETING=hi\nexport PATH="/opt/docs-test:$PATH"\nmkdir sub && cd sub\n${fence}\n${fence}sh\necho "$GREETING from $(basename "$PWD") \${PATH%%:*}"\nfalse\necho never\n${fence}\n`);
    const r = await runTutorial(file);
    expect(r.ok).toBe(false);
    expect(r.report).toContain(':6: exited with 1');
    expect(r.report).toContain('hi from sub /opt/docs-test');
    expect(r.report).not.toContain('\nnever');
  });

  it('passes a tutorial whose blocks set no variable', async () => {
    const r = await runTutorial(md(`${fence}sh\ntrue\n${fence}\n${fence}sh\ntrue\n${fence}\n`));
    expect(r.ok, r.report).toBe(true);
    expect(r.blocksRun).toBe(2);
  });

  it('fails a failing command in a pipeline (pipefail)', async () => {
    const r = await runTutorial(md(`${fence}sh\nfalse | cat\n${fence}\n`));
    expect(r.ok).toBe(false);
  });

  it('gives a cleanup block the variables of a block that failed', async () => {
    const dir = scratch('proconsul-docs-cleanup-');
    const r = await runTutorial(md(`${fence}sh\nexport PROJECT=mine\nfalse\n${fence}\n${fence}sh cleanup\necho "$PROJECT" > ${dir}/project\n${fence}\n`));
    expect(r.ok).toBe(false);
    expect(r.report).toContain('exited with 1');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'project'), 'utf8')).toBe('mine\n');
  });

  it('times a block out and runs cleanup blocks after a failure', async () => {
    const dir = scratch('proconsul-docs-cleanup-');
    const r = await runTutorial(md(`${fence}sh timeout=1\nsleep 30\n${fence}\n${fence}sh cleanup\ntouch ${dir}/cleaned\n${fence}\n`));
    expect(r.ok).toBe(false);
    expect(r.report).toContain('timed out after 1 s');
    expect(existsSync(join(dir, 'cleaned'))).toBe(true);
  });

  it('stops background blocks and `cmd &` leftovers when the tutorial ends', async () => {
    const dir = scratch('proconsul-docs-bg-');
    const pids = join(dir, 'pids');
    const r = await runTutorial(md(`${fence}sh background\necho $$ >> ${pids}; sleep 300\n${fence}\n${fence}sh\nsleep 300 &\necho $! >> ${pids}\nsleep 0.5\n${fence}\n`));
    expect(r.ok, r.report).toBe(true);
    const { readFileSync } = await import('node:fs');
    const listed = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(listed).toHaveLength(2);
    // Gone, or a zombie waiting for an init that reaps late: either way no longer running.
    const running = (pid: number): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    await new Promise((res) => setTimeout(res, 300));
    expect(listed.filter(running)).toEqual([]);
  });
});
