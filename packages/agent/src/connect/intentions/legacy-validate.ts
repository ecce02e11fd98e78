/**
 * The checks of the legacy (ID-based) intention writes, POST /v1/connect/intentions and
 * PUT /v1/connect/intentions/:id: Intention.Validate on the request (agent/structs/intention.go)
 * and ServiceIntentionsConfigEntry.LegacyValidate on the entry it lands in
 * (config_entry_intentions.go validate(legacyWrite=true)): legacy sources carry an ID, their
 * own Meta and both times, and the entry itself has no Meta.
 */
import { META_VALUE_MAX_LENGTH, metaErrors, multiError } from '@proconsul/catalog';
import { WILDCARD, type ServiceIntentionsEntry } from './intention.js';

export interface LegacyIntentionInput {
  SourceName: string;
  DestinationName: string;
  SourceType: string;
  Action: string;
  Description: string;
  Meta: Record<string, string>;
}

/** Intention.Validate: every problem of the request at once, or undefined. */
export function validateLegacyIntention(x: LegacyIntentionInput): string | undefined {
  const errs: string[] = [];
  if (x.SourceName === '') errs.push('SourceName must be set');
  if (x.DestinationName === '') errs.push('DestinationName must be set');
  if (x.SourceName !== WILDCARD && x.SourceName.includes(WILDCARD)) errs.push("SourceName: wildcard character '*' cannot be used with partial values");
  if (x.DestinationName !== WILDCARD && x.DestinationName.includes(WILDCARD)) {
    errs.push("DestinationName: wildcard character '*' cannot be used with partial values");
  }
  if (x.Description.length > META_VALUE_MAX_LENGTH) errs.push(`Description exceeds maximum length ${META_VALUE_MAX_LENGTH}`);
  errs.push(...metaErrors(x.Meta));
  if (x.Action !== 'allow' && x.Action !== 'deny') errs.push("Action must be set to 'allow' or 'deny'");
  if (x.SourceType !== 'consul') errs.push("SourceType must be set to 'consul'");
  return errs.length > 0 ? multiError(errs) : undefined;
}

/** LegacyValidate's checks beyond the ones every write shares (the caller runs those). */
export function legacyEntryError(e: ServiceIntentionsEntry): string | undefined {
  if (e.Meta && Object.keys(e.Meta).length > 0) return 'Meta must be omitted for legacy intention writes';
  for (const [i, src] of e.Sources.entries()) {
    if (src.Peer) return `Sources[${i}].Peer cannot be set by legacy intentions`;
    if (src.SamenessGroup) return `Sources[${i}].SamenessGroup cannot be set by legacy intentions`;
    if (!src.LegacyCreateTime) return `Sources[${i}].LegacyCreateTime must be set`;
    if (!src.LegacyUpdateTime) return `Sources[${i}].LegacyUpdateTime must be set`;
    if (!src.LegacyID) return `Sources[${i}].LegacyID must be set`;
  }
  return undefined;
}

/**
 * checkLegacyIntentionApplyAllowed: the legacy API edits an entry only while every source in it
 * was written by the legacy API.
 */
export function legacyApplyError(prev: ServiceIntentionsEntry | undefined): string | undefined {
  if (!prev || prev.Sources.every((s) => (s.LegacyID ?? '') !== '')) return undefined;
  return `cannot use legacy intention API to edit intentions with a destination of ${JSON.stringify(`default/${prev.Name}`)} after editing them via a service-intentions config entry`;
}
