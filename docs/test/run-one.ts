// `npx tsx test/run-one.ts tutorials/NN-name.md`: one tutorial, with the runner's report (for writing docs).
import { runTutorial } from './run-tutorial.js';

const file = process.argv[2];
if (!file) throw new Error('usage: tsx test/run-one.ts <tutorial.md>');
const started = Date.now();
const r = await runTutorial(file);
console.log(r.ok ? `ok: ${r.blocksRun} blocks in ${((Date.now() - started) / 1000).toFixed(1)} s` : r.report);
process.exit(r.ok ? 0 : 1);
