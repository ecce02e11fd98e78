// Three Docker engines on this one machine, each in its own network namespace (its own address
// on a bridge in 10.88.0.0/24, hostname, data root, exec root, pid file, socket and containerd),
// joined into one Swarm of three managers: the hosts deploy/swarm.yml is proven on. Everything
// is named sw<4 hex digits>... and destroy() removes it by PID and by name, even after a failure.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from './stack.js';

/** This machine's address on the hosts' bridge; node i is 10.88.0.(10 + i). */
const HOST_ADDR = '10.88.0.1';
/** Overlay networks' subnets (swarm init --default-addr-pool), inside this test's 10.88.0.0/16. */
const SWARM_POOL = '10.88.128.0/17';
const ENGINE_START_MS = 60_000;

export interface SwarmNode {
  i: number;
  /** Hostname of the node (its own UTS namespace): Swarm's node name. */
  name: string;
  /** Its network namespace. */
  ns: string;
  /** Its link to the bridge, seen from the hub namespace (taken down to cut the node off). */
  link: string;
  addr: string;
  /** `unix://…/docker.sock` of its engine. */
  host: string;
  execRoot: string;
  dataRoot: string;
  cgroupParent: string;
  /** dockerd's PID once started. */
  pid?: number;
  killed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class SwarmLab {
  readonly prefix: string;
  readonly hubNs: string;
  readonly hostLink: string;
  readonly runDir: string;
  readonly dataDir: string;
  readonly nodes: SwarmNode[];

  constructor(readonly id = randomBytes(2).toString('hex')) {
    this.prefix = `sw${id}`;
    this.hubNs = `${this.prefix}hub`;
    this.hostLink = `${this.prefix}h0`;
    this.runDir = `/run/${this.prefix}`;
    this.dataDir = `/var/lib/${this.prefix}`;
    this.nodes = [1, 2, 3].map((i) => ({
      i,
      name: `${this.prefix}node${i}`,
      ns: `${this.prefix}n${i}`,
      link: `${this.prefix}p${i}`,
      addr: `10.88.0.${10 + i}`,
      host: `unix://${this.runDir}/n${i}/docker.sock`,
      execRoot: `${this.runDir}/n${i}`,
      dataRoot: `${this.dataDir}/n${i}`,
      cgroupParent: `${this.prefix}-n${i}`,
      killed: false,
    }));
  }

  /** `docker` against one node's engine. */
  docker(node: SwarmNode, args: string[], timeoutMs = 60_000, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return run('docker', ['-H', node.host, ...args], { timeoutMs, env: { DOCKER_HOST: '', DOCKER_CONTEXT: '', ...env } });
  }

  node(name: string): SwarmNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node named ${name} in ${this.nodes.map((x) => x.name).join(', ')}`);
    return n;
  }

  /**
   * What this needs of the machine, each missing piece named: root, the tools, and the kernel's
   * VXLAN (CONFIG_VXLAN: Swarm's overlay network). IPVS (CONFIG_IP_VS, the routing mesh) is not
   * needed: the stack uses dnsrr and host-mode ports.
   */
  async preflight(): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('the Swarm test builds network namespaces and runs dockerd: it must run as root');
    for (const tool of ['ip', 'nsenter', 'unshare', 'dockerd', 'containerd', 'mount']) {
      await run('sh', ['-c', `command -v ${tool}`]).catch(() => {
        throw new Error(`the Swarm test needs \`${tool}\` (Debian: iproute2, util-linux, docker.io)`);
      });
    }
    if (!existsSync('/run/docker.sock')) throw new Error('/run/docker.sock is missing: each node\'s engine is bind-mounted there for its registrator');
    const taken = (await run('ip', ['-o', '-4', 'addr', 'show'])).stdout.split('\n').find((l) => l.includes(` ${HOST_ADDR}/`));
    if (taken) throw new Error(`${HOST_ADDR} is already assigned (${taken.trim().split(/\s+/)[1]}): a Swarm test running, or the leftovers of one`);
  }

  /** Namespaces, bridge and links; the engines started and answering; one swarm; labels. */
  async create(): Promise<void> {
    mkdirSync(this.runDir, { recursive: true });
    mkdirSync(this.dataDir, { recursive: true });
    // Whose lab this is: sweep() removes a lab whose test process is gone.
    writeFileSync(join(this.runDir, 'lab.json'), JSON.stringify({ pid: process.pid }));
    writeFileSync(join(this.dataDir, 'daemon.json'), '{}\n');

    const ip = (...args: string[]) => run('ip', args);
    await ip('netns', 'add', this.hubNs);
    await ip('-n', this.hubNs, 'link', 'set', 'lo', 'up');
    // Whether the kernel has VXLAN, before anything else runs (a device in the hub, removed at once).
    await ip('-n', this.hubNs, 'link', 'add', `${this.prefix}vx`, 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'dev', 'lo').catch((err: Error) => {
      throw new Error(`this kernel cannot create a VXLAN device (CONFIG_VXLAN), which Swarm's overlay network needs: ${err.message}`);
    });
    await ip('-n', this.hubNs, 'link', 'del', `${this.prefix}vx`);
    // The bridge lives in the hub namespace: this machine's own iptables (FORWARD policy DROP
    // under Docker) never see the nodes' traffic, and no rule is added to them.
    await ip('-n', this.hubNs, 'link', 'add', `${this.prefix}br`, 'type', 'bridge');
    await ip('-n', this.hubNs, 'link', 'set', `${this.prefix}br`, 'up');
    await ip('link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', `${this.prefix}p0`, 'netns', this.hubNs);
    await ip('-n', this.hubNs, 'link', 'set', `${this.prefix}p0`, 'master', `${this.prefix}br`, 'up');
    await ip('addr', 'add', `${HOST_ADDR}/24`, 'dev', this.hostLink);
    await ip('link', 'set', this.hostLink, 'up');
    for (const n of this.nodes) {
      await ip('netns', 'add', n.ns);
      await ip('-n', n.ns, 'link', 'set', 'lo', 'up');
      await ip('-n', this.hubNs, 'link', 'add', n.link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.ns);
      await ip('-n', this.hubNs, 'link', 'set', n.link, 'master', `${this.prefix}br`, 'up');
      await ip('-n', n.ns, 'addr', 'add', `${n.addr}/24`, 'dev', 'eth0');
      // No default route: nothing of the nodes leaves 10.88.0.0/24 (no registry is pulled from).
      await ip('-n', n.ns, 'link', 'set', 'eth0', 'up');
    }
    await Promise.all(this.nodes.map((n) => this.startEngine(n)));
  }

  /**
   * dockerd in the node's network namespace, with its own hostname (UTS) and mount namespace:
   * sysfs of its own network namespace (the host's cgroup mounts kept), and the node's socket
   * bind-mounted on /run/docker.sock for what mounts the engine's socket (the registrator).
   */
  private async startEngine(n: SwarmNode): Promise<void> {
    mkdirSync(n.execRoot, { recursive: true });
    mkdirSync(n.dataRoot, { recursive: true });
    const cg = join(n.execRoot, 'cgroup');
    const daemon = [
      'dockerd', '--config-file', join(this.dataDir, 'daemon.json'), '--data-root', n.dataRoot, '--exec-root', n.execRoot,
      '--pidfile', join(n.execRoot, 'dockerd.pid'), '-H', n.host, '--bip', `10.88.${10 + n.i}.1/24`,
      '--default-address-pool', `base=10.88.${16 * n.i}.0/20,size=24`, '--cgroup-parent', n.cgroupParent, '--log-level', 'warn',
    ].join(' ');
    const script = `set -e; hostname ${n.name}; mkdir -p ${cg}; mount --rbind /sys/fs/cgroup ${cg}; mount -t sysfs sysfs /sys; mount --rbind ${cg} /sys/fs/cgroup; exec ${daemon}`;
    const log = openSync(join(this.dataDir, `n${n.i}.log`), 'a');
    // nsenter, unshare and sh each exec the next: the child's PID is dockerd's.
    const child = spawn('nsenter', [`--net=/run/netns/${n.ns}`, 'unshare', '--uts', '--mount', '--propagation', 'slave', '--', 'sh', '-c', script], {
      detached: true,
      stdio: ['ignore', log, log],
      // The images are loaded, never pulled: a task starts without trying a registry first.
      env: { ...process.env, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' },
    });
    closeSync(log);
    child.unref();
    n.pid = child.pid;
    const deadline = Date.now() + ENGINE_START_MS;
    for (;;) {
      if (n.pid === undefined || !alive(n.pid)) throw new Error(`dockerd of ${n.name} exited:\n${this.logTail(n)}`);
      if (await this.docker(n, ['info', '--format', '{{.Name}}'], 10_000).then((r) => r.stdout.trim() === n.name, () => false)) break;
      if (Date.now() > deadline) throw new Error(`dockerd of ${n.name} did not answer within ${ENGINE_START_MS} ms:\n${this.logTail(n)}`);
      await sleep(250);
    }
    await run('nsenter', ['--mount', '--target', String(n.pid), 'mount', '--bind', join(n.execRoot, 'docker.sock'), '/run/docker.sock']);
  }

  /** The engine's last warnings and errors (containerd's info lines about every shim would hide them). */
  logTail(n: SwarmNode): string {
    try {
      const lines = readFileSync(join(this.dataDir, `n${n.i}.log`), 'utf8').trim().split('\n');
      const loud = lines.filter((l) => !l.includes('level=info'));
      return (loud.length > 0 ? loud : lines).slice(-40).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** swarm init on the first node, the others join as managers (a manager may be lost). */
  async formSwarm(): Promise<void> {
    const [first, ...rest] = this.nodes as [SwarmNode, ...SwarmNode[]];
    await this.docker(first, ['swarm', 'init', '--advertise-addr', first.addr, '--listen-addr', `${first.addr}:2377`,
      '--default-addr-pool', SWARM_POOL, '--default-addr-pool-mask-length', '24']);
    const token = (await this.docker(first, ['swarm', 'join-token', '-q', 'manager'])).stdout.trim();
    for (const n of rest) await this.docker(n, ['swarm', 'join', '--token', token, '--advertise-addr', n.addr, '--listen-addr', `${n.addr}:2377`, `${first.addr}:2377`]);
  }

  /** Images of this machine's engine into every node's (no registry: docker save | load). */
  async loadImages(images: string[]): Promise<void> {
    const tar = join(this.dataDir, 'images.tar');
    await run('docker', ['save', '-o', tar, ...images], { timeoutMs: 300_000 });
    await Promise.all(this.nodes.map((n) => this.docker(n, ['load', '-q', '-i', tar], 300_000)));
    rmSync(tar, { force: true });
  }

  /** PIDs of a node: its containers' processes (its cgroup parent) and every process in its network namespace. */
  private async pids(n: SwarmNode): Promise<number[]> {
    const pids = new Set<number>();
    for (const dir of this.cgroupDirs(n)) {
      const walk = (d: string) => {
        for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
        for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
      };
      try {
        walk(dir);
      } catch {
        // a container's cgroup went away meanwhile
      }
    }
    const inNs = await run('ip', ['netns', 'pids', n.ns]).then((r) => r.stdout, () => '');
    for (const p of inNs.split('\n')) if (p.trim()) pids.add(Number(p));
    return [...pids].filter((p) => p > 1 && p !== process.pid);
  }

  /** The node's cgroup parent in each hierarchy (v1: one per controller; v2: one). */
  private cgroupDirs(n: SwarmNode): string[] {
    const root = '/sys/fs/cgroup';
    const dirs = [join(root, n.cgroupParent)];
    for (const c of readdirSync(root, { withFileTypes: true })) if (c.isDirectory()) dirs.push(join(root, c.name, n.cgroupParent));
    return dirs.filter((d) => existsSync(d));
  }

  /**
   * A host crash: the node is cut off the bridge, then its engine, containerd, shims and every
   * container process get SIGKILL. Resolves with how many processes were killed.
   */
  async kill(n: SwarmNode): Promise<number> {
    n.killed = true;
    await run('ip', ['-n', this.hubNs, 'link', 'set', n.link, 'down']).catch(() => undefined);
    let killed = 0;
    // Bounded: a container may fork while its siblings die.
    for (let round = 0; round < 20; round++) {
      const pids = await this.pids(n);
      if (pids.length === 0) return killed;
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
          killed++;
        } catch {
          // already gone
        }
      }
      await sleep(250);
    }
    const left = await this.pids(n);
    if (left.length) throw new Error(`${n.name}: processes still alive after SIGKILL: ${left.join(' ')}`);
    return killed;
  }

  /** Everything this lab created, gone: processes, cgroups, namespaces, links, directories. Throws with what is left. */
  async destroy(): Promise<void> {
    for (const n of this.nodes) await this.kill(n).catch((err: Error) => console.error(err.message));
    for (const n of this.nodes) {
      // Children first: containers whose engine was killed leave their cgroups behind.
      for (const dir of this.cgroupDirs(n)) {
        const remove = (d: string) => {
          for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) remove(join(d, e.name));
          rmdirSync(d);
        };
        try {
          remove(dir);
        } catch (err) {
          console.error(`${dir}: ${(err as Error).message}`);
        }
      }
      await run('ip', ['netns', 'del', n.ns]).catch(() => undefined);
    }
    await run('ip', ['netns', 'del', this.hubNs]).catch(() => undefined);
    await run('ip', ['link', 'del', this.hostLink]).catch(() => undefined);
    for (const dir of [this.runDir, this.dataDir]) {
      for (let attempt = 0; existsSync(dir) && attempt < 10; attempt++) {
        try {
          rmSync(dir, { recursive: true, force: true });
        } catch {
          await sleep(500);
        }
      }
    }
    const left: string[] = [];
    const netns = (await run('ip', ['netns', 'list'])).stdout;
    for (const l of netns.split('\n')) if (l.startsWith(this.prefix)) left.push(`netns ${l.split(' ')[0]}`);
    const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
    for (const l of links.split('\n')) if (l.includes(`: ${this.prefix}`)) left.push(`link ${l.split(':')[1]?.trim()}`);
    for (const n of this.nodes) for (const d of this.cgroupDirs(n)) left.push(`cgroup ${d}`);
    for (const d of [this.runDir, this.dataDir]) if (existsSync(d)) left.push(`directory ${d}`);
    if (left.length) throw new Error(`the Swarm lab ${this.prefix} left behind: ${left.join(', ')}`);
  }

  /** Labs of earlier runs whose test process is gone (killed mid-run): destroyed. */
  static async sweep(): Promise<void> {
    for (const e of readdirSync('/run')) {
      const m = /^sw([0-9a-f]{4})$/.exec(e);
      if (!m) continue;
      let owner: number | undefined;
      try {
        owner = (JSON.parse(readFileSync(join('/run', e, 'lab.json'), 'utf8')) as { pid: number }).pid;
      } catch {
        continue; // not a lab of this test
      }
      if (owner !== undefined && !alive(owner)) await new SwarmLab(m[1]).destroy();
    }
  }
}
