// Test harness: real containers on the real Docker engine and the locally built base image
// (deploy/base-image/build.sh, which needs no image registry). The agent process, waitFor and
// tempDir come from @proconsul/testing.
import { execFile, execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@proconsul/testing';

const run = promisify(execFile);
export const IMAGE = 'proconsul/base:bookworm-node20';
export const TEST_LABEL = 'proconsul.test=registrator';

export function ensureBaseImage(): void {
  execFileSync(join(repoRoot, 'deploy/base-image/build.sh'), [IMAGE], { stdio: 'inherit', timeout: 600_000 });
}

export async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { timeout: 60_000 })).stdout.trim();
}

/** A container serving HTTP on port 80 (and any extra ports), labelled for clean-up. */
export async function runContainer(name: string, args: string[], ports = [80]): Promise<string> {
  const listen = ports.map((p) => `require('http').createServer((q,s)=>s.end('ok')).listen(${p});`).join('');
  return docker('run', '-d', '--name', name, '--label', TEST_LABEL, ...args, IMAGE, 'node', '-e', listen);
}

export async function removeTestContainers(): Promise<void> {
  const ids = (await docker('ps', '-aq', '--filter', `label=${TEST_LABEL}`)).split('\n').filter(Boolean);
  if (ids.length > 0) await docker('rm', '-f', ...ids);
}

/**
 * A unix-socket proxy in front of the engine's socket: `cut()` drops every connection and
 * refuses new ones until `restore()`, as an engine restart does to its clients.
 */
export class EngineProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;

  constructor(readonly path: string, upstream = '/var/run/docker.sock') {
    this.server = createServer((client) => {
      if (this.down) return client.destroy();
      const engine = createConnection(upstream);
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(engine).pipe(client);
      client.on('close', () => engine.destroy());
      engine.on('close', () => client.destroy());
    });
  }

  listen(): Promise<void> {
    return new Promise((ok) => this.server.listen(this.path, ok));
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((ok) => this.server.close(() => ok()));
  }
}
