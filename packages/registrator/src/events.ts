import type Docker from 'dockerode';

/** The container events registrator acts on (Docker's `Action` values). */
export interface ContainerEvent {
  action: 'start' | 'die' | 'stop' | 'kill';
  id: string;
  /** `die`: the exit code; `kill`: the signal number or name. */
  exitCode?: number;
  signal?: string;
}

const ACTIONS = new Set(['start', 'die', 'stop', 'kill']);

/**
 * Opens Docker's event stream for container start/die/stop/kill and calls `onEvent` for each,
 * in order. Resolves when the stream ends or fails (engine restart, dropped connection);
 * the caller reconnects and resyncs.
 */
export async function followEvents(docker: Docker, onEvent: (e: ContainerEvent) => Promise<void>, signal: AbortSignal): Promise<void> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: [...ACTIONS] } })) as NodeJS.ReadableStream & { destroy?: () => void };
  const onAbort = () => stream.destroy?.();
  signal.addEventListener('abort', onAbort, { once: true });
  let buffered = '';
  // Events are handled one after another so a `start` is never overtaken by its own `die`.
  let chain = Promise.resolve();
  try {
    await new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          const event = parseEvent(line);
          if (event) chain = chain.then(() => onEvent(event)).catch(() => {});
        }
      });
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
    await chain;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export function parseEvent(line: string): ContainerEvent | null {
  if (!line) return null;
  let raw: { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const action = raw.Action ?? raw.status;
  const id = raw.Actor?.ID ?? raw.id;
  if (!action || !id || !ACTIONS.has(action)) return null;
  const attrs = raw.Actor?.Attributes ?? {};
  const event: ContainerEvent = { action: action as ContainerEvent['action'], id };
  if (attrs.exitCode !== undefined) event.exitCode = Number(attrs.exitCode);
  if (attrs.signal !== undefined) event.signal = attrs.signal;
  return event;
}

/** Signals that end a container: a `kill` with one of these means it is going away. */
const TERMINATING = new Set(['2', '3', '9', '15', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGTERM', 'INT', 'QUIT', 'KILL', 'TERM']);

/** A `kill` that stops the container (not a reload signal such as SIGHUP sent by `docker kill -s HUP`). */
export function isTerminatingKill(e: ContainerEvent): boolean {
  return e.signal === undefined || TERMINATING.has(e.signal);
}
