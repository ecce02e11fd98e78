import Docker from 'dockerode';
import { existsSync } from 'node:fs';

/**
 * The Docker engine: `DOCKER_HOST` (unix:// or tcp://) when set, else the socket at
 * /var/run/docker.sock, else /tmp/docker.sock (where registrator's users mount it).
 */
export function connectDocker(env: NodeJS.ProcessEnv = process.env): Docker {
  const host = env.DOCKER_HOST;
  if (host) {
    if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
  }
  const socketPath = ['/var/run/docker.sock', '/tmp/docker.sock'].find((p) => existsSync(p)) ?? '/var/run/docker.sock';
  return new Docker({ socketPath });
}
