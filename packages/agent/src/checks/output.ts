/** Consul's default check_output_max_size. */
export const DEFAULT_OUTPUT_MAX_SIZE = 4096;

/**
 * Output given to the ttl update endpoint: longer than `maxSize` bytes is cut to its first
 * maxSize bytes followed by ` ... (captured N of M bytes)`.
 */
export function truncateUpdateOutput(output: string, maxSize: number = DEFAULT_OUTPUT_MAX_SIZE): string {
  throw new Error(`not implemented ${output} ${maxSize}`);
}
