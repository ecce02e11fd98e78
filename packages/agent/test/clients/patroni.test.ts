// Patroni (Debian's patroni 3.x, PostgreSQL 15) with Proconsul as its DCS, against a real server
// and a client agent on 127.0.113.x: two members elect a leader through a session-held KV lock,
// the replica streams from it, `patronictl switchover` hands the lock over, and when the
// leader's Patroni and postgres die (kill -9) its session expires and the replica takes the lock. Patroni's Consul DCS is
// /usr/lib/python3/dist-packages/patroni/dcs/consul.py: sessions with a TTL (half of Patroni's
// ttl: Consul invalidates at twice the TTL) and no checks, behavior=delete, KV put with
// acquire/cas, recursive gets, blocking gets on the leader key, and service registration with
// an HTTP check when register_service is on. See docs/clients.md, "Patroni".
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, eventually, http, startAgentProcess, tempDir, type AgentProcess } from '../helpers.js';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const SCOPE = 'pc-pg';
const [SERVER, CLIENT] = ['127.0.113.1', '127.0.113.2'];
const CONSUL = `${CLIENT}:8500`;
const DNS_PORT = 8600;
const TTL_S = 12; // Patroni's ttl: its session TTL is 6 s, invalidated after 12 s without a renewal

interface Member {
  name: string;
  ip: string;
  api: string;
  pgPort: number;
  dir: string;
  patroni?: ChildProcess;
  log: string;
}

const members: Member[] = ['pg1', 'pg2'].map((name, i) => ({
  name,
  ip: `127.0.113.${21 + i}`,
  api: `http://127.0.113.${21 + i}:18008`,
  pgPort: 15432,
  dir: '',
  log: '',
}));

/** The member's Patroni configuration (YAML is a superset of JSON). */
function patroniConfig(m: Member): object {
  return {
    scope: SCOPE,
    name: m.name,
    log: { level: 'INFO' },
    restapi: { listen: `${m.ip}:18008`, connect_address: `${m.ip}:18008` },
    consul: { host: CONSUL, register_service: true },
    bootstrap: {
      dcs: { ttl: TTL_S, loop_wait: 2, retry_timeout: 4, maximum_lag_on_failover: 1048576 },
      initdb: [{ encoding: 'UTF8' }, 'no-sync'],
      pg_hba: ['local all all trust', 'host all all 127.0.113.0/24 trust', 'host replication all 127.0.113.0/24 trust'],
    },
    postgresql: {
      listen: `${m.ip}:${m.pgPort}`,
      connect_address: `${m.ip}:${m.pgPort}`,
      data_dir: join(m.dir, 'data'),
      bin_dir: PG_BIN,
      pgpass: join(m.dir, 'pgpass'),
      authentication: { superuser: { username: 'postgres' }, replication: { username: 'postgres' } },
      parameters: { unix_socket_directories: m.dir, fsync: 'off', shared_buffers: '16MB', max_connections: 20 },
    },
  };
}

function owner(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user: install postgresql (.ci/run does)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Starts the member's Patroni as the postgres user, in its own process group. */
function startPatroni(m: Member): void {
  const proc = spawn('runuser', ['-u', 'postgres', '--', 'patroni', join(m.dir, 'patroni.yml')], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (d: Buffer) => (m.log = (m.log + d.toString()).slice(-50_000));
  proc.stdout!.on('data', append);
  proc.stderr!.on('data', append);
  m.patroni = proc;
}

/** The process group of a running process (/proc/PID/stat's fifth field), or undefined. */
function processGroup(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/**
 * kill -9 of the member's Patroni (the process group runuser leads) and of its postgres: Patroni
 * starts the postmaster in a session of its own (patroni/postgresql/postmaster.py), so that one
 * is found through data/postmaster.pid.
 */
function kill9(m: Member): void {
  let postmaster: number | undefined;
  try {
    postmaster = processGroup(Number(readFileSync(join(m.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]));
  } catch {
    // no postmaster running
  }
  for (const group of [m.patroni?.pid, postmaster]) {
    if (!group) continue;
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const psql = async (m: Member, sql: string): Promise<string> =>
  (await run(join(PG_BIN, 'psql'), ['-h', m.ip, '-p', String(m.pgPort), '-U', 'postgres', '-d', 'postgres', '-AtXq', '-c', sql], { timeout: 10_000 })).stdout.trim();

const status = async (url: string): Promise<number> => (await fetch(url, { signal: AbortSignal.timeout(3_000) })).status;

/** The leader key's value (the member's name) and session, as Patroni wrote it. */
async function leaderKey(): Promise<{ name: string; session: string } | undefined> {
  const r = await http(`http://${CONSUL}`, 'GET', `/v1/kv/service/${SCOPE}/leader`);
  if (r.status !== 200) return undefined;
  const [kv] = r.json() as { Value: string; Session?: string }[];
  return { name: Buffer.from(kv!.Value, 'base64').toString(), session: kv!.Session ?? '' };
}

describe('Patroni on Proconsul', () => {
  const agentDirs = [tempDir('proconsul-patroni-s-'), tempDir('proconsul-patroni-c-')];
  const agents: AgentProcess[] = [];
  const work = tempDir('proconsul-patroni-');

  beforeAll(async () => {
    // CI installs them (.ci/run): without them this fails, it does not skip.
    const { stdout } = await run('patroni', ['--version']);
    expect(stdout).toMatch(/^patroni \d+\./);
    const { uid, gid } = owner();
    chownSync(work.path, uid, gid);
    for (const m of members) {
      m.dir = join(work.path, m.name);
      mkdirSync(m.dir, { mode: 0o700 });
      chownSync(m.dir, uid, gid);
      writeFileSync(join(m.dir, 'patroni.yml'), JSON.stringify(patroniConfig(m)));
    }
    const common = (ip: string, node: string, i: number) => ['-data-dir', agentDirs[i]!.path, '-bind', ip, '-client', ip, '-node', node, '-log-level', 'warn'];
    // Patroni asks for half its ttl (6 s): the server's session_ttl_min must allow it (the
    // client agent keeps the default 10 s: the bound is the servers', as in Consul).
    const server = ['-server', '-bootstrap', '-dns-port', '-1', '-hcl', 'session_ttl_min = "5s"'];
    agents.push(await startAgentProcess([...server, ...common(SERVER, 'pg-server', 0)], `${SERVER}:8500`));
    agents.push(await startAgentProcess([...common(CLIENT, 'pg-client', 1), '-dns-port', String(DNS_PORT), '-retry-join', SERVER, '-retry-interval', '1s'], CONSUL));
  }, 90_000);

  afterAll(async () => {
    for (const m of members) kill9(m);
    for (const m of members) await eventually(async () => psql(m, 'SELECT 1').then(() => false, () => true), `${m.name}'s postgres gone`, 40, 250);
    for (const a of agents) await a.kill9();
    for (const d of [...agentDirs, work]) d.remove();
  });

  type Entry = { Service: { ID: string; Address: string; Port: number } };
  /** The members whose service passes its check with this tag (Patroni's /<role> endpoint). */
  const tagged = async (tag: string): Promise<string[]> =>
    ((await http(`http://${CONSUL}`, 'GET', `/v1/health/service/${SCOPE}?passing&tag=${tag}`)).json() as Entry[]).map((e) => e.Service.ID);
  const [pg1, pg2] = members as [Member, Member];

  it('elects one leader and streams to the other; both are in the catalog and DNS by role', async () => {
    // The first member bootstraps the cluster; the second clones it once it leads.
    startPatroni(pg1);
    await eventually(async () => (await status(`${pg1.api}/leader`)) === 200, `pg1 leading (log: ${pg1.log.slice(-3_000)})`, 120, 500);
    startPatroni(pg2);
    await eventually(async () => (await status(`${pg2.api}/replica`)) === 200, `pg2 a replica (log: ${pg2.log.slice(-3_000)})`, 120, 500);
    expect(await status(`${pg2.api}/leader`)).toBe(503);
    expect(await status(`${pg1.api}/replica`)).toBe(503);
    expect((await leaderKey())?.name).toBe('pg1');

    // A row written on the leader is read on the replica.
    await psql(pg1, "CREATE TABLE t (v text); INSERT INTO t VALUES ('from-pg1')");
    await eventually(async () => (await psql(pg2, 'SELECT v FROM t').catch(() => '')) === 'from-pg1', 'the row on the replica', 40, 250);

    await eventually(async () => (await tagged('master')).join() === `${SCOPE}/pg1`, 'pg1 tagged master', 40, 250);
    await eventually(async () => (await tagged('replica')).join() === `${SCOPE}/pg2`, 'pg2 tagged replica', 40, 250);
    const [master] = (await http(`http://${CONSUL}`, 'GET', `/v1/catalog/service/${SCOPE}?tag=master`)).json() as { ServiceAddress: string; ServicePort: number }[];
    expect(master).toMatchObject({ ServiceAddress: pg1.ip, ServicePort: pg1.pgPort });
    await eventually(async () => dig(CLIENT, DNS_PORT, `master.${SCOPE}.service.consul`, 'A').join() === pg1.ip, 'master in DNS', 40, 250);
  }, 120_000);

  it('switches over with patronictl (the failover key, then the lock handed over)', async () => {
    const before = await leaderKey();
    await run('patronictl', ['-c', join(pg1.dir, 'patroni.yml'), 'switchover', SCOPE, '--leader', 'pg1', '--candidate', 'pg2', '--force'], { timeout: 60_000 });
    await eventually(async () => (await status(`${pg2.api}/leader`)) === 200 && (await status(`${pg1.api}/replica`)) === 200, `pg2 leading, pg1 following (log: ${pg1.log.slice(-3_000)})`, 120, 250);
    const after = await leaderKey();
    expect(after?.name).toBe('pg2');
    expect(after?.session).not.toBe(before?.session);
    await psql(pg2, "INSERT INTO t VALUES ('from-pg2')");
    await eventually(async () => (await psql(pg1, 'SELECT count(*) FROM t').catch(() => '')) === '2', 'the new row on pg1', 40, 250);
  }, 120_000);

  it('fails over within the ttl when the leader is killed', async () => {
    const before = await leaderKey();
    // kill -9 the leader: its session stops being renewed and expires (at twice its TTL), the
    // leader key goes with it (behavior=delete), and the replica takes the lock.
    const killedAt = Date.now();
    kill9(pg2);
    await eventually(async () => psql(pg2, 'SELECT 1').then(() => false, () => true), "the old leader's postgres gone", 20, 250);
    await eventually(async () => (await status(`${pg1.api}/leader`).catch(() => 0)) === 200, `pg1 promoted (log: ${pg1.log.slice(-3_000)})`, 120, 250);
    const tookMs = Date.now() - killedAt;
    console.log(`failover took ${tookMs} ms`);
    const after = await leaderKey();
    expect(after?.name).toBe('pg1');
    expect(after?.session).not.toBe(before?.session);
    // Within the ttl plus a loop or two of Patroni's (loop_wait 2 s) and a slow machine's slack.
    expect(tookMs).toBeLessThan((TTL_S + 10) * 1000);
    expect(await psql(pg1, "INSERT INTO t VALUES ('after') RETURNING (SELECT count(*) FROM t)")).toBe('2');
    await eventually(async () => (await tagged('master')).join() === `${SCOPE}/pg1`, 'pg1 tagged master again', 60, 250);
  }, 120_000);
});
