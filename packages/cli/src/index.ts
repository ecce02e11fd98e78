/** @proconsul/cli: the `proconsul` command, usable as a library (`main(argv, io)`) for embedding and tests. */
export { main, mainHelp, COMMANDS } from './main.js';
export { clientFlags, serverFlags } from './http-flags.js';
export { nodeIo, Ui, type Io } from './io.js';
export { FlagSet, FlagError, HelpRequested, parseGoBool, parseGoUint, parseGoInt, type FlagDef, type ParsedFlags } from './flags.js';
export { columnize, tabwrite } from './columnize.js';
export { PROCONSUL_VERSION, CONSUL_API_VERSION } from './commands/version.js';
