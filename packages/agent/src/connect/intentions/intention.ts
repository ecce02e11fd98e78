/**
 * An intention as Consul 1.17 serves it (agent/structs/intention.go): since 1.9 intentions are the
 * Sources of `service-intentions` config entries (agent/structs/config_entry_intentions.go), and
 * the /v1/connect/intentions endpoints show each source as an Intention. Namespaces and
 * partitions are Enterprise: every name here is in namespace "default".
 */
import { intentionPrecedence } from '@proconsul/catalog';
import { intentionHash } from './intention-hash.js';

type Obj = Record<string, unknown>;

export const WILDCARD = '*';
export const DEFAULT_NAMESPACE = 'default';
export const SERVICE_INTENTIONS = 'service-intentions';

export type IntentionAction = 'allow' | 'deny';
export type MatchType = 'source' | 'destination';

/** One source of a service-intentions entry as the entry stores it (structs.SourceIntention JSON). */
export interface SourceIntention {
  Name: string;
  Action?: string;
  Permissions?: Obj[];
  Precedence?: number;
  LegacyID?: string;
  Type?: string;
  Description?: string;
  LegacyMeta?: Record<string, string>;
  LegacyCreateTime?: string;
  LegacyUpdateTime?: string;
  Peer?: string;
  SamenessGroup?: string;
}

/** A service-intentions config entry as the config-entry store keeps it (its JSON shape). */
export interface ServiceIntentionsEntry {
  Kind: string;
  Name: string;
  Sources: SourceIntention[];
  JWT?: Obj;
  Meta?: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** structs.Intention in JSON, the fields Consul's OSS build fills. */
export interface Intention {
  ID?: string;
  Description: string;
  SourcePeer?: string;
  SourceNS: string;
  SourceName: string;
  DestinationNS: string;
  DestinationName: string;
  SourceType: string;
  Action?: string;
  Permissions?: Obj[];
  JWT?: Obj;
  Meta: Record<string, string>;
  Precedence: number;
  /** Only on intentions written by the legacy API (Consul omits the zero time). */
  CreatedAt?: string;
  UpdatedAt?: string;
  Hash?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** ServiceIntentionsConfigEntry.ToIntention. */
export function toIntention(entry: ServiceIntentionsEntry, src: SourceIntention): Intention {
  const legacy = src.LegacyID !== undefined && src.LegacyID !== '';
  const meta = legacy ? src.LegacyMeta : entry.Meta;
  const ixn: Intention = {
    ...(legacy ? { ID: src.LegacyID } : {}),
    Description: src.Description ?? '',
    ...(src.Peer ? { SourcePeer: src.Peer } : {}),
    SourceNS: DEFAULT_NAMESPACE,
    SourceName: src.Name,
    DestinationNS: DEFAULT_NAMESPACE,
    DestinationName: entry.Name,
    SourceType: src.Type ?? 'consul',
    ...(src.Action ? { Action: src.Action } : {}),
    ...(src.Permissions && src.Permissions.length > 0 ? { Permissions: src.Permissions } : {}),
    ...(entry.JWT ? { JWT: entry.JWT } : {}),
    Meta: meta ?? {},
    Precedence: src.Precedence ?? intentionPrecedence(entry.Name, src.Name),
    ...(src.LegacyCreateTime ? { CreatedAt: src.LegacyCreateTime } : {}),
    ...(src.LegacyUpdateTime ? { UpdatedAt: src.LegacyUpdateTime } : {}),
    CreateIndex: entry.CreateIndex,
    ModifyIndex: entry.ModifyIndex,
  };
  // Legacy intentions carry the Hash pre-1.9 secondaries replicated them by.
  if (legacy) ixn.Hash = intentionHash(ixn);
  return ixn;
}

export function toIntentions(entry: ServiceIntentionsEntry): Intention[] {
  return entry.Sources.map((s) => toIntention(entry, s));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * IntentionPrecedenceSorter: highest precedence first, ties by the 4-tuple (source namespace,
 * source name, destination namespace, destination name) so the order is deterministic.
 */
export function byPrecedence(a: Intention, b: Intention): number {
  if (a.Precedence !== b.Precedence) return b.Precedence - a.Precedence;
  return cmp(a.SourceNS, b.SourceNS) || cmp(a.SourceName, b.SourceName) || cmp(a.DestinationNS, b.DestinationNS) || cmp(a.DestinationName, b.DestinationName);
}

/**
 * Intention.String(), as the agent's authorize reasons show it: OSS service names print as
 * `default/<name>`, the legacy ID only when there is one, then the action or the number of
 * L7 permissions (`default/web => default/api (Precedence: 9, Action: DENY)`).
 */
export function intentionString(x: Intention): string {
  const id = x.ID ? `ID: ${x.ID}, ` : '';
  const detail = x.Permissions && x.Permissions.length > 0 ? `Permissions: ${x.Permissions.length}` : `Action: ${(x.Action ?? '').toUpperCase()}`;
  return `${x.SourceNS}/${x.SourceName} => ${x.DestinationNS}/${x.DestinationName} (${id}Precedence: ${x.Precedence}, ${detail})`;
}

/** Whether a stored config entry is a service-intentions one with the shape this module reads. */
export function asServiceIntentions(e: Obj | null | undefined): ServiceIntentionsEntry | undefined {
  if (!e || typeof e.Kind !== 'string' || e.Kind.toLowerCase() !== SERVICE_INTENTIONS) return undefined;
  return { ...(e as unknown as ServiceIntentionsEntry), Sources: Array.isArray(e.Sources) ? (e.Sources as SourceIntention[]) : [] };
}
