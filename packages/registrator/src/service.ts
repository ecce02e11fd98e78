import type { ContainerInspectInfo } from 'dockerode';
import { combineTags, serviceMetadata } from './metadata.js';
import type { ServicePort } from './ports.js';
import { buildCheck, CHECK_KEYS, type ServiceCheck } from './check.js';
import { InvalidMetadataError } from './errors.js';

/** What registrator registers for one port of one container. */
export interface Service {
  ID: string;
  Name: string;
  Address: string;
  Port: number;
  Tags: string[];
  Meta: Record<string, string>;
  Check?: ServiceCheck;
  /**
   * Registrator's `Attrs`: every SERVICE_* value but name, id and tags (check settings
   * included), which the zookeeper backend publishes.
   */
  Attrs: Record<string, string>;
  /** Where it came from, to match events and stale entries back to containers. */
  origin: { containerId: string; containerName: string; containerHostname: string; exposedPort: string; portType: string };
}

export interface NamingOptions {
  /** This host's name: the first part of every service ID registrator makes. */
  hostname: string;
  /** The host address for ports published on 0.0.0.0 (registrator resolves its hostname). */
  hostAddress: string;
  /** `-ip`: force the registered address. */
  forceIP?: string;
  /** `-internal`: the container's address and exposed port instead of the published ones. */
  internal: boolean;
  /** `-explicit`: only containers with SERVICE_NAME. */
  explicit: boolean;
  /** `-tags`: added to every service. */
  tags: string[];
  /** `-useIpFromLabel`: take the address from this label (an optional "/prefix" is dropped). */
  useIpFromLabel?: string;
  /** `-ttl`: when > 0, a TTL check of this many seconds that registrator keeps passing. */
  ttlSeconds: number;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

/**
 * The default service name: the compose service (`com.docker.compose.service`), else the
 * image's base name without tag or digest (`repo/web:1.2@sha256:...` -> `web`), made a valid
 * DNS label so `<name>.service.consul` always resolves (registrator issues #530, #701).
 */
export function defaultServiceName(info: ContainerInspectInfo): string {
  const compose = info.Config?.Labels?.['com.docker.compose.service'];
  const image = info.Config?.Image ?? '';
  const base = image.split('@')[0]!.split('/').pop()!.split(':')[0]!;
  return dnsSafe(compose || base) || 'container';
}

function dnsSafe(name: string): string {
  return name.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}

/** Registrator's `newService`: null when the port is ignored (SERVICE_IGNORE, -explicit). */
export function newService(info: ContainerInspectInfo, port: ServicePort, isGroup: boolean, opts: NamingOptions): Service | null {
  const containerName = info.Name.replace(/^\//, '');
  const meta = serviceMetadata(info.Config?.Env, info.Config?.Labels, port.exposedPort);
  const values = { ...meta.values };
  if (values.ignore) return null;
  let name = values.name ?? '';
  if (!name) {
    if (opts.explicit) return null;
    name = defaultServiceName(info);
  } else if (!DNS_LABEL.test(name)) {
    throw new InvalidMetadataError(containerName, meta.fromPort.has('name') ? `${port.exposedPort}_name` : 'name', `"${name}" is not a valid service name (letters, digits and dashes)`);
  }
  if (isGroup && !meta.fromPort.has('name')) name += `-${port.exposedPort}`;

  let address: string;
  let portNumber: number;
  if (opts.internal) {
    address = port.exposedIP;
    portNumber = Number(port.exposedPort);
  } else {
    address = port.hostIP === '0.0.0.0' || port.hostIP === '::' ? opts.hostAddress : port.hostIP;
    portNumber = Number(port.hostPort);
  }
  if (opts.forceIP) address = opts.forceIP;
  if (opts.useIpFromLabel) {
    const labelled = info.Config?.Labels?.[opts.useIpFromLabel];
    if (labelled) address = labelled.split('/')[0]!;
  }

  let id = `${opts.hostname}:${containerName}:${port.exposedPort}`;
  const udp = port.portType === 'udp';
  if (udp) id += ':udp';
  if (values.id) id = values.id;
  const tags = combineTags(values.tags, opts.tags, udp ? ['udp'] : []);

  const check = buildCheck(values, { address, port: portNumber, containerName, ttlSeconds: opts.ttlSeconds });
  const serviceMeta = Object.fromEntries(
    Object.entries(values).filter(([k]) => {
      if (k === 'name' || k === 'id' || k === 'tags' || k === 'ignore' || CHECK_KEYS.has(k)) return false;
      if (!/^[a-zA-Z0-9_-]{1,128}$/.test(k)) throw new InvalidMetadataError(containerName, k, 'meta keys may only contain letters, digits, "-" and "_"');
      return true;
    }),
  );
  return {
    ID: id,
    Name: name,
    Address: address,
    Port: portNumber,
    Tags: tags,
    Meta: serviceMeta,
    ...(check ? { Check: check } : {}),
    Attrs: Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'name' && k !== 'id' && k !== 'tags')),
    origin: { containerId: info.Id, containerName, containerHostname: info.Config?.Hostname ?? '', exposedPort: port.exposedPort, portType: port.portType },
  };
}
