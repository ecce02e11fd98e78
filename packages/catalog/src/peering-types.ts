/**
 * Cluster peerings and what a peer exports to this cluster (Consul's state/peering.go tables
 * "peering", "peering-secrets" and the catalog rows it imports with a PeerName). Both sides of a
 * peering are Proconsul clusters here; the stream between them is the agent's (src/peering/).
 */
import type { CheckRecord, NodeRecord, ServiceRecord } from './records.js';

/** api.PeeringState values (api/peering.go). */
export type PeeringState = 'UNDEFINED' | 'PENDING' | 'ESTABLISHING' | 'ACTIVE' | 'FAILING' | 'DELETING' | 'TERMINATED';

/** A peering as the state stores it (secrets included: never served over HTTP). */
export interface PeeringRecord {
  /** This cluster's UUID for the peering. */
  ID: string;
  /** The local alias of the peer (lowercase DNS label). */
  Name: string;
  Meta: Record<string, string> | null;
  State: PeeringState;
  /** The ID the peer gave the peering (the dialing side learns it from the token). */
  PeerID: string;
  PeerCAPems: string[];
  PeerServerName: string;
  /** Set on the dialing side only: where the peer's servers are. */
  PeerServerAddresses: string[];
  /** RFC 3339, once marked for deletion. */
  DeletedAt: string;
  /** The peer's datacenter (Remote.Datacenter), once known. */
  RemoteDatacenter: string;
  /** Accepting side: the secret of the last token generated, until a dialer exchanged it. */
  EstablishmentSecret: string;
  /** The secret every stream call carries (both sides, after the exchange). */
  StreamSecret: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One instance of an exported service as replicated: its node, itself and the checks it is judged by. */
export interface ImportedInstance {
  Node: NodeRecord;
  Service: ServiceRecord;
  Checks: CheckRecord[];
}

/** What a peer exports to this cluster: service name -> its instances. */
export type ImportedServices = Record<string, ImportedInstance[]>;

/** Creates or replaces a peering (by Name; the ID of an existing one must match). */
export interface PeeringWriteCommand {
  Type: 'PeeringWrite';
  Peering: Omit<PeeringRecord, 'CreateIndex' | 'ModifyIndex'>;
}

/** Removes a peering and everything imported from it. Unknown name: no-op. */
export interface PeeringDeleteCommand {
  Type: 'PeeringDelete';
  Name: string;
}

/** Replaces everything imported from a peering (only while the peering with this ID exists). */
export interface PeeringImportCommand {
  Type: 'PeeringImport';
  /** The local peering's ID. */
  ID: string;
  Services: ImportedServices;
}

export type PeeringCommand = PeeringWriteCommand | PeeringDeleteCommand | PeeringImportCommand;

/** The peering tables in a snapshot. */
export interface PeeringSnapshot {
  Index: number;
  Peerings: PeeringRecord[];
  /** Peering ID -> what it imported, with the index of the last import. */
  Imports: Array<{ ID: string; Index: number; Services: ImportedServices }>;
}
