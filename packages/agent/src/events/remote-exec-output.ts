// How a remote exec's output is cut into KV values (Consul's rexecWriter, agent/remote_exec.go):
// bytes collect in a buffer of remoteExecOutputSize; a full buffer is sent at once, a partial one
// once the process has said nothing for remoteExecOutputDeadline, and whatever is left at exit.

/** Consul's remoteExecOutputSize: the largest output chunk written to one key. */
export const REMOTE_EXEC_OUTPUT_BYTES = 4 * 1024;
/** Consul's remoteExecOutputDeadline: how long a partial chunk waits for more output. */
export const REMOTE_EXEC_OUTPUT_DEADLINE_MS = 500;

export class OutputChunker {
  #parts: Buffer[] = [];
  #length = 0;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly onChunk: (chunk: Buffer) => void,
    private readonly sizeBytes = REMOTE_EXEC_OUTPUT_BYTES,
    private readonly idleMs = REMOTE_EXEC_OUTPUT_DEADLINE_MS,
  ) {}

  write(data: Buffer): void {
    this.#stopIdle();
    let rest = data;
    while (rest.length > 0) {
      const room = this.sizeBytes - this.#length;
      const take = rest.subarray(0, room);
      this.#parts.push(take);
      this.#length += take.length;
      rest = rest.subarray(take.length);
      if (this.#length === this.sizeBytes) this.flush();
    }
    if (this.#length > 0) {
      this.#idle = setTimeout(() => this.flush(), this.idleMs);
      this.#idle.unref();
    }
  }

  /** Sends what is buffered (nothing when empty). */
  flush(): void {
    this.#stopIdle();
    if (this.#length === 0) return;
    const chunk = Buffer.concat(this.#parts, this.#length);
    this.#parts = [];
    this.#length = 0;
    this.onChunk(chunk);
  }

  #stopIdle(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
  }
}
