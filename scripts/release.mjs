// Releases (docs/releasing.md):
//   node scripts/release.mjs check    the dry run `npm test` runs (release/test): pack every
//                                     publishable package, check what each tarball holds, install
//                                     the tarballs into an empty folder with npm, run
//                                     `npx proconsul version`, start `proconsul agent -dev` and query
//                                     it, require @proconsul/api from ESM and from CommonJS.
//   node scripts/release.mjs images   the images, tagged with the packages' version (deploy/build-images.sh).
// Every package moves to one version (Changesets, `fixed` in .changeset/config.json).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The release check's agent: an address of the docs' range, HTTP and DNS ports of its own. */
const AGENT_IP = '127.0.77.30';
const HTTP_PORT = 18530;
const DNS_PORT = 18531;

/** What no tarball may hold: tests, sources, build and test configuration. */
const FORBIDDEN = [
  [/(^|\/)(test|tests|__tests__|testing|mutants|bench)\//, 'a test or bench directory'],
  [/\.(test|spec)\.[cm]?[jt]sx?(\.map)?$/, 'a test file'],
  [/(^|\/)src\//, 'a source directory'],
  [/(?<!\.d)\.[cm]?tsx?$/, 'a TypeScript source'],
  [/(^|\/)(tsconfig[^/]*\.json|vitest\.config\.[cm]?[jt]s|vite\.config\.[cm]?[jt]s|turbo\.json)$/, 'build configuration'],
  [/\.tsbuildinfo$/, 'a build cache'],
  [/\.map$/, 'a source map (the sources it points to are not shipped)'],
  [/(^|\/)node_modules\//, 'node_modules'],
];

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
}

function fail(msg) {
  console.error(`release check: ${msg}`);
  process.exit(1);
}

/** Publishable workspaces: not private, in the order of the root's workspace globs. */
export function publishable() {
  const out = [];
  for (const dir of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      let pkg;
      try {
        pkg = JSON.parse(readFileSync(join(root, dir, name, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (!pkg.private) out.push({ dir: join(root, dir, name), pkg });
    }
  }
  return out;
}

export function releaseVersion() {
  const versions = new Set(publishable().map((p) => p.pkg.version));
  if (versions.size !== 1) fail(`the packages have different versions (${[...versions].join(', ')}); they are released at one version`);
  return [...versions][0];
}

/** Every file a package's exports, main and bin name must be in its tarball. */
function entryFiles(pkg) {
  const files = new Set();
  const add = (v) => {
    if (typeof v === 'string') files.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(add);
  };
  add(pkg.exports);
  add(pkg.main);
  add(pkg.types);
  add(pkg.bin);
  return [...files];
}

export function checkTarball(entry, files) {
  const problems = [];
  for (const f of files) {
    for (const [re, what] of FORBIDDEN) if (re.test(f)) problems.push(`${f}: ${what}`);
  }
  const have = new Set(files);
  for (const f of ['package.json', 'README.md', 'CHANGELOG.md', ...entryFiles(entry.pkg)]) {
    if (!have.has(f)) problems.push(`${f} is missing`);
  }
  return problems;
}

async function waitFor(what, fn, ms) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function check() {
  const version = releaseVersion();
  const entries = publishable();
  const work = mkdtempSync(join(tmpdir(), 'proconsul-release-'));
  const tarballs = join(work, 'tarballs');
  const app = join(work, 'app');
  let agent;
  try {
    console.log(`packing ${entries.length} packages at ${version}`);
    const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', (sh('mkdir', ['-p', tarballs]), tarballs), ...entries.flatMap((e) => ['-w', e.pkg.name])], { cwd: root }));
    const problems = [];
    for (const p of packed) {
      const entry = entries.find((e) => e.pkg.name === p.name);
      if (p.version !== version) problems.push(`${p.name}: version ${p.version}`);
      for (const pr of checkTarball(entry, p.files.map((f) => f.path))) problems.push(`${p.name}: ${pr}`);
      console.log(`  ${p.filename}: ${p.files.length} files, ${(p.size / 1024).toFixed(0)} KiB`);
    }
    if (packed.length !== entries.length) problems.push(`packed ${packed.length} of ${entries.length} packages`);
    if (problems.length) fail(`tarball contents:\n  ${problems.join('\n  ')}`);

    // An empty folder; our packages only from the tarballs, third-party ones from the registry.
    sh('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'release-check', version: '1.0.0', private: true }, null, 2));
    console.log('installing the tarballs into an empty folder');
    sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed.map((p) => join(tarballs, p.filename))], { cwd: app, timeout: 300_000 });
    const env = { ...process.env, npm_config_yes: 'false' };
    delete env.CONSUL_HTTP_ADDR;

    const out = sh('npx', ['--no', 'proconsul', 'version'], { cwd: app, env });
    if (out.split('\n')[0] !== `Proconsul v${version}`) fail(`npx proconsul version printed:\n${out}`);
    for (const bin of ['proconsul-registrator', 'proconsul-template']) {
      const help = execFileSync('npx', ['--no', bin, '-h'], { cwd: app, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (!/usage/i.test(help)) fail(`${bin} -h printed no usage:\n${help}`);
    }
    console.log(`  npx proconsul version: ${out.split('\n')[0]}`);

    const http = `http://${AGENT_IP}:${HTTP_PORT}`;
    const log = [];
    agent = spawn('npx', ['--no', 'proconsul', 'agent', '-dev', '-node', 'release-check', '-bind', AGENT_IP, '-client', AGENT_IP, '-http-port', String(HTTP_PORT), '-dns-port', String(DNS_PORT)], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    agent.stdout.on('data', (d) => log.push(String(d)));
    agent.stderr.on('data', (d) => log.push(String(d)));
    const exited = new Promise((r) => agent.on('exit', (code) => r(code)));
    try {
      await waitFor('the agent\'s leader', async () => (await (await fetch(`${http}/v1/status/leader`)).json()) !== '', 30_000);
    } catch (err) {
      fail(`${err.message}; agent output:\n${log.join('')}`);
    }
    sh('npx', ['--no', 'proconsul', 'kv', 'put', `-http-addr=${AGENT_IP}:${HTTP_PORT}`, 'release/check', version], { cwd: app, env });
    const ui = await fetch(`${http}/ui/`);
    if (ui.status !== 200 || !(await ui.text()).includes('<title>Proconsul</title>')) fail(`the installed agent does not serve the UI (${ui.status})`);
    console.log(`  proconsul agent -dev: a leader, a KV write, the UI at ${http}/ui/`);

    // @proconsul/api from a plain ESM and a CommonJS script, against the installed agent.
    writeFileSync(join(app, 'esm.mjs'), `import { Consul } from '@proconsul/api';\nimport { createClient } from '@proconsul/api/node';\nconst a = new Consul({ address: '${AGENT_IP}:${HTTP_PORT}' });\nconst b = createClient({ address: '${AGENT_IP}:${HTTP_PORT}' });\nconst { data } = await a.kv.get('release/check');\nconst leader = await b.status.leader();\nconsole.log(Buffer.from(data.Value, 'base64').toString(), typeof leader);\n`);
    writeFileSync(join(app, 'cjs.cjs'), `const { Consul } = require('@proconsul/api');\nconst { createClient } = require('@proconsul/api/node');\nconst a = new Consul({ address: '${AGENT_IP}:${HTTP_PORT}' });\ncreateClient({ address: '${AGENT_IP}:${HTTP_PORT}' });\na.kv.get('release/check').then(({ data }) => console.log(Buffer.from(data.Value, 'base64').toString()));\n`);
    for (const script of ['esm.mjs', 'cjs.cjs']) {
      const r = sh(process.execPath, [script], { cwd: app, env });
      if (!r.startsWith(version)) fail(`${script} printed ${JSON.stringify(r)}, expected the value ${version}`);
      console.log(`  node ${script}: ${r.trim()}`);
    }
    process.kill(-agent.pid, 'SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (code === 'timeout') fail('the agent did not stop within 15 s of SIGTERM');
    agent = undefined;
    console.log(`release check passed: ${packed.length} packages at ${version}`);
  } finally {
    if (agent) {
      try {
        process.kill(-agent.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(work, { recursive: true, force: true });
  }
}

/** The base npm start uses (the official node image, else the offline one it builds once). */
function baseImage() {
  const exists = (image) => {
    try {
      sh('docker', ['image', 'inspect', image]);
      return true;
    } catch {
      return false;
    }
  };
  const candidates = [process.env.PROCONSUL_BASE_IMAGE, 'node:20-bookworm-slim', 'proconsul/base:bookworm-node20'].filter(Boolean);
  return candidates.find(exists) ?? fail(`none of ${candidates.join(', ')} is present: npm start once prepares the base image`);
}

function images() {
  const version = releaseVersion();
  execFileSync(join(root, 'deploy/build-images.sh'), [version], { stdio: 'inherit', cwd: root, env: { ...process.env, BASE_IMAGE: baseImage() } });
  console.log(`images proconsul/{agent,registrator,lb,web-demo}:${version}; deploy with PROCONSUL_TAG=${version} (deploy/.env)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const what = process.argv[2];
  if (what === 'check') await check();
  else if (what === 'images') images();
  else if (what === 'version') console.log(releaseVersion());
  else fail('usage: node scripts/release.mjs check|images|version');
}
