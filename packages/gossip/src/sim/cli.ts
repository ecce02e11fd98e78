// npm run sim -w @proconsul/gossip -- --members M --seeds N --loss P [--rounds R] [--profile lan|wan]
import { parseArgs } from 'node:util';
import { profileConfig } from '../config.js';
import { formatResult, runScenario } from './scenario.js';

function fail(msg: string): never {
  console.error(`sim: ${msg}`);
  process.exit(1);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      members: { type: 'string', default: '100' },
      seeds: { type: 'string', default: '1' },
      loss: { type: 'string', default: '0' },
      rounds: { type: 'string', default: '1' },
      profile: { type: 'string', default: 'lan' },
    },
  }));
} catch (e) {
  fail((e as Error).message);
}
const members = Number(values.members);
const seeds = Number(values.seeds);
const rounds = Number(values.rounds);
let loss = Number(values.loss);
if (!Number.isInteger(members) || members < 2 || members > 100_000) fail('--members must be an integer in [2, 100000]');
if (!Number.isInteger(seeds) || seeds < 1) fail('--seeds must be a positive integer');
if (!Number.isInteger(rounds) || rounds < 1) fail('--rounds must be a positive integer');
if (!Number.isFinite(loss) || loss < 0 || loss >= 100) fail('--loss must be a fraction (0.01) or a percentage (1)');
if (loss >= 1) loss /= 100; // accept "1" as 1%
if (values.profile !== 'lan' && values.profile !== 'wan') fail('--profile must be lan or wan');

const t0 = performance.now();
const r = runScenario({ members, seeds, loss, rounds, config: profileConfig(values.profile) });
console.log(`profile=${values.profile} loss=${loss} suspicion_timeout_ms=${r.suspicionTimeoutMs} virtual_s=${(r.virtualMs / 1000).toFixed(1)} wall_s=${((performance.now() - t0) / 1000).toFixed(1)}`);
console.log(formatResult(r));
