/**
 * Consul's log_file (logging/logfile.go): every log line also goes to a file, appended. Before a
 * write, a file older than the rotation period or holding the byte limit is rotated: renamed to
 * `<name>-<unix nanoseconds><ext>` (`.log` when the name has no extension), the oldest rotated
 * files beyond `maxFiles` removed (all of them with -1, none with 0), and a new file opened under
 * the name. Writes go to the page cache and are not synced: a log line is not data, and a write
 * that fails is reported once on stderr and does not stop the agent.
 */
import { closeSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { LogFileConfig } from './config/index.js';

export class LogFile {
  readonly #dir: string;
  readonly #name: string;
  readonly #stem: string;
  readonly #ext: string;
  #fd = -1;
  #created = 0;
  #bytes = 0;
  #failed = false;

  /** Prunes old rotations and opens the file; throws `Failed to setup logging: ...` as Consul does. */
  constructor(
    private readonly config: LogFileConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.#dir = dirname(config.path);
    this.#name = basename(config.path);
    this.#ext = extname(this.#name) || '.log';
    this.#stem = this.#name.endsWith(this.#ext) ? this.#name.slice(0, -this.#ext.length) : this.#name;
    try {
      this.#prune();
      this.#open();
    } catch (err) {
      throw new Error(`Failed to setup logging: ${(err as Error).message}`);
    }
  }

  write(line: string): void {
    try {
      if ((this.config.maxBytes > 0 && this.#bytes >= this.config.maxBytes) || this.now() - this.#created >= this.config.rotateMs) this.#rotate();
      this.#bytes += writeSync(this.#fd, line);
    } catch (err) {
      if (this.#failed) return;
      this.#failed = true;
      process.stderr.write(`log_file ${this.config.path}: ${(err as Error).message} (further errors are not reported)\n`);
    }
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  #open(): void {
    this.#fd = openSync(this.config.path, 'a', 0o640);
    this.#created = this.now();
    this.#bytes = 0;
  }

  #rotate(): void {
    this.close();
    // Unix nanoseconds: milliseconds from the clock, the rest from the monotonic one (keeps names apart).
    const nanos = BigInt(this.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    renameSync(this.config.path, join(this.#dir, `${this.#stem}-${nanos}${this.#ext}`));
    this.#prune();
    this.#open();
  }

  /** The rotated files beyond `maxFiles`, oldest first (their names sort by time). */
  #prune(): void {
    const keep = this.config.maxFiles;
    if (keep === 0) return;
    const rotated = readdirSync(this.#dir)
      .filter((f) => f.startsWith(`${this.#stem}-`) && f.endsWith(this.#ext) && f !== this.#name)
      .sort();
    const drop = keep < 0 ? rotated : rotated.slice(0, Math.max(0, rotated.length - keep));
    for (const f of drop) rmSync(join(this.#dir, f), { force: true });
  }
}
