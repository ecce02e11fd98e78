// `npm test`: every package's tests through turbo (one package at a time, so timing-sensitive
// integration tests do not compete for the two cores), then one summary line that CI reads.
import { spawn } from 'node:child_process';

const args = ['turbo', 'run', 'test', '--concurrency=1', '--log-order=stream', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' } });
const totals = { passed: 0, failed: 0, skipped: 0 };
let pending = '';

function scan(chunk) {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const raw of lines) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    // vitest: "      Tests  2 failed | 10 passed | 1 skipped (13)"
    const m = /\bTests\s+(.+)\(\d+\)\s*$/.exec(line);
    if (!m) continue;
    for (const part of m[1].split('|')) {
      const n = /(\d+)\s+(passed|failed|skipped|todo)/.exec(part);
      if (n) totals[n[2] === 'todo' ? 'skipped' : n[2]] += Number(n[1]);
    }
  }
}
child.stdout.on('data', (d) => { process.stdout.write(d); scan(d.toString()); });
child.stderr.on('data', (d) => { process.stderr.write(d); scan(d.toString()); });
child.on('close', (code) => {
  scan('\n');
  // A run in which no test passed proves nothing (turbo stopped early, say): it fails.
  const ok = code === 0 && totals.passed > 0;
  const failed = ok ? totals.failed : Math.max(totals.failed, 1);
  console.log(`\ntests: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`);
  if (code === 0 && !ok) console.error('no test ran: failing the run');
  process.exit(ok ? 0 : (code || 1));
});
