// What `npm start`, `npm stop` and the e2e tests agree on about the compose stack: which
// topology and compose file, the project name, the host ports and their variables, and which
// compose command this machine has.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const deployDir = dirname(fileURLToPath(import.meta.url));

/**
 * The default topology is the compose file named in deploy/.env (COMPOSE_FILE), so plain
 * `docker compose` in deploy/ and npm start agree: compose.yml is `single` (one server),
 * compose.cluster.yml is `cluster` (three servers and a client). PROCONSUL_TOPOLOGY overrides.
 */
export const DEFAULT_TOPOLOGY = (() => {
  const env = readFileSync(join(deployDir, '.env'), 'utf8');
  const file = /^COMPOSE_FILE=(.*)$/m.exec(env)?.[1]?.trim();
  if (file === 'compose.cluster.yml') return 'cluster';
  if (file === 'compose.yml' || file === undefined) return 'single';
  throw new Error(`deploy/.env: COMPOSE_FILE must be compose.yml or compose.cluster.yml, not ${JSON.stringify(file)}`);
})();

/** @param {NodeJS.ProcessEnv} env */
export function topology(env = process.env) {
  const t = env.PROCONSUL_TOPOLOGY || DEFAULT_TOPOLOGY;
  if (t !== 'single' && t !== 'cluster') throw new Error(`PROCONSUL_TOPOLOGY must be single or cluster, not ${JSON.stringify(t)}`);
  return t;
}

/** The compose file of a topology. */
export function composeFile(t = topology()) {
  return join(deployDir, t === 'cluster' ? 'compose.cluster.yml' : 'compose.yml');
}

/**
 * The project name (deploy/.env says the same for a plain `docker compose` in deploy/);
 * PROCONSUL_PROJECT gives another (the e2e tests run theirs beside a user's stack).
 */
export const PROJECT = process.env.PROCONSUL_PROJECT || 'proconsul';

/** Host ports (127.0.0.1), the tutorials' numbers by default, each overridable by a variable. */
export const PORTS = [
  { name: 'lb (nginx)', variable: 'PROCONSUL_LB_PORT', fallback: 80, protocols: ['tcp'] },
  { name: 'HTTP API and UI', variable: 'PROCONSUL_HTTP_PORT', fallback: 8500, protocols: ['tcp'] },
  { name: 'DNS', variable: 'PROCONSUL_DNS_PORT', fallback: 8600, protocols: ['udp', 'tcp'] },
];

/** @param {NodeJS.ProcessEnv} env @returns {{ lb: number, http: number, dns: number }} */
export function hostPorts(env = process.env) {
  const [lb, http, dns] = PORTS.map((p) => {
    const raw = env[p.variable];
    if (raw === undefined || raw === '') return p.fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${p.variable}=${raw} is not a port number`);
    return n;
  });
  return { lb, http, dns };
}

/** `docker compose` (v2) when the plugin answers, else `docker-compose` (v1), else undefined. */
export function composeCommand() {
  const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (ok('docker', ['compose', 'version'])) return ['docker', 'compose'];
  if (ok('docker-compose', ['version'])) return ['docker-compose'];
  return undefined;
}
