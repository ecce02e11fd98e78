// The values `peerings`, `exportedServices`, `importedServices` and `partitions` hand to
// templates: consul-template's own structs (dependency/consul_peering.go,
// consul_exported_services.go, consul_imported_services.go, consul_partitions.go), fields in
// their order, built from Consul's API answers the way those files convert them. Classes, so a
// misspelled field is a template error as in Go.

import type { ImportedService as ApiImportedService, Partition as ApiPartition, Peering as ApiPeering, ResolvedExportedService } from '@proconsul/api';
import { cmp } from './data.js';
import { GoTime } from './gotime.js';

/** A *time.Time: nil (prints `<nil>`) when Consul sent none. */
function timePtr(text: string | null | undefined): GoTime | null {
  return text ? GoTime.parse(text) : null;
}

/** dependency.PeeringStreamStatus. */
export class PeeringStreamStatus {
  static goTypeName = 'dependency.PeeringStreamStatus';
  ImportedServices: string[];
  ExportedServices: string[];
  LastHeartbeat: GoTime | null;
  LastReceive: GoTime | null;
  LastSend: GoTime | null;
  constructor(s: ApiPeering['StreamStatus'] | undefined) {
    this.ImportedServices = s?.ImportedServices ?? [];
    this.ExportedServices = s?.ExportedServices ?? [];
    this.LastHeartbeat = timePtr(s?.LastHeartbeat);
    this.LastReceive = timePtr(s?.LastReceive);
    this.LastSend = timePtr(s?.LastSend);
  }
}

/** dependency.PeeringRemoteInfo. */
export class PeeringRemoteInfo {
  static goTypeName = 'dependency.PeeringRemoteInfo';
  constructor(
    public Partition: string,
    public Datacenter: string,
  ) {}
}

/** *dependency.Peering: one entry of `peerings` (toPeering: `State` becomes `PeeringState`). */
export class Peering {
  static goTypeName = '*dependency.Peering';
  ID: string;
  Name: string;
  Partition: string;
  Meta: Record<string, string>;
  PeeringState: string;
  PeerID: string;
  PeerServerName: string;
  PeerServerAddresses: string[];
  StreamStatus: PeeringStreamStatus;
  Remote: PeeringRemoteInfo;
  constructor(p: ApiPeering) {
    this.ID = p.ID;
    this.Name = p.Name;
    this.Partition = p.Partition ?? '';
    this.Meta = p.Meta ?? {};
    this.PeeringState = p.State;
    this.PeerID = p.PeerID ?? '';
    this.PeerServerName = p.PeerServerName ?? '';
    this.PeerServerAddresses = p.PeerServerAddresses ?? [];
    this.StreamStatus = new PeeringStreamStatus(p.StreamStatus);
    this.Remote = new PeeringRemoteInfo(p.Remote?.Partition ?? '', p.Remote?.Datacenter ?? '');
  }
}

/** ByPeer: by state, then partition, then name (byte order, as Go compares strings). */
export function sortPeerings(list: Peering[]): Peering[] {
  return list.sort((a, b) => cmp(a.PeeringState, b.PeeringState) || cmp(a.Partition, b.Partition) || cmp(a.Name, b.Name));
}

/** dependency.ResolvedConsumers: never nil lists. */
export class ResolvedConsumers {
  static goTypeName = 'dependency.ResolvedConsumers';
  constructor(
    public Peers: string[],
    public Partitions: string[],
  ) {}
}

/**
 * dependency.ExportedService: fromConsulExportedService copies the name and the consumers only,
 * so Partition and Namespace stay empty.
 */
export class ExportedService {
  static goTypeName = 'dependency.ExportedService';
  Service: string;
  Partition = '';
  Namespace = '';
  Consumers: ResolvedConsumers;
  constructor(s: Pick<ResolvedExportedService, 'Service' | 'Consumers'>) {
    this.Service = s.Service;
    this.Consumers = new ResolvedConsumers([...(s.Consumers?.Peers ?? [])], [...(s.Consumers?.Partitions ?? [])]);
  }
}

/** dependency.ImportedService. */
export class ImportedService {
  static goTypeName = 'dependency.ImportedService';
  Service: string;
  Namespace: string;
  SourcePartition: string;
  constructor(s: ApiImportedService) {
    this.Service = s.Service;
    this.Namespace = s.Namespace ?? '';
    this.SourcePartition = s.SourcePartition ?? '';
  }
}

/** *dependency.Partition. */
export class Partition {
  static goTypeName = '*dependency.Partition';
  Name: string;
  Description: string;
  constructor(p: Pick<ApiPartition, 'Name' | 'Description'>) {
    this.Name = p.Name;
    this.Description = p.Description ?? '';
  }
}

/** slices.SortStableFunc by a string key (strings.Compare: byte order). */
export function sortStableBy<T>(list: T[], key: (x: T) => string): T[] {
  return list.sort((a, b) => cmp(key(a), key(b)));
}
