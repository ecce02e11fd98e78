/** `proconsul keygen`: a new gossip encryption key, base64 of 32 random bytes. */
import { randomBytes } from 'node:crypto';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';

export const keygen: Command = {
  synopsis: 'Generates a new encryption key',
  help: `Usage: proconsul keygen

  Generates a new 32-byte encryption key that can be used to configure the
  agent to encrypt traffic. The output of this command is already
  in the proper format that the agent expects.`,
  flags: () => new FlagSet(),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Too many arguments (expected 0, got ${f.args.length})`);
      return 1;
    }
    ui.output(randomBytes(32).toString('base64'));
    return 0;
  },
};
