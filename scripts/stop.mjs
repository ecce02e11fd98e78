// `npm stop`: takes the compose stack of `npm start` down (containers and network; the
// agents' data volumes stay unless `npm stop -- -v`). Works whatever topology it was started
// with: the project's containers go, those of the other compose file too (--remove-orphans).
import { spawnSync } from 'node:child_process';
import { PROJECT, composeCommand, composeFile, topology } from '../deploy/stack.mjs';

const compose = composeCommand();
if (!compose) {
  console.error('npm stop: neither `docker compose` nor `docker-compose` is installed');
  process.exit(1);
}
const extra = process.argv.slice(2);
const bad = extra.find((a) => a !== '-v' && a !== '--volumes');
if (bad) {
  console.error(`npm stop: unknown argument ${JSON.stringify(bad)} (only -v: also remove the data volumes)`);
  process.exit(1);
}
let file;
try {
  file = composeFile(topology());
} catch (e) {
  console.error(`npm stop: ${e.message}`);
  process.exit(1);
}
const args = [...compose.slice(1), '-p', PROJECT, '-f', file, 'down', '--remove-orphans', '-t', '5', ...extra];
process.exit(spawnSync(compose[0], args, { stdio: 'inherit' }).status ?? 1);
