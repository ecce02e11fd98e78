/**
 * The proxy's log lines, as Consul's proxy writes them through hclog (logging.Setup with the
 * name `proxy`, sub-loggers `proxy.inbound`, `proxy.upstream`, `proxy.connect`):
 * `<time> [INFO]  proxy: Starting listener: listener="public listener" bind_addr=0.0.0.0:21000`,
 * or hclog's JSON lines with `-log-json`. Lines below `-log-level` are dropped.
 */

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevelName, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };
const TAG: Record<LogLevelName, string> = { trace: '[TRACE] ', debug: '[DEBUG] ', info: '[INFO]  ', warn: '[WARN]  ', error: '[ERROR] ' };

/** Consul's log level names (logging.ValidateLogLevel): trace, debug, info, warn, err/error; case-insensitive. */
export function parseLogLevel(raw: string): LogLevelName | undefined {
  const l = raw.trim().toLowerCase();
  if (l === 'err') return 'error';
  return Object.hasOwn(RANK, l) ? (l as LogLevelName) : undefined;
}

export type Fields = Record<string, unknown>;

/** hclog's key=value rendering: a value with spaces, quotes or `=` is quoted. */
function renderValue(v: unknown): string {
  const text = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

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
    return RANK[level] >= RANK[this.level];
  }

  trace(msg: string, fields?: Fields): void { this.log('trace', msg, fields); }
  debug(msg: string, fields?: Fields): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: Fields): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: Fields): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: Fields): void { this.log('error', msg, fields); }

  private log(level: LogLevelName, msg: string, extra: Fields = {}): void {
    if (!this.enabled(level)) return;
    const fields = { ...this.fixed, ...extra };
    const time = new Date().toISOString();
    if (this.json) {
      const plain = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
      this.sink(JSON.stringify({ '@level': level, '@message': msg, '@module': this.name, '@timestamp': time, ...plain }));
      return;
    }
    const kv = Object.entries(fields).map(([k, v]) => `${k}=${renderValue(v)}`).join(' ');
    this.sink(`${time} ${TAG[level]}${this.name}: ${msg}${kv ? `: ${kv}` : ''}`);
  }
}
