// Process entry: `node packages/agent/dist/run.js -dev ...` (the flags of `proconsul agent`).
import './js-string-decoder.js'; // before anything loads msgpackr
import { agentMain } from './main.js';

const code = await agentMain(process.argv.slice(2));
process.exit(code);
