/** What a command may touch: stdout, stderr, stdin and the environment (tests pass their own). */
export interface Io {
  write(chunk: string | Uint8Array): void;
  writeErr(text: string): void;
  readStdin(): Promise<Uint8Array>;
  env: Record<string, string | undefined>;
}

/** mitchellh/cli's Ui as Consul uses it: Output/Info to stdout, Error to stderr, each line ended. */
export class Ui {
  constructor(readonly io: Io) {}

  output(text: string): void {
    this.io.write(text + '\n');
  }

  info(text: string): void {
    this.output(text);
  }

  error(text: string): void {
    this.io.writeErr(text + '\n');
  }

  /** Warn goes to stderr, as Error does (mitchellh/cli's BasicUi). */
  warn(text: string): void {
    this.error(text);
  }
}

export function nodeIo(): Io {
  return {
    write: (chunk) => {
      process.stdout.write(chunk);
    },
    writeErr: (text) => {
      process.stderr.write(text);
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    env: process.env,
  };
}
