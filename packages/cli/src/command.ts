/** The shape of a subcommand and the common run wrapper (flag errors, help, one-line failures). */
import { FlagError, FlagSet, HelpRequested, type ParsedFlags } from './flags.js';
import { Ui, type Io } from './io.js';

export interface Command {
  synopsis: string;
  /** Usage text; the flag list is appended when help is printed. */
  help: string;
  flags(): FlagSet;
  run(f: ParsedFlags, ui: Ui): Promise<number>;
}

export function helpText(cmd: Command): string {
  const flags = cmd.flags().list();
  const body = cmd.help.trim();
  return flags.length === 0 ? body : `${body}\n\nCommand Options:\n\n${cmd.flags().usage()}`;
}

/** Parses flags and runs; a usage error or an unexpected failure becomes one line on stderr and exit 1. */
export async function runCommand(cmd: Command, argv: string[], io: Io): Promise<number> {
  const ui = new Ui(io);
  let parsed: ParsedFlags;
  try {
    parsed = cmd.flags().parse(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      ui.output(helpText(cmd));
      return 0;
    }
    if (err instanceof FlagError) {
      ui.error(err.message);
      return 1;
    }
    throw err;
  }
  try {
    return await cmd.run(parsed, ui);
  } catch (err) {
    ui.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
