/**
 * What a watch of the agent config calls on each change (Consul's agent/watch_handler.go): a
 * process (`args`, or the deprecated `handler` run by the shell) with the data as JSON on stdin
 * and CONSUL_INDEX in its environment, or an HTTP endpoint that gets the data as the body and
 * the index as X-Consul-Index. Only the last 4 KiB of what a handler says are kept, for the log.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpHandlerConfig } from '@proconsul/api';
import type { Logger } from '../log.js';

/** Consul's WatchBufSize: the tail of a handler's output that is logged. */
export const WATCH_BUF_SIZE = 4 * 1024;

export type WatchHandler = (index: string, data: unknown) => Promise<void>;

/** The last WATCH_BUF_SIZE bytes written, and how many were written in all (armon/circbuf). */
class OutputTail {
  #chunks: Buffer[] = [];
  #kept = 0;
  total = 0;

  write(chunk: Buffer): void {
    this.total += chunk.length;
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    while (this.#kept - this.#chunks[0]!.length >= WATCH_BUF_SIZE) this.#kept -= this.#chunks.shift()!.length;
  }

  /** Consul's text: the tail, with a note when it was cut. */
  text(): string {
    const tail = Buffer.concat(this.#chunks).subarray(-WATCH_BUF_SIZE).toString();
    return this.total > WATCH_BUF_SIZE ? `Captured ${WATCH_BUF_SIZE} of ${this.total} bytes\n...\n${tail}` : tail;
  }
}

/** Go's json.Encoder.Encode: the JSON and a newline. */
function encode(data: unknown): string {
  return JSON.stringify(data) + '\n';
}

/** A process handler: `args` run as given, or a `script` string run by $SHELL (default /bin/sh) -c. */
export function scriptHandler(handler: string[] | string, log: Logger): WatchHandler {
  return (index, data) =>
    new Promise((resolve) => {
      const env = { ...process.env, CONSUL_INDEX: index };
      let child: ReturnType<typeof spawn>;
      try {
        child = Array.isArray(handler)
          ? spawn(handler[0]!, handler.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] })
          : spawn(process.env['SHELL'] || '/bin/sh', ['-c', handler], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        // `args = []`, say: Consul logs it and the watch goes on.
        log.error({ error: (err as Error).message }, 'Failed to setup watch');
        return resolve();
      }
      const output = new OutputTail();
      child.stdout!.on('data', (c: Buffer) => output.write(c));
      child.stderr!.on('data', (c: Buffer) => output.write(c));
      child.stdin!.on('error', () => undefined); // a handler that does not read its input may close it early
      child.stdin!.end(encode(data));
      let failed: string | undefined;
      child.once('error', (err) => (failed = err.message));
      child.once('close', (code, signal) => {
        if (failed !== undefined || code !== 0) {
          log.error({ watch_handler: handler, error: failed ?? (signal ? `signal: ${signal}` : `exit status ${code}`) }, 'Failed to run watch handler');
        }
        log.debug({ watch_handler: handler, output: output.text() }, 'watch handler output');
        resolve();
      });
    });
}

/** An HTTP handler: `method` (POST) to `path` with the data as the body, within `timeout` (10 s). */
export function httpHandler(config: HttpHandlerConfig, log: Logger): WatchHandler {
  return (index, data) =>
    new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(config.path);
      } catch (err) {
        log.error({ error: (err as Error).message }, 'Failed to setup http watch');
        return resolve();
      }
      const body = encode(data);
      const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'X-Consul-Index': index, 'Content-Length': String(Buffer.byteLength(body)) };
      for (const [k, values] of Object.entries(config.header)) headers[k] = values;
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: config.method, headers, timeout: config.timeoutMs, ...(url.protocol === 'https:' ? { rejectUnauthorized: !config.tlsSkipVerify } : {}) }, (res) => {
        const output = new OutputTail();
        res.on('data', (c: Buffer) => output.write(c));
        res.once('error', () => resolve());
        res.once('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status <= 299) log.trace({ watch: config.path, output: output.text() }, 'http watch handler output');
          else log.error({ watch: config.path, status: `${status} ${res.statusMessage ?? ''}`.trim(), output: output.text() }, 'http watch handler failed with output');
          resolve();
        });
      });
      req.once('timeout', () => req.destroy(new Error(`context deadline exceeded (timeout ${config.timeoutMs} ms)`)));
      req.once('error', (err) => {
        log.error({ watch: config.path, error: err.message }, 'Failed to invoke http watch handler');
        resolve();
      });
      req.end(body);
    });
}
