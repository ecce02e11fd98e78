// Structured logs (pino): one root logger, a child per component. With `-log-json` the JSON
// lines are written as they are; otherwise each line is rendered the way Consul's text logs
// look: `2024-01-01T00:00:00.000Z [INFO]  agent: Consul agent running!: node=n1 ...`.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/index.js';

export type { Logger };

export const COMPONENTS = ['agent', 'http', 'dns', 'catalog', 'state', 'checks', 'anti-entropy', 'leader', 'raft', 'serf'] as const;
export type Component = (typeof COMPONENTS)[number];
export type ComponentLoggers = Record<Component, Logger> & { root: Logger };

const LEVELS: Record<number, string> = { 10: '[TRACE] ', 20: '[DEBUG] ', 30: '[INFO]  ', 40: '[WARN]  ', 50: '[ERROR] ', 60: '[ERROR] ' };
const SKIP = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname']);

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v && typeof v === 'object' && 'message' in v && typeof (v as { message: unknown }).message === 'string') {
    return JSON.stringify((v as { message: string }).message);
  }
  return JSON.stringify(v);
}

/** Renders one pino JSON line as a Consul-style text line. */
export function textLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof o.time === 'string' ? o.time : new Date(typeof o.time === 'number' ? o.time : Date.now()).toISOString();
  const level = LEVELS[o.level as number] ?? '[INFO]  ';
  const component = typeof o.component === 'string' ? `${o.component}: ` : '';
  const fields = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
  return `${time} ${level}${component}${String(o.msg ?? '')}${fields ? `: ${fields}` : ''}\n`;
}

export function createLoggers(level: LogLevel, root?: Logger, json = true): ComponentLoggers {
  const base =
    root ??
    pino(
      { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
      json ? pino.destination(1) : { write: (line: string) => void process.stdout.write(textLine(line)) },
    );
  const out = { root: base } as ComponentLoggers;
  for (const c of COMPONENTS) out[c] = base.child({ component: c });
  return out;
}
