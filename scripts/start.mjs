// `npm start`: build, then run the main job. Until the compose stack exists this is always a
// single dev agent on 127.0.0.1 (HTTP 8500, DNS 8600), as `consul agent -dev` would be.
import { spawnSync, spawn } from 'node:child_process';

const build = spawnSync('npx', ['turbo', 'run', 'build'], { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
if (build.status !== 0) process.exit(build.status ?? 1);

const agent = spawn(process.execPath, ['packages/cli/bin/proconsul.js', 'agent', '-dev', '-client', '127.0.0.1', '-bind', '127.0.0.1'], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => agent.kill(sig));
agent.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
