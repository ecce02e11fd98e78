/** Entry point of the `proconsul` executable (bin/proconsul.js imports this file). */
import { nodeIo } from './io.js';

// The reader of stdout went away (`proconsul members | head -1`): stop quietly, as a Go program
// dies of SIGPIPE, instead of an unhandled EPIPE error and its stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const io = nodeIo();
try {
  const argv = process.argv.slice(2);
  // `proconsul agent` loads the agent alone: the command tree imports every command, and with them
  // the HTTP client (undici), the certificate code and child_process, which a running agent never
  // uses and would hold in memory for its whole life (docs/PERFORMANCE.md, client agent memory).
  const code =
    argv[0] === 'agent'
      ? await (await import('./commands/agent.js')).runAgent(argv.slice(1), io)
      : await (await import('./main.js')).main(argv, io);
  // The agent may leave timers or sockets behind once it has stopped; end the process with its code.
  if (argv[0] === 'agent') process.exit(code);
  process.exitCode = code;
} catch (err) {
  // Never a stack trace for the user: one line and exit 1.
  io.writeErr(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
