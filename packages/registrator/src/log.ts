/** Registrator's log: one line per event, as the original prints them. */
export interface Log {
  info(line: string): void;
  error(line: string): void;
}

export const consoleLog: Log = {
  info: (line) => console.log(`${new Date().toISOString()} ${line}`),
  error: (line) => console.error(`${new Date().toISOString()} ${line}`),
};

export const silentLog: Log = { info: () => {}, error: () => {} };
