/**
 * Docker check (Consul's CheckDocker): runs Args inside the container DockerContainerID through
 * the engine API's exec (DOCKER_HOST, else /var/run/docker.sock). Exit 0 is passing, 1 warning,
 * anything else critical; the output is the last bytes of stdout and stderr together, as
 * Consul's circular buffer keeps them (`Captured N of M bytes\n...\n<tail>` when cut).
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { ProbeResult } from './interval.js';

let client: Promise<Docker> | undefined;
/**
 * One engine client for every Docker check (it reads DOCKER_HOST as the docker CLI does),
 * loaded with the first check: dockerode brings ssh2 and gRPC (about 20 MB of memory) that an
 * agent without Docker checks never needs.
 */
function engine(): Promise<Docker> {
  return (client ??= import('dockerode').then((m) => new m.default()));
}

export function dockerStatus(exitCode: number | null): ProbeResult['status'] {
  return exitCode === 0 ? 'passing' : exitCode === 1 ? 'warning' : 'critical';
}

/** The last `max` bytes of what was written, and how much was written in all. */
class Tail {
  #chunks: Buffer[] = [];
  #kept = 0;
  total = 0;
  constructor(private readonly max: number) {}
  write(b: Buffer): void {
    this.total += b.length;
    this.#chunks.push(b);
    this.#kept += b.length;
    while (this.#kept - this.#chunks[0]!.length >= this.max) this.#kept -= this.#chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.#chunks);
    const tail = all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
    return this.total > tail.length ? `Captured ${tail.length} of ${this.total} bytes\n...\n${tail}` : tail;
  }
}

export async function probeDocker(containerId: string, cmd: string[], maxOutput: number, signal: AbortSignal): Promise<ProbeResult> {
  let docker: Docker;
  let exec: Docker.Exec;
  try {
    docker = await engine();
    exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, abortSignal: signal } as Docker.ExecCreateOptions);
  } catch (err) {
    const e = err as { statusCode?: number; message: string };
    if (e.statusCode === 404) return { status: 'critical', output: `create exec failed for unknown container ${containerId}` };
    return { status: 'critical', output: `create exec failed for container ${containerId}: ${e.message}` };
  }
  const tail = new Tail(maxOutput);
  try {
    const stream = await exec.start({ hijack: true, stdin: false, abortSignal: signal } as Docker.ExecStartOptions);
    const sink = new PassThrough();
    sink.on('data', (b: Buffer) => tail.write(b));
    docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
      signal.addEventListener('abort', () => {
        stream.destroy();
        reject(new Error('context deadline exceeded'));
      }, { once: true });
    });
    const info = await exec.inspect();
    return { status: dockerStatus(info.ExitCode), output: tail.text() };
  } catch (err) {
    return { status: 'critical', output: `start exec failed for container ${containerId}: ${(err as Error).message}` };
  }
}
