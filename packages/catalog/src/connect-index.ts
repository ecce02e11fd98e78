/**
 * The connect index of the services table (Consul's agent/consul/state/catalog.go, the
 * `connect` index and connectNameFromServiceNode): which instances can take mesh traffic for a
 * service name. A connect-proxy counts for its Proxy.DestinationServiceName, a Connect-native
 * instance for its own name. Derived from the services table only, so a restore rebuilds it.
 */
import type { ServiceRecord } from './records.js';
import { lower } from './util.js';

/** Consul's structs.ServiceKindConnectProxy. */
export const CONNECT_PROXY_KIND = 'connect-proxy';

/** The lowercased service name `rec` serves in the mesh, or undefined for a typical instance. */
export function connectNameOf(rec: ServiceRecord): string | undefined {
  if (rec.Kind === CONNECT_PROXY_KIND) {
    const dest = rec.Proxy?.['DestinationServiceName'];
    return typeof dest === 'string' && dest !== '' ? lower(dest) : undefined;
  }
  if (rec.Kind === '' && rec.Connect?.['Native'] === true) return lower(rec.Service);
  return undefined;
}

export class ConnectIndex {
  /** Lowercased destination name -> "node\0id" (lowercased) -> instance. */
  readonly #byName = new Map<string, Map<string, ServiceRecord>>();

  clear(): void {
    this.#byName.clear();
  }

  add(instanceKey: string, rec: ServiceRecord): void {
    const name = connectNameOf(rec);
    if (name === undefined) return;
    let m = this.#byName.get(name);
    if (!m) this.#byName.set(name, (m = new Map()));
    m.set(instanceKey, rec);
  }

  remove(instanceKey: string, rec: ServiceRecord): void {
    const name = connectNameOf(rec);
    if (name === undefined) return;
    const m = this.#byName.get(name);
    m?.delete(instanceKey);
    if (m?.size === 0) this.#byName.delete(name);
  }

  /** The connect-capable instances of a lowercased service name, keyed "node\0id". */
  instances(nameKey: string): ReadonlyMap<string, ServiceRecord> | undefined {
    return this.#byName.get(nameKey);
  }
}
