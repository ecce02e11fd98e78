// `npm start`: the compose stack of deploy/ where a Docker engine answers, images built from
// this checkout (only what changed); otherwise a single dev agent on 127.0.0.1 (HTTP 8500,
// DNS 8600), as `consul agent -dev`. `PROCONSUL_START=dev npm start` asks for the dev agent.
// Each failure a user can fix ends in one line that says what to do.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { relative } from 'node:path';
import { PORTS, PROJECT, composeCommand, composeFile, hostPorts, topology } from '../deploy/stack.mjs';

const OFFICIAL_BASE = 'node:20-bookworm-slim';
const OFFLINE_BASE = 'proconsul/base:bookworm-node20';
const started = Date.now();
// Only a finished start is a success (an unexpected early exit of node must not look like one).
process.exitCode = 1;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const run = (cmd, args, extraEnv = {}) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, ...extraEnv } }).status === 0;
const quiet = (cmd, args, timeout) => spawnSync(cmd, args, { stdio: 'ignore', timeout }).status === 0;
const output = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '';

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

function devAgent(why) {
  console.log(why);
  if (!run('npx', ['turbo', 'run', 'build', '--filter=@proconsul/cli', '--output-logs=errors-only'])) process.exit(1);
  const agent = spawn(process.execPath, ['packages/cli/bin/proconsul.js', 'agent', '-dev', '-client', '127.0.0.1', '-bind', '127.0.0.1'], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => agent.kill(sig));
  agent.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

/** Resolves to the error code when 127.0.0.1:port/protocol cannot be bound, else undefined. */
function bindError(port, protocol) {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const s = createSocket('udp4');
      s.once('error', (e) => (s.close(), resolve(e.code)));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(undefined)));
    } else {
      const s = createServer();
      s.once('error', (e) => resolve(e.code));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(undefined)));
    }
  });
}

/** Ports taken by something other than this project's containers: one line each, naming the variable. */
async function takenPorts(ports) {
  const ours = new Set();
  const published = output('docker', ['ps', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Ports}}']);
  for (const m of published.matchAll(/127\.0\.0\.1:(\d+)->\d+\/(tcp|udp)/g)) ours.add(`${m[1]}/${m[2]}`);
  const lines = [];
  for (const [i, p] of PORTS.entries()) {
    const port = [ports.lb, ports.http, ports.dns][i];
    for (const protocol of p.protocols) {
      if (ours.has(`${port}/${protocol}`)) continue;
      // EACCES (a port below 1024 for a non-root user) says nothing: Docker binds it as root.
      if ((await bindError(port, protocol)) === 'EADDRINUSE') {
        lines.push(`127.0.0.1:${port}/${protocol} (${p.name}) is taken: choose another with ${p.variable}=<port> npm start`);
        break;
      }
    }
  }
  return lines;
}

/** The image the stack's images start from: an official node image where there is one, else the offline base. */
function baseImage() {
  const exists = (image) => quiet('docker', ['image', 'inspect', image]);
  if (process.env.PROCONSUL_BASE_IMAGE) {
    const image = process.env.PROCONSUL_BASE_IMAGE;
    if (exists(image) || run('docker', ['pull', image])) return image;
    fail(`PROCONSUL_BASE_IMAGE=${image} is neither present nor pullable`);
  }
  if (exists(OFFICIAL_BASE)) return OFFICIAL_BASE;
  if (exists(OFFLINE_BASE)) return OFFLINE_BASE;
  console.log(`pulling ${OFFICIAL_BASE} ...`);
  if (quiet('docker', ['pull', '--quiet', OFFICIAL_BASE], 180_000)) return OFFICIAL_BASE;
  console.log(`${OFFICIAL_BASE} cannot be pulled (no image registry answers): the offline base image ${OFFLINE_BASE} is built instead, from Debian packages`);
  const root = process.getuid?.() === 0;
  if (!quiet('sh', ['-c', 'command -v debootstrap'])) {
    const apt = root && quiet('sh', ['-c', 'command -v apt-get']);
    if (!apt) fail(`no image registry answers and debootstrap is not installed: install debootstrap (Debian/Ubuntu: sudo apt-get install debootstrap), or make ${OFFICIAL_BASE} pullable (docker pull ${OFFICIAL_BASE})`);
    console.log('installing debootstrap (apt-get)');
    const install = () => quiet('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'debootstrap']);
    if (!install() && !(quiet('apt-get', ['update', '-qq']) && install())) fail('apt-get install debootstrap failed: install it by hand, then npm start again');
  }
  if (!root) fail(`no image registry answers, and the offline base image needs root (debootstrap): run npm start as root once, or make ${OFFICIAL_BASE} pullable`);
  if (!run('deploy/base-image/build.sh', [OFFLINE_BASE])) fail('building the offline base image failed (see above)');
  return OFFLINE_BASE;
}

/**
 * staged: the trees are staged from this host's node_modules (fast, offline). source: npm ci
 * and the build run inside Docker (needs a registry): for a host whose node_modules would not
 * run in the Linux image (macOS, another CPU than the engine's).
 */
function treeMode(base) {
  if (process.env.PROCONSUL_TREE) return process.env.PROCONSUL_TREE;
  if (base === OFFLINE_BASE) return 'staged';
  const engine = output('docker', ['info', '--format', '{{.Architecture}}']).trim();
  const host = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch;
  return process.platform === 'linux' && engine === host ? 'staged' : 'source';
}

/** The base image, then the stack's images from this tree (only what changed); returns the base. */
function buildImages() {
  const base = baseImage();
  if (!run('deploy/build-images.sh', [], { BASE_IMAGE: base, PROCONSUL_TREE: treeMode(base) })) fail('building the images failed (see above)');
  return base;
}

async function main() {
  if (process.env.PROCONSUL_START === 'dev') return devAgent('starting a dev agent');
  // Only the images (the Swarm e2e test loads them into its engines): no compose, no ports.
  if (process.env.PROCONSUL_START === 'images') {
    if (!quiet('docker', ['info'], 20_000)) fail('no Docker engine answers: the images cannot be built');
    console.log(`images built from base ${buildImages()}`);
    process.exitCode = 0;
    return;
  }
  if (!quiet('docker', ['info'], 20_000)) return devAgent('no Docker engine answers: starting a dev agent instead of the compose stack (start dockerd for the stack)');
  const compose = composeCommand();
  if (!compose) fail('a Docker engine answers but neither `docker compose` nor `docker-compose` is installed (Debian: apt-get install docker-compose)');
  let ports;
  let file;
  try {
    ports = hostPorts();
    file = composeFile(topology());
  } catch (e) {
    fail(e.message);
  }
  const taken = await takenPorts(ports);
  if (taken.length) fail(taken.join('\nnpm start: '));

  const base = buildImages();

  const project = [...compose, '-p', PROJECT, '-f', file];
  // Keep the number of web containers a user scaled to (a plain `up` would go back to 1).
  const webs = output('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', 'label=com.docker.compose.service=web']).split('\n').filter(Boolean).length;
  if (!run(project[0], [...project.slice(1), 'up', '-d', '--no-build', '--remove-orphans', '--scale', `web=${Math.max(1, webs)}`])) fail('compose up failed (see above)');

  // Up means nginx answers from a backend: bounded wait. The per-request timeout is a ref'd
  // timer (AbortSignal.timeout's is not): node must not exit while a request hangs.
  const lbURL = `http://127.0.0.1:${ports.lb}/`;
  let answer = '';
  for (const deadline = Date.now() + 60_000; !answer && Date.now() < deadline;) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 2_000);
    try {
      const res = await fetch(lbURL, { signal: abort.signal });
      const body = await res.text();
      if (res.status === 200) answer = body.trim();
    } catch {
      /* not yet */
    } finally {
      clearTimeout(timer);
    }
    if (!answer) await new Promise((r) => setTimeout(r, 250));
  }
  if (!answer) fail(`the stack started but ${lbURL} did not answer 200 within 60 s: ${[...project, 'logs'].join(' ')}`);

  // Variables that differ from the defaults must be given to later compose commands too.
  const overrides = ['PROCONSUL_LB_PORT', 'PROCONSUL_HTTP_PORT', 'PROCONSUL_DNS_PORT', 'PROCONSUL_LB_MODE', 'PROCONSUL_TAG']
    .filter((v) => process.env[v]).map((v) => `${v}=${process.env[v]} `).join('');
  // Another project name (PROCONSUL_PROJECT) must be named too, or compose acts on deploy/.env's.
  const projectFlag = PROJECT === 'proconsul' ? '' : ` -p ${PROJECT}`;
  const dc = `${overrides}${compose.join(' ')}${projectFlag} -f ${relative(process.cwd(), file)}`;
  const host = ports.lb === 80 ? 'http://localhost' : `http://localhost:${ports.lb}`;
  const rows = [
    [`${host}/`, `the lb: nginx -> web ("${answer}")`],
    [`http://localhost:${ports.http}/ui`, `the UI; the HTTP API: curl 'localhost:${ports.http}/v1/health/service/web?passing'`],
    [`dig @127.0.0.1 -p ${ports.dns} web.service.consul SRV`, 'DNS'],
    [`${dc} up -d --scale web=3`, 'three web backends: nginx follows'],
    [`${dc} logs -f lb registrator`, 'renders and registrations'],
    ...(topology() === 'cluster' ? [[`${dc} exec server-1 cat /consul/management/token`, 'the ACL management token (ACLs deny by default; X-Consul-Token)']] : []),
    ['npm stop', 'stop and remove the containers (the data stays; npm stop -- -v removes it)'],
  ];
  const width = Math.max(...rows.map(([a]) => a.length));
  console.log(`\nProconsul is up (${topology()} topology, base image ${base}) in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  for (const [a, b] of rows) console.log(`  ${a.padEnd(width)}   # ${b}`);
  process.exitCode = 0;
}

main().catch((e) => fail(e.message));
