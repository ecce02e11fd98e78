// telemetry.statsd_address: go-metrics' StatsdSink. Every gauge, counter and sample goes out as
// a statsd line (`consul.http.GET.v1.kv:0.412000|ms`), label values appended to the name, ':' and
// ' ' in it made '_'; lines are packed into UDP packets of at most 1,400 bytes and sent every
// 100 ms. A send that fails is dropped: metrics never hold the agent up.
import { createSocket, type Socket } from 'node:dgram';
import type { MetricLabels } from './types.js';

/** go-metrics' statsdMaxLen and flushInterval. */
const PACKET_BYTES_MAX = 1400;
const FLUSH_MS = 100;
/** Bound on lines waiting for a flush (go-metrics: a channel of 4,096 metrics). */
const PENDING_MAX = 4096;

export type StatsdKind = 'g' | 'c' | 'ms';

export interface MetricSink {
  emit(parts: readonly string[], labels: MetricLabels, value: number, kind: StatsdKind): void;
  close(): void;
}

/** go-metrics' flattenKeyLabels: the label values join the name, `:` and ` ` become `_`. */
export function statsdLine(parts: readonly string[], labels: MetricLabels, value: number, kind: StatsdKind): string {
  const key = [...parts, ...Object.values(labels)].join('.').replace(/[: ]/g, '_');
  // Go's %f of a float32, as go-metrics formats every value.
  return `${key}:${Math.fround(value).toFixed(6)}|${kind}\n`;
}

export class StatsdSink implements MetricSink {
  readonly #socket: Socket;
  readonly #timer: NodeJS.Timeout;
  #pending: string[] = [];
  /** Lines dropped because the queue was full. */
  dropped = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.#socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    this.#socket.on('error', () => undefined); // an unreachable collector is not the agent's problem
    this.#socket.unref();
    this.#timer = setInterval(() => this.flush(), FLUSH_MS);
    this.#timer.unref();
  }

  emit(parts: readonly string[], labels: MetricLabels, value: number, kind: StatsdKind): void {
    if (this.#pending.length >= PENDING_MAX) {
      this.dropped++;
      return;
    }
    this.#pending.push(statsdLine(parts, labels, value, kind));
  }

  /** Sends what is queued, packed into packets of at most 1,400 bytes. */
  flush(): void {
    const lines = this.#pending;
    this.#pending = [];
    let packet = '';
    for (const line of lines) {
      if (packet && Buffer.byteLength(packet) + Buffer.byteLength(line) > PACKET_BYTES_MAX) {
        this.#send(packet);
        packet = '';
      }
      packet += line;
    }
    if (packet) this.#send(packet);
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
    this.#socket.close();
  }

  #send(packet: string): void {
    this.#socket.send(packet, this.port, this.host, () => undefined);
  }
}
