import type { ContainerInspectInfo } from 'dockerode';

/** One port of a container, as registrator's `ServicePort`. */
export interface ServicePort {
  /** The container's port, e.g. "80". */
  exposedPort: string;
  /** "tcp" or "udp". */
  portType: string;
  /** The container's own address (on the chosen network). */
  exposedIP: string;
  /** The published host port, "" when the port is not published. */
  hostPort: string;
  /** The address the port is published on; "0.0.0.0" means every host address. */
  hostIP: string;
}

/**
 * The container's address: on `network` when one is named, else the default bridge address,
 * else the first network that has one (user-defined and overlay networks leave the
 * top-level `IPAddress` empty — registrator issue #291).
 */
export function containerIP(info: ContainerInspectInfo, network?: string): string {
  const networks = info.NetworkSettings?.Networks ?? {};
  if (network) return networks[network]?.IPAddress ?? '';
  // The default bridge address; newer engine type definitions no longer list this field.
  const bridge = (info.NetworkSettings as { IPAddress?: string } | undefined)?.IPAddress;
  if (bridge) return bridge;
  for (const name of Object.keys(networks).sort()) {
    const ip = networks[name]?.IPAddress;
    if (ip) return ip;
  }
  return '';
}

/**
 * Every port registrator would consider: exposed ports (as if published on the same port,
 * which is what they are under `--net=host`), overridden by the runtime port bindings.
 */
export function servicePorts(info: ContainerInspectInfo, network?: string): ServicePort[] {
  const exposedIP = containerIP(info, network);
  const byKey = new Map<string, ServicePort>();
  const make = (key: string, hostIP: string, hostPort: string): ServicePort => {
    const [port = '', type = 'tcp'] = key.split('/');
    return { exposedPort: port, portType: type, exposedIP, hostPort, hostIP: hostIP || '0.0.0.0' };
  };
  for (const key of Object.keys(info.Config?.ExposedPorts ?? {})) byKey.set(key, make(key, '0.0.0.0', key.split('/')[0] ?? ''));
  const runtime = (info.NetworkSettings?.Ports ?? {}) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  for (const [key, bindings] of Object.entries(runtime)) {
    // Prefer an IPv4 binding: Docker lists "0.0.0.0" and "::" for the same published port.
    const binding = bindings?.find((b) => !b.HostIp.includes(':')) ?? bindings?.[0];
    byKey.set(key, make(key, binding?.HostIp ?? '', binding?.HostPort ?? ''));
  }
  return [...byKey.values()].sort((a, b) => Number(a.exposedPort) - Number(b.exposedPort) || a.portType.localeCompare(b.portType));
}
