import { parseOptions, UsageError } from './options.js';
import { startRegistrator } from './registrator.js';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  try {
    const registrator = await startRegistrator(opts);
    await new Promise<void>((resolve) => {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, resolve);
    });
    await registrator.stop();
    return 0;
  } catch (err) {
    console.error(`proconsul-registrator: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await main();
