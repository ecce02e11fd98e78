// A small leveled logger in consul-template's style:
//   2026-11-21T21:00:00.000Z [INFO] (runner) rendered "in.ctmpl" => "out.conf"

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'err';
const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'err'];

export interface Logger {
  trace(component: string, msg: string): void;
  debug(component: string, msg: string): void;
  info(component: string, msg: string): void;
  warn(component: string, msg: string): void;
  error(component: string, msg: string): void;
}

export function parseLogLevel(s: string): LogLevel {
  const l = s.toLowerCase();
  if (l === 'error') return 'err';
  if (l === 'warning') return 'warn';
  if ((ORDER as string[]).includes(l)) return l as LogLevel;
  throw new Error(`invalid log level ${JSON.stringify(s)} (trace, debug, info, warn, err)`);
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = ORDER.indexOf(level);
  const at = (l: LogLevel) => (component: string, msg: string) => {
    if (ORDER.indexOf(l) < min) return;
    write(`${new Date().toISOString()} [${l.toUpperCase()}] (${component}) ${msg}\n`);
  };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('err') };
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
