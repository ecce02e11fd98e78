/**
 * The proxy's log lines, as Consul's proxy writes them through hclog (logging.Setup with the
 * name `proxy`, sub-loggers `proxy.inbound`, `proxy.upstream`, `proxy.connect`):
 * `<time> [INFO]  proxy: Starting listener: listener="public listener" bind_addr=0.0.0.0:21000`,
 * or hclog's JSON lines with `-log-json`; rendered by the agent's own log code. Lines below
 * `-log-level` are dropped.
 */
import { hclogJsonLine, LEVEL_VALUES, textLine } from '@proconsul/agent/log';

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Consul's log level names (logging.ValidateLogLevel): trace, debug, info, warn, err/error; case-insensitive. */
export function parseLogLevel(raw: string): LogLevelName | undefined {
  const l = raw.trim().toLowerCase();
  if (l === 'err') return 'error';
  return Object.hasOwn(LEVEL_VALUES, l) ? (l as LogLevelName) : undefined;
}

export type Fields = Record<string, unknown>;

export class ProxyLogger {
  constructor(
    private readonly sink: (line: string) => void,
    private readonly level: LogLevelName = 'info',
    private readonly json = false,
    readonly name = 'proxy',
    private readonly fixed: Fields = {},
  ) {}

  /** A sub-logger `proxy.<name>` (hclog's Named), or the same name with extra fields (hclog's With). */
  named(sub: string): ProxyLogger {
    return new ProxyLogger(this.sink, this.level, this.json, `${this.name}.${sub}`, this.fixed);
  }

  with(fields: Fields): ProxyLogger {
    return new ProxyLogger(this.sink, this.level, this.json, this.name, { ...this.fixed, ...fields });
  }

  enabled(level: LogLevelName): boolean {
    return LEVEL_VALUES[level]! >= LEVEL_VALUES[this.level]!;
  }

  trace(msg: string, fields?: Fields): void { this.log('trace', msg, fields); }
  debug(msg: string, fields?: Fields): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Fields): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Fields): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Fields): void { this.log('error', msg, fields); }

  private log(level: LogLevelName, msg: string, extra: Fields = {}): void {
    if (!this.enabled(level)) return;
    const line = JSON.stringify({ level: LEVEL_VALUES[level], time: new Date().toISOString(), component: this.name, msg, ...this.fixed, ...extra }, (_k, v: unknown) =>
      v instanceof Error ? v.message : v,
    );
    this.sink((this.json ? hclogJsonLine(line, 'proxy') : textLine(line)).trimEnd());
  }
}
