// Signal names as consul-template takes them (signals/signals_unix.go's SignalLookup,
// case-insensitive). "" and "SIGNULL" are the nil signal: the feature is turned off.

const NAMES = [
  'SIGABRT', 'SIGALRM', 'SIGBUS', 'SIGCONT', 'SIGFPE', 'SIGHUP', 'SIGILL', 'SIGINT', 'SIGIO', 'SIGIOT', 'SIGKILL', 'SIGPIPE', 'SIGPROF',
  'SIGQUIT', 'SIGSEGV', 'SIGSTOP', 'SIGSYS', 'SIGTERM', 'SIGTRAP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH',
  'SIGXCPU', 'SIGXFSZ',
] as const satisfies readonly NodeJS.Signals[];

/** null: the nil signal (SIGNULL or ""). Throws consul-template's message on an unknown name. */
export function parseSignal(s: string): NodeJS.Signals | null {
  const name = s.toUpperCase();
  if (name === '' || name === 'SIGNULL') return null;
  if ((NAMES as readonly string[]).includes(name)) return name as NodeJS.Signals;
  const valid = ['SIGNULL', ...NAMES].sort();
  throw new Error(`invalid signal ${JSON.stringify(s)} - valid signals are [${valid.map((v) => JSON.stringify(v)).join(' ')}]`);
}

/**
 * The signals proconsul-template listens for, to act on or forward to the -exec child
 * (consul-template's MonitoredSignals less those Node cannot or should not catch:
 * SIGKILL, SIGSTOP, and the faults SIGSEGV, SIGBUS, SIGFPE, SIGILL).
 */
export const MONITORED_SIGNALS: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGALRM', 'SIGCONT', 'SIGTTIN', 'SIGTTOU'];
