// Several hosts on one machine for fault tests: each host is a network namespace with its own
// address on a bridge (in a hub namespace), and the test process reaches them through a veth
// of its own. Links are cut with iptables inside a host's namespace. Needs root; everything
// created is named with this process' PID and removed by teardown().
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

const run = (cmd: string, args: string[]): void => {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

export class TestNet {
  readonly hosts: string[] = [];
  readonly #tag = `pc${process.pid % 100000}`;
  readonly #hub = `${this.#tag}-hub`;
  #made = false;

  /** `subnet` is the first three octets, e.g. '10.77.1': hosts get .11, .12, ...; this process .1. */
  constructor(
    readonly subnet: string,
    readonly count: number,
  ) {}

  setup(): void {
    if (process.getuid?.() !== 0) throw new Error('network namespaces need root (CI runs as root)');
    this.#made = true;
    run('ip', ['netns', 'add', this.#hub]);
    run('ip', ['-n', this.#hub, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', this.#hub, 'link', 'set', 'br0', 'up']);
    const link = (ns: string | null, name: string, addr: string): void => {
      run('ip', ['link', 'add', `${name}a`, 'type', 'veth', 'peer', 'name', `${name}b`]);
      run('ip', ['link', 'set', `${name}b`, 'netns', this.#hub]);
      run('ip', ['-n', this.#hub, 'link', 'set', `${name}b`, 'master', 'br0']);
      run('ip', ['-n', this.#hub, 'link', 'set', `${name}b`, 'up']);
      if (ns) run('ip', ['link', 'set', `${name}a`, 'netns', ns]);
      const pre = ns ? ['-n', ns] : [];
      run('ip', [...pre, 'addr', 'add', `${addr}/24`, 'dev', `${name}a`]);
      run('ip', [...pre, 'link', 'set', `${name}a`, 'up']);
    };
    link(null, `${this.#tag}r`, `${this.subnet}.1`);
    for (let i = 0; i < this.count; i++) {
      const ns = `${this.#tag}-h${i}`;
      run('ip', ['netns', 'add', ns]);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      link(ns, `${this.#tag}h${i}`, this.addr(i));
      this.hosts.push(ns);
    }
  }

  addr(i: number): string {
    return `${this.subnet}.${11 + i}`;
  }

  /** Starts `cmd` inside host i's namespace. */
  spawn(i: number, cmd: string, args: string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.hosts[i]!, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Host i no longer exchanges packets with the hosts in `others` (both directions). */
  cut(i: number, others: number[]): void {
    for (const o of others) {
      run('ip', ['netns', 'exec', this.hosts[i]!, 'iptables', '-A', 'INPUT', '-s', this.addr(o), '-j', 'DROP']);
      run('ip', ['netns', 'exec', this.hosts[i]!, 'iptables', '-A', 'OUTPUT', '-d', this.addr(o), '-j', 'DROP']);
    }
  }

  /** Host i stops receiving from host `from` (one-way loss). */
  dropFrom(i: number, from: number): void {
    run('ip', ['netns', 'exec', this.hosts[i]!, 'iptables', '-A', 'INPUT', '-s', this.addr(from), '-j', 'DROP']);
  }

  heal(i: number): void {
    run('ip', ['netns', 'exec', this.hosts[i]!, 'iptables', '-F']);
  }

  healAll(): void {
    for (let i = 0; i < this.hosts.length; i++) this.heal(i);
  }

  teardown(): void {
    if (!this.#made) return;
    for (const ns of [...this.hosts, this.#hub]) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    try {
      run('ip', ['link', 'del', `${this.#tag}ra`]);
    } catch {
      // removed with its peer's namespace
    }
  }
}
