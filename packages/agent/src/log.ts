// Structured logs (pino): one root logger, a child per component. With `-log-json` the JSON
// lines are written as they are; otherwise each line is rendered the way Consul's text logs
// look: `2024-01-01T00:00:00.000Z [INFO]  agent: Consul agent running!: node=n1 ...`.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { LogLevel } from './config/index.js';

export type { Logger };

// Required, not imported: node runs its CommonJS export lexer, and compiles it hot, for every
// CommonJS module an ES module imports: 4 MB of a client agent's memory (docs/PERFORMANCE.md).
const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');

export const COMPONENTS = ['agent', 'http', 'dns', 'catalog', 'state', 'checks', 'anti-entropy', 'leader', 'raft', 'serf', 'acl', 'watch'] as const;
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

/** pino's level numbers by name (Consul's `err` is `error`). */
export const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, err: 50, error: 50 };
const LEVEL_IN_LINE = /"level":(\d+)/;

interface Subscriber {
  level: number;
  deliver(jsonLine: string): void;
}

/**
 * The log stream as GET /v1/agent/monitor follows it: every line at or above a subscriber's
 * own level, even below the agent's log level (Consul's intercept logger does the same), so
 * the loggers run at the lowest level anyone asks for while someone listens.
 */
export class LogTap {
  readonly #subs = new Set<Subscriber>();
  #retune: (level: number) => void = () => undefined;

  /** Called by createLoggers: sets the loggers' level (the agent's and the subscribers' lowest). */
  bind(retune: (level: number) => void): void {
    this.#retune = retune;
  }

  subscribe(level: number, deliver: (jsonLine: string) => void): () => void {
    const sub: Subscriber = { level, deliver };
    this.#subs.add(sub);
    this.#update();
    return () => {
      this.#subs.delete(sub);
      this.#update();
    };
  }

  publish(line: string, level: number): void {
    for (const s of this.#subs) if (level >= s.level) s.deliver(line);
  }

  get listening(): boolean {
    return this.#subs.size > 0;
  }

  #update(): void {
    this.#retune(Math.min(Infinity, ...[...this.#subs].map((s) => s.level)));
  }
}

/**
 * The agent's loggers: JSON lines (`json`) or Consul-style text on stdout, and in `file` too
 * (log_file) when given; `tap` feeds GET /v1/agent/monitor.
 */
export function createLoggers(level: LogLevel, root?: Logger, json = true, tap?: LogTap, file?: { write(line: string): void }): ComponentLoggers {
  const agentLevel = LEVEL_VALUES[level] ?? 30;
  let base = root;
  if (!base) {
    const dest = json ? pino.destination(1) : undefined;
    const toStdout = (line: string): void => {
      const out = dest ? line : textLine(line);
      if (dest) dest.write(out);
      else process.stdout.write(out);
      file?.write(out);
    };
    const write = (line: string): void => {
      if (!tap?.listening) return toStdout(line);
      const lineLevel = Number(LEVEL_IN_LINE.exec(line)?.[1] ?? 30);
      if (lineLevel >= agentLevel) toStdout(line);
      tap.publish(line, lineLevel);
    };
    base = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, { write });
  }
  const out = { root: base } as ComponentLoggers;
  for (const c of COMPONENTS) out[c] = base.child({ component: c });
  if (tap && !root) {
    const names = Object.entries(LEVEL_VALUES);
    tap.bind((wanted) => {
      const n = Math.min(agentLevel, wanted);
      const name = names.find(([, v]) => v === n)?.[0] ?? level;
      const lvl = name === 'err' ? 'error' : name;
      base.level = lvl;
      for (const c of COMPONENTS) out[c].level = lvl;
    });
  }
  return out;
}

/**
 * A pino JSON line in hclog's JSON shape (monitor `?logjson`): @level, @message, @module,
 * @timestamp. A component is a module under `root` (`agent.raft`) unless it names one itself.
 */
export function hclogJsonLine(json: string, root = 'agent'): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { level, time, msg, component, pid: _p, hostname: _h, ...fields } = o;
  const name = (LEVELS[level as number] ?? '[INFO]').replace(/[[\]\s]/g, '').toLowerCase();
  return `${JSON.stringify({
    '@level': name,
    '@message': msg ?? '',
    ...(typeof component === 'string' ? { '@module': component === root || component.startsWith(`${root}.`) ? component : `${root}.${component}` } : {}),
    '@timestamp': typeof time === 'string' ? time : new Date().toISOString(),
    ...fields,
  })}\n`;
}
