// proconsul-template: the command. Errors a user can fix print one line and exit 1.

import { unlinkSync, writeFileSync } from 'node:fs';
import { createClient } from '@proconsul/api/node';
import { TemplateParseError } from './engine/errors.js';
import { parseArgs, USAGE } from './runner/cli.js';
import { clientOptions } from './runner/client-options.js';
import { ConfigError } from './runner/config.js';
import { createLogger } from './runner/log.js';
import { Runner } from './runner/runner.js';
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
  const { config, configPaths } = parsed;
  if (config.templates.length === 0) {
    process.stderr.write('proconsul-template: no templates given (use -template "src:dst[:command]" or a template block in -config)\n');
    return 1;
  }
  const log = createLogger(config.logLevel);
  for (const what of config.ignored) log.warn('runner', `${what} is not supported by proconsul-template and has no effect`);
  const client = createClient(clientOptions(config.consul));
  const runner = new Runner({ config, client, log });
  try {
    runner.start();
  } catch (e) {
    const msg = e instanceof TemplateParseError ? e.message : (e as Error).message;
    process.stderr.write(`proconsul-template: ${msg}\n`);
    return 1;
  }
  if (config.pidFile) writeFileSync(config.pidFile, `${process.pid}\n`);

  process.on('SIGHUP', () => {
    if (runner.signalChild('SIGHUP')) return;
    log.info('runner', 'received SIGHUP, reloading configuration and templates');
    try {
      const again = configPaths.length > 0 ? parseArgs(argv) : parsed;
      runner.reload(again.kind === 'run' ? again.config.templates : config.templates);
    } catch (e) {
      log.error('runner', `reload failed, keeping the current configuration: ${(e as Error).message}`);
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (runner.signalChild(sig)) return;
      log.info('runner', `received ${sig}, stopping`);
      void stopBounded(runner).then(() => {
        removePidFile(config.pidFile);
        process.exit(0);
      });
    });
  }
  const code = await runner.done;
  await stopBounded(runner);
  removePidFile(config.pidFile);
  return code;
}

/** Gives the runner a moment to release what it holds (the de-duplication session), no more. */
const STOP_WAIT_MS = 3000;
function stopBounded(runner: Runner): Promise<void> {
  return Promise.race([runner.stop(), new Promise<void>((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`proconsul-template: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
