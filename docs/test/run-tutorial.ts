/**
 * Runs the shell blocks of a tutorial as a reader would, so the docs cannot drift from the code.
 *
 * The markdown convention (docs/tutorials/README.md states it for readers):
 * - ```sh              run in order; must exit 0 within the timeout (60 s, or `sh timeout=N`).
 * - ```sh background   a long-running command the reader starts in a terminal of its own; the
 *                      runner starts it in its own process group and stops it when the tutorial ends.
 * - ```sh cleanup      run at the end, also after a failure (e.g. `docker compose down`).
 * Any other fence (console, text, json, hcl, ...) is shown, never run.
 * A tutorial about this checkout (npm start, deploy/) says `<!-- tutorial: cwd=checkout -->`: its
 * blocks start at the repository root instead of an empty temp dir.
 *
 * Each block runs with `bash -euo pipefail` in one temp dir per tutorial; shell variables,
 * exported ones (PATH too) and the working directory carry over to the next block, as in one terminal. The runner's
 * one addition to the reader's environment: the checkout's node_modules/.bin first on PATH
 * (the tutorials' prerequisite "`proconsul` on your PATH"). Nothing in a block is rewritten.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export type BlockKind = 'run' | 'background' | 'cleanup';

export interface Block {
  kind: BlockKind;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const OUTPUT_TAIL = 6_000;

/** The ```sh blocks of a markdown text, in order. */
export function extractBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.startsWith(fence); j++) body.push(lines[j]!);
    if (j === lines.length) throw new Error(`line ${i + 1}: fence never closed`);
    if (open[2] === 'sh') {
      const words = open[3]!.trim().split(/\s+/).filter(Boolean);
      let kind: BlockKind = 'run';
      let timeoutMs = DEFAULT_TIMEOUT_MS;
      for (const w of words) {
        if (w === 'background' || w === 'cleanup') kind = w;
        else if (/^timeout=\d+$/.test(w)) timeoutMs = Number(w.slice(8)) * 1000;
        else throw new Error(`line ${i + 1}: unknown fence attribute "${w}" (background, cleanup, timeout=N)`);
      }
      blocks.push({ kind, code: body.join('\n'), line: i + 1, timeoutMs });
    }
    i = j;
  }
  return blocks;
}

export interface TutorialResult {
  ok: boolean;
  /** Why it failed: the block, where it is, and its output. */
  report: string;
  blocksRun: number;
}

interface Started {
  block: Block;
  child: ChildProcess;
  outFile: string;
  exited: Promise<number | string>;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function tail(file: string): string {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  return text.length > OUTPUT_TAIL ? `...${text.slice(-OUTPUT_TAIL)}` : text;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Runs every block of `file` in order; stops at the first failing block, then runs cleanups. */
export interface RunOptions {
  /** Added to the environment of every block. */
  env?: NodeJS.ProcessEnv;
  /** Called with each finished block's output (test/run-one.ts prints them). */
  onBlock?: (block: Block, output: string) => void;
}

export async function runTutorial(file: string, opts: RunOptions = {}): Promise<TutorialResult> {
  const env = opts.env ?? {};
  const markdown = readFileSync(file, 'utf8');
  const blocks = extractBlocks(markdown);
  const inCheckout = markdown.includes('<!-- tutorial: cwd=checkout -->');
  const scratch = mkdtempSync(join(tmpdir(), 'proconsul-docs-'));
  const state = join(scratch, 'state.sh');
  writeFileSync(state, '');
  // The shell's own variables (BASH_*, PIPESTATUS, ...): everything else a block sets carries over.
  const baseline = join(scratch, 'baseline');
  writeFileSync(baseline, execFileSync('bash', ['-c', 'compgen -v'], { encoding: 'utf8' }));
  const work = inCheckout ? repoRoot : join(scratch, 'work');
  if (!inCheckout) mkdirSync(work);
  const baseEnv = {
    ...process.env,
    ...env,
    PATH: `${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  };
  const started: Started[] = [];
  let n = 0;

  const start = (block: Block, saveState: boolean): Started => {
    const outFile = join(scratch, `block-${++n}.out`);
    const out = openSync(outFile, 'w');
    // The state is saved on exit, also when the block fails: cleanup blocks need its variables.
    const save = `{ export -p; for v in $(compgen -v | grep -vxFf ${JSON.stringify(baseline)} || true); do declare -p "$v"; done; printf 'cd %q\\n' "$PWD"; } > ${JSON.stringify(state)}`;
    const script = [
      `cd ${JSON.stringify(work)}`,
      `source ${JSON.stringify(state)}`,
      ...(saveState ? [`trap ${shQuote(save)} EXIT`] : []),
      'set -euo pipefail',
      block.code,
    ].join('\n');
    // Its own process group, so `cmd &` inside a block is stopped with it at the end.
    const child = spawn('bash', ['-c', script], { cwd: work, env: baseEnv, stdio: ['ignore', out, out], detached: true });
    closeSync(out);
    const exited = new Promise<number | string>((res) => {
      child.on('exit', (code, signal) => res(code ?? signal ?? 'unknown'));
      child.on('error', (err) => res(err.message));
    });
    const s = { block, child, outFile, exited };
    started.push(s);
    return s;
  };

  const describe = (s: Started, why: string): string =>
    [
      `${file}:${s.block.line}: ${why}`,
      '--- block ---',
      s.block.code,
      '--- output ---',
      tail(s.outFile),
    ].join('\n');

  const backgroundTails = (): string =>
    started
      .filter((s) => s.block.kind === 'background')
      .map((s) => `--- background block at line ${s.block.line} (output) ---\n${tail(s.outFile)}`)
      .join('\n');

  const runToEnd = async (block: Block): Promise<string | undefined> => {
    const s = start(block, block.kind === 'run');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), block.timeoutMs)));
    const result = await Promise.race([s.exited, timedOut]);
    clearTimeout(timer);
    opts.onBlock?.(block, tail(s.outFile));
    if (result === 'timeout') {
      killGroup(s.child, 'SIGKILL');
      return describe(s, `timed out after ${block.timeoutMs / 1000} s`);
    }
    return result === 0 ? undefined : describe(s, `exited with ${result}`);
  };

  let failure: string | undefined;
  let blocksRun = 0;
  try {
    for (const block of blocks) {
      if (block.kind === 'cleanup') continue;
      blocksRun++;
      if (block.kind === 'background') {
        start(block, false);
        continue;
      }
      failure = await runToEnd(block);
      if (failure) {
        failure += `\n${backgroundTails()}`;
        break;
      }
    }
  } finally {
    for (const block of blocks.filter((b) => b.kind === 'cleanup')) {
      const err = await runToEnd(block);
      if (err) failure = `${failure ?? ''}\ncleanup failed: ${err}`;
    }
    // Stop what is still running: SIGTERM to each group, SIGKILL after 10 s.
    const live = started.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
    for (const s of started) killGroup(s.child, 'SIGTERM');
    const grace = setTimeout(() => started.forEach((s) => killGroup(s.child, 'SIGKILL')), 10_000);
    await Promise.all(live.map((s) => s.exited));
    clearTimeout(grace);
    // Leftovers of `cmd &` in a finished block still hold the group: one more SIGKILL for them.
    for (const s of started) killGroup(s.child, 'SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  }
  return { ok: failure === undefined, report: failure ?? '', blocksRun };
}
