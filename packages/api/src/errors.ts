/**
 * Errors raised by the client. A non-2xx answer becomes a ConsulError carrying the
 * status code and the agent's plain-text body; a transport failure (connection refused,
 * DNS failure, reset) becomes a ConsulConnectionError whose message reads like the Go
 * client's (`Get "http://127.0.0.1:8500/v1/...": dial tcp 127.0.0.1:8500: connect: connection refused`).
 */

export class ConsulError extends Error {
  override readonly name = 'ConsulError';

  constructor(
    readonly statusCode: number,
    readonly body: string,
    readonly method: string,
    readonly url: string,
  ) {
    // Same text as the Go client's StatusError, so CLI output matches Consul's.
    super(`Unexpected response code: ${statusCode} (${body})`);
  }
}

export class ConsulConnectionError extends Error {
  override readonly name = 'ConsulConnectionError';

  constructor(
    readonly method: string,
    readonly url: string,
    /** System error code when known, e.g. ECONNREFUSED. */
    readonly code: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${titleCase(method)} "${url}": ${detail}`, options);
  }
}

/** Go prints the method as `Get`, `Put`, `Delete`. */
function titleCase(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

/** Builds the transport error from whatever fetch threw (undici wraps the socket error in `cause`). */
export function connectionError(method: string, url: string, hostPort: string, err: unknown): ConsulConnectionError {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const code = (cause as { code?: unknown })?.code;
  const codeStr = typeof code === 'string' ? code : undefined;
  let detail: string;
  switch (codeStr) {
    case 'ECONNREFUSED':
      detail = `dial tcp ${hostPort}: connect: connection refused`;
      break;
    case 'ENOENT':
      detail = `dial unix ${hostPort}: connect: no such file or directory`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      detail = `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')}: no such host`;
      break;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      detail = 'EOF';
      break;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      detail = `dial tcp ${hostPort}: i/o timeout`;
      break;
    default:
      detail = (cause instanceof Error ? cause.message : String(cause)) || 'request failed';
  }
  return new ConsulConnectionError(method, url, codeStr, detail, { cause: err });
}

/** True for an AbortSignal-triggered abort, which callers treat as a clean stop. */
/**
 * What a lock or semaphore monitor may ride out (Go's `api.IsRetryableError`): a transport
 * failure, or an answer of 500 from the agent.
 */
export function isRetryableError(err: unknown): boolean {
  return err instanceof ConsulConnectionError || (err instanceof ConsulError && err.statusCode === 500);
}

export function isAbortError(err: unknown): boolean {
  return (err as { name?: unknown })?.name === 'AbortError';
}
