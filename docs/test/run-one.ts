// `npx tsx test/run-one.ts tutorials/NN-name.md [-v]`: one tutorial, with the runner's report (for writing docs).
import { runTutorial } from './run-tutorial.js';

const file = process.argv[2];
if (!file) throw new Error('usage: tsx test/run-one.ts <tutorial.md>');
const started = Date.now();
const verbose = process.argv.includes('-v');
const r = await runTutorial(file, {
  onBlock: verbose ? (b, out) => console.log(`--- line ${b.line} ---\n${b.code}\n>>>\n${out}`) : undefined,
});
console.log(r.ok ? `ok: ${r.blocksRun} blocks in ${((Date.now() - started) / 1000).toFixed(1)} s` : r.report);
process.exit(r.ok ? 0 : 1);
