/** Entry point of the `proconsul` executable (bin/proconsul.js imports this file). */
import { main } from './main.js';
import { nodeIo } from './io.js';

const io = nodeIo();
try {
  const code = await main(process.argv.slice(2), io);
  process.exitCode = code;
} catch (err) {
  // Never a stack trace for the user: one line and exit 1.
  io.writeErr(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
