// Structured logs (pino): one root logger, a child per component (`{"component":"http"}`).
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/index.js';

export type { Logger };

export const COMPONENTS = ['agent', 'http', 'dns', 'catalog', 'state', 'checks', 'anti-entropy', 'leader', 'applier'] as const;
export type Component = (typeof COMPONENTS)[number];
export type ComponentLoggers = Record<Component, Logger> & { root: Logger };

export function createLoggers(level: LogLevel, root?: Logger): ComponentLoggers {
  const base = root ?? pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
  const out = { root: base } as ComponentLoggers;
  for (const c of COMPONENTS) out[c] = base.child({ component: c });
  return out;
}
