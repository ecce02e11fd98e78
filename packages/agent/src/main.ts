// `proconsul agent ...`: parse flags and config files, start the agent, run until SIGINT or
// SIGTERM, then shut down gracefully. Returns the process exit code.
import { ConfigError, loadConfig } from './config/index.js';
import { agentUsage, HelpRequested } from './config/flags.js';
import { startAgent } from './agent.js';

/** Bound on how long a graceful shutdown may take before the process gives up on it. */
const SHUTDOWN_MS_MAX = 15_000;

export async function agentMain(argv: string[]): Promise<number> {
  let config;
  try {
    config = await loadConfig(argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${agentUsage()}\n`);
      return 0;
    }
    const msg = err instanceof ConfigError ? err.message : `Error loading configuration: ${(err as Error).message}`;
    process.stderr.write(`==> ${msg}\n`);
    return 1;
  }
  let agent: Awaited<ReturnType<typeof startAgent>>;
  // A rejected promise nobody awaited is a bug to report, not a reason to stop serving: state
  // is never at risk from one (storage failures stop the agent through the Raft node instead).
  process.on('unhandledRejection', (reason) => {
    const log = agent?.log;
    if (log) log.error({ err: reason }, 'unhandled promise rejection');
    else process.stderr.write(`==> Unhandled promise rejection: ${String(reason)}\n`);
  });
  // A graceful stop is bounded: past SHUTDOWN_MS_MAX the process gives up on it.
  let giveUp: NodeJS.Timeout | undefined;
  const boundStop = (): void => {
    giveUp ??= setTimeout(() => {
      process.stderr.write('==> Graceful shutdown timed out\n');
      process.exit(1);
    }, SHUTDOWN_MS_MAX).unref();
  };
  // Signals are taken before the agent starts: one that arrives while it starts stops it
  // gracefully once it is up, within the same bound from the signal on (a single server waits
  // for its own election as long as it takes). Node's default action would kill it
  // half-started, before it saved anything (its member snapshot, for one). A second signal
  // still kills it at once.
  let resolveStop!: (why: NodeJS.Signals | Error) => void;
  const stopped = new Promise<NodeJS.Signals | Error>((resolve) => (resolveStop = resolve));
  const stopWith = (why: NodeJS.Signals | Error): void => {
    process.off('SIGINT', stopWith);
    process.off('SIGTERM', stopWith);
    if (agent === undefined) boundStop(); // still starting
    resolveStop(why);
  };
  process.on('SIGINT', stopWith);
  process.on('SIGTERM', stopWith);
  try {
    agent = await startAgent(config, { argv });
  } catch (err) {
    process.stderr.write(`==> Error starting agent: ${(err as Error).message}\n`);
    return 1;
  }
  // SIGHUP reloads the configuration, as Consul's agent does.
  const onHup = (): void => {
    agent.ctx.reload().catch((err: Error) => agent.log.error({ err }, 'reload failed'));
  };
  process.on('SIGHUP', onHup);
  // A signal, or a fatal error from gossip (-retry-join gave up).
  void agent.ctx.gossip.fatal.then(stopWith);
  const stop = await stopped;
  process.off('SIGHUP', onHup);
  if (stop instanceof Error) {
    process.stderr.write(`==> ${stop.message}\n`);
    await agent.close().catch(() => undefined);
    return 1;
  }
  const signal = stop;
  agent.log.info({ signal }, 'caught signal, gracefully shutting down agent');
  // Consul: leave_on_terminate (default: clients) and skip_leave_on_interrupt (default: servers).
  const leave = signal === 'SIGTERM' ? config.leaveOnTerminate : !config.skipLeaveOnInterrupt;
  if (leave && !agent.ctx.gossip.lan.node.isLeaving) {
    await agent.ctx.cluster.beforeLeave();
    await agent.ctx.gossip.leave();
  }
  boundStop();
  try {
    await agent.close();
  } catch (err) {
    process.stderr.write(`==> Error during shutdown: ${(err as Error).message}\n`);
    return 1;
  } finally {
    clearTimeout(giveUp);
  }
  return 0;
}
