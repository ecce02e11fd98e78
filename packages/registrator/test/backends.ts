// Real etcd (3.4, v2 API on) and ZooKeeper servers for the backend tests, each on a loopback
// address with its data in a temp dir. A missing server binary fails the test: .ci/run installs
// etcd-server, libzookeeper-java and default-jre-headless.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePorts, stopProcess, tempDir, waitFor, type TempDir } from '@proconsul/testing';

export interface Server {
  /** `host:port` of the client listener. */
  readonly address: string;
  stop(): Promise<void>;
}

const ETCD = '/usr/bin/etcd';
const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const JAVA = '/usr/bin/java';

function started(proc: ChildProcess, dir: TempDir, address: string): Server {
  return {
    address,
    async stop() {
      await stopProcess(proc);
      dir.remove();
    },
  };
}

function spawnLogged(cmd: string, args: string[]): { proc: ChildProcess; output: () => string } {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // Keep the tail only: enough to say why a server did not come up.
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return { proc, output: () => out };
}

export async function startEtcd(ip: string): Promise<Server> {
  if (!existsSync(ETCD)) throw new Error(`${ETCD} is missing: apt-get install etcd-server`);
  const [client, peer] = await freePorts(ip, 2);
  const dir = tempDir('pcreg-etcd-');
  const { proc, output } = spawnLogged(ETCD, [
    '--name', 'regtest', '--data-dir', join(dir.path, 'data'), '--enable-v2=true',
    '--listen-client-urls', `http://${ip}:${client}`, '--advertise-client-urls', `http://${ip}:${client}`,
    '--listen-peer-urls', `http://${ip}:${peer}`, '--initial-advertise-peer-urls', `http://${ip}:${peer}`,
    '--initial-cluster', `regtest=http://${ip}:${peer}`, '--log-level', 'warn',
  ]);
  const server = started(proc, dir, `${ip}:${client}`);
  try {
    await waitFor(async () => (await fetch(`http://${ip}:${client}/v2/keys/`)).ok, 'etcd to serve the v2 API', 30_000, 200);
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message}\n${output()}`);
  }
  return server;
}

export async function startZookeeper(ip: string): Promise<Server> {
  if (!existsSync(ZOOKEEPER_JAR)) throw new Error(`${ZOOKEEPER_JAR} is missing: apt-get install libzookeeper-java`);
  if (!existsSync(JAVA)) throw new Error(`${JAVA} is missing: apt-get install default-jre-headless`);
  const [client] = await freePorts(ip, 1);
  const dir = tempDir('pcreg-zk-');
  const cfg = join(dir.path, 'zoo.cfg');
  writeFileSync(cfg, [
    'tickTime=500', // sessions of 1-10 s, so an expiry is quick to see
    'minSessionTimeout=1000',
    `dataDir=${join(dir.path, 'data')}`,
    `clientPort=${client}`,
    `clientPortAddress=${ip}`,
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok',
  ].join('\n'));
  const { proc, output } = spawnLogged(JAVA, ['-Dzookeeper.jmx.log4j.disable=true', '-cp', ZOOKEEPER_JAR, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg]);
  const server = started(proc, dir, `${ip}:${client}`);
  try {
    await waitFor(() => ruok(ip, client), 'zookeeper to answer ruok', 30_000, 200);
  } catch (err) {
    await server.stop();
    throw new Error(`${(err as Error).message}\n${output()}`);
  }
  return server;
}

/** ZooKeeper's `ruok` four-letter word: "imok" once it serves. */
async function ruok(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = '';
    const s = createConnection({ host: ip, port }, () => s.end('ruok'));
    s.setTimeout(2_000, () => s.destroy());
    s.on('data', (d: Buffer) => (answer += d.toString()));
    s.on('close', () => resolve(answer === 'imok'));
    s.on('error', () => resolve(false));
  });
}
