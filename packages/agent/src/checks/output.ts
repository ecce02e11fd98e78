/** Check output limits, as Consul applies them. */

/** Consul's default check_output_max_size (checks.DefaultBufSize). */
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;

/** The agent's limit, lowered by the check's own OutputMaxSize when that is smaller (agent.go). */
export function effectiveOutputMaxSize(checkMax: number, agentMax: number | undefined): number {
  const agent = agentMax !== undefined && agentMax > 0 ? agentMax : DEFAULT_OUTPUT_MAX_SIZE;
  return checkMax > 0 && checkMax < agent ? checkMax : agent;
}

/**
 * Output given to the ttl update endpoint: longer than `maxSize` bytes is cut to its first
 * maxSize bytes followed by ` ... (captured N of M bytes)` (CheckTTL.SetStatus).
 */
export function truncateUpdateOutput(output: string, maxSize: number = DEFAULT_OUTPUT_MAX_SIZE): string {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= maxSize) return output;
  return `${bytes.subarray(0, maxSize).toString('utf8')} ... (captured ${maxSize} of ${bytes.length} bytes)`;
}

/**
 * Keeps the last `size` bytes written, like the circular buffer (armon/circbuf) Consul
 * reads script output and HTTP bodies into.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes written in total. */
  total = 0;

  constructor(readonly size: number) {}

  write(chunk: Buffer): void {
    this.total += chunk.length;
    const piece = chunk.length > this.size ? chunk.subarray(chunk.length - this.size) : chunk;
    this.chunks.push(piece);
    this.kept += piece.length;
    while (this.kept > this.size) {
      const first = this.chunks[0] as Buffer;
      const excess = this.kept - this.size;
      if (first.length <= excess) {
        this.chunks.shift();
        this.kept -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.kept -= excess;
      }
    }
  }

  toString(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /** Script output as Consul reports it: `Captured N of M bytes\n...\n<tail>` when cut. */
  captured(): string {
    const text = this.toString();
    if (this.total > this.size) return `Captured ${this.size} of ${this.total} bytes\n...\n${text}`;
    return text;
  }
}
