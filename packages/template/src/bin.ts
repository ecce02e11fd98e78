// proconsul-template: the command. Errors a user can fix print one line and exit 1.

import { unlinkSync, writeFileSync } from 'node:fs';
import { createClient } from '@proconsul/api/node';
import { TemplateParseError } from './engine/errors.js';
import { parseArgs, USAGE } from './runner/cli.js';
import { clientOptions, TokenFileError } from './runner/client-options.js';
import { ConfigError, finalizeConsul, type RunnerConfig } from './runner/config.js';
import { createLogger } from './runner/log.js';
import { EXIT_RUNNER_ERROR, Runner } from './runner/runner.js';
import { MONITORED_SIGNALS } from './runner/signals.js';
import { packageVersion } from './version.js';

function removePidFile(path: string | undefined): void {
  if (!path) return;
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`proconsul-template: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`proconsul-template v${packageVersion()}\n`);
    return 0;
  }
  const { config } = parsed;
  if (config.templates.length === 0) {
    process.stderr.write('proconsul-template: no templates given (use -template "src:dst[:command]" or a template block in -config)\n');
    return 1;
  }
  let log = createLogger(config.logLevel);
  for (const what of config.ignored) log.warn('runner', `${what} is not supported by proconsul-template and has no effect`);
  let runner: Runner;
  try {
    runner = newRunner(config);
    runner.start();
  } catch (e) {
    const msg = e instanceof TemplateParseError ? e.message : (e as Error).message;
    process.stderr.write(`proconsul-template: ${msg}\n`);
    return e instanceof TokenFileError ? EXIT_RUNNER_ERROR : 1;
  }
  if (config.pidFile) writeFileSync(config.pidFile, `${process.pid}\n`);

  // The exit status comes from the runner in force: one a reload replaced is stopped, not finished.
  let resolveExit!: (code: number) => void;
  const exit = new Promise<number>((r) => (resolveExit = r));
  const follow = (r: Runner) => void r.done.then((code) => r === runner && resolveExit(code));
  follow(runner);
  /** A runner a reload replaced, while it stops (its child may take up to its kill timeout). */
  let retiring: Promise<void> = Promise.resolve();

  // cli.go: reload_signal reloads, kill_signal stops, every other signal goes to the -exec child.
  const stopAndExit = (code: number, immediately: boolean) =>
    void Promise.all([stopBounded(runner, immediately), retiring]).then(() => {
      removePidFile(config.pidFile);
      process.exit(code);
    });
  // cli.go switches on the configuration it last loaded: a reload can change both signals.
  let signals = { reload: config.reloadSignal, kill: config.killSignal };
  let reloading = Promise.resolve();
  // cli.go's reload: stop the runner (its child too), parse the configuration again, set up logging
  // with its log_level, and start a new runner, with new clients (address, token, token file).
  const reload = async () => {
    log.info('runner', 'reloading configuration and templates');
    let fresh: Runner;
    let next: RunnerConfig;
    try {
      const again = parseArgs(argv);
      if (again.kind !== 'run') return;
      next = again.config;
      fresh = newRunner(next);
      fresh.parse();
    } catch (e) {
      // consul-template exits here (15 or 14); the running configuration is kept instead.
      log.error('runner', `reload failed, keeping the current configuration: ${(e as Error).message}`);
      return;
    }
    const old = runner;
    runner = fresh;
    follow(fresh);
    retiring = stopBounded(old, false);
    await retiring;
    log = fresh.log;
    signals = { reload: next.reloadSignal, kill: next.killSignal };
    fresh.start();
  };
  for (const sig of MONITORED_SIGNALS) {
    process.on(sig, () => {
      if (sig === signals.reload) {
        reloading = reloading.then(reload).catch((e: unknown) => log.error('runner', `reload failed: ${(e as Error).message}`));
      } else if (sig === signals.kill) {
        process.stderr.write('Cleaning up...\n');
        stopAndExit(EXIT_INTERRUPT, true);
      } else if (!runner.signalChild(sig)) {
        // consul-template ignores a signal it has no child for; SIGTERM (or SIGINT when it is not
        // the kill signal) still stops proconsul-template, as init systems and `docker stop` expect.
        if (sig !== 'SIGTERM' && sig !== 'SIGINT') return;
        log.info('runner', `received ${sig}, stopping`);
        stopAndExit(0, false);
      }
    });
  }
  // consul-template runs until a signal even when nothing keeps a socket open (templates without
  // dependencies, or an agent not yet answering between retries).
  const keepAlive = setInterval(() => {}, 2 ** 30);
  const code = await exit;
  clearInterval(keepAlive);
  await stopBounded(runner, false);
  removePidFile(config.pidFile);
  return code;
}

/**
 * manager/runner.go NewRunner: the agent settings take their defaults from the environment
 * (config/consul.go Finalize), then a client is made (a token file read now) and a logger at
 * the configuration's log_level. Throws TokenFileError when the token file cannot be read.
 */
function newRunner(config: RunnerConfig): Runner {
  finalizeConsul(config.consul, process.env);
  const client = createClient(clientOptions(config.consul));
  return new Runner({ config, client, log: createLogger(config.logLevel) });
}

/** cli.go's ExitCodeInterrupt: stopped by the kill signal. */
const EXIT_INTERRUPT = 12;

/** Gives the runner a moment to release what it holds (the de-duplication session, the child within its kill timeout), no more. */
const STOP_WAIT_MS = 3000;
function stopBounded(runner: Runner, immediately: boolean): Promise<void> {
  return Promise.race([runner.stop(immediately), new Promise<void>((r) => setTimeout(r, STOP_WAIT_MS + runner.childStopBoundMs()).unref())]);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`proconsul-template: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
