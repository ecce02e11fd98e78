// `npm start`: build, then run the main job. Where a Docker engine answers (and docker-compose
// is installed): the dynamic-scaling stack of deploy/compose.yml, images built from this
// checkout. Otherwise: a single dev agent on 127.0.0.1 (HTTP 8500, DNS 8600), as
// `consul agent -dev`. `PROCONSUL_START=dev npm start` asks for the dev agent in any case.
import { spawn, spawnSync } from 'node:child_process';

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env }).status === 0;
const quiet = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

if (!run('npx', ['turbo', 'run', 'build'])) process.exit(1);

const dockerReady = process.env.PROCONSUL_START !== 'dev' && quiet('docker', ['info']) && quiet('docker-compose', ['version']);
if (dockerReady) {
  const compose = ['-f', 'deploy/compose.yml'];
  const ok = run('deploy/base-image/build.sh', []) &&
    run('deploy/build-images.sh', []) &&
    run('docker-compose', [...compose, 'up', '-d']);
  if (!ok) process.exit(1);
  console.log(`
The stack is up: one server agent, the registrator, nginx kept in step by proconsul-template, one web.
  curl -s 127.0.0.1:18080                                   # through nginx to a web backend
  docker-compose -f deploy/compose.yml up -d --scale web=3  # nginx follows within a second
  curl -s '127.0.0.1:18501/v1/health/service/web?passing'   # the agent's HTTP API (UI: /ui)
  dig @127.0.0.1 -p 18601 web.service.consul                # its DNS interface
  docker-compose -f deploy/compose.yml down -v              # stop and remove everything
(No Docker wanted? PROCONSUL_START=dev npm start runs a single dev agent.)`);
} else {
  console.log(process.env.PROCONSUL_START === 'dev' ? 'starting a dev agent' : 'no Docker engine answers: starting a dev agent instead of the compose stack');
  const agent = spawn(process.execPath, ['packages/cli/bin/proconsul.js', 'agent', '-dev', '-client', '127.0.0.1', '-bind', '127.0.0.1'], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => agent.kill(sig));
  agent.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
