/**
 * IntentionStore over the config-entry table: service-intentions entries read from the catalog,
 * normalized and validated by the kind's own code (@proconsul/catalog config-entry), written
 * with the table's check-and-set commands through Raft (Consul's IntentionMutation ends in
 * ensureConfigEntryTxn / deleteConfigEntryTxn the same way).
 */
import { ConfigEntryInvalidError, normalizeConfigEntry, type ConfigEntry, type Indexed } from '@proconsul/catalog';
import type { AgentContext } from '../../context.js';
import { badRequest } from '../../http/http-error.js';
import { asServiceIntentions, SERVICE_INTENTIONS, type ServiceIntentionsEntry, type SourceIntention } from './intention.js';
import { IntentionInvalidError, type IntentionStore } from './intention-store.js';
import type { EntryChange } from './mutation.js';

type Obj = Record<string, unknown>;

/** The legacy fields a non-legacy Normalize clears, put back after it for a legacy write. */
const LEGACY_FIELDS = ['LegacyID', 'LegacyMeta', 'LegacyCreateTime', 'LegacyUpdateTime'] as const;
/** structs.SourceIntention's field order, which the entry's JSON keeps. */
const SOURCE_ORDER = ['Name', 'Action', 'Permissions', 'Precedence', 'LegacyID', 'Type', 'Description', 'LegacyMeta', 'LegacyCreateTime', 'LegacyUpdateTime', 'Peer', 'SamenessGroup'];

const sourceKey = (s: SourceIntention): string => `${s.Peer ?? ''}\u0000${s.SamenessGroup ?? ''}\u0000${s.Name}`;

function ordered(s: Obj): SourceIntention {
  const out: Obj = {};
  for (const k of SOURCE_ORDER) if (s[k] !== undefined) out[k] = s[k];
  for (const [k, v] of Object.entries(s)) if (!(k in out)) out[k] = v;
  return out as unknown as SourceIntention;
}

export function configEntryIntentionStore(ctx: AgentContext): IntentionStore {
  const entries = (list: ConfigEntry[]): ServiceIntentionsEntry[] => list.map((e) => asServiceIntentions(e)!).filter(Boolean);
  return {
    list(): Indexed<ServiceIntentionsEntry[]> {
      const r = ctx.catalog.configEntryList(SERVICE_INTENTIONS);
      return { ...r, value: entries(r.value) };
    },
    get(name: string): ServiceIntentionsEntry | undefined {
      return asServiceIntentions(ctx.catalog.configEntryGet(SERVICE_INTENTIONS, name).value);
    },
    normalize(entry: ServiceIntentionsEntry, legacy: boolean): ServiceIntentionsEntry {
      const { CreateIndex: _c, ModifyIndex: _m, ...fields } = structuredClone(entry) as ServiceIntentionsEntry;
      const kept = new Map<string, Obj>();
      if (legacy) {
        for (const s of fields.Sources) {
          const legacyPart: Obj = {};
          for (const k of LEGACY_FIELDS) {
            if (s[k] !== undefined) legacyPart[k] = s[k];
            delete s[k];
          }
          kept.set(sourceKey(s), legacyPart);
        }
      }
      let out: ConfigEntry;
      try {
        out = normalizeConfigEntry(SERVICE_INTENTIONS, fields as unknown as Obj);
      } catch (err) {
        if (err instanceof ConfigEntryInvalidError) throw new IntentionInvalidError(err.message);
        throw err;
      }
      const shaped = asServiceIntentions(out)!;
      if (legacy) {
        shaped.Sources = shaped.Sources.map((s) => {
          const back = kept.get(sourceKey(s)) ?? {};
          // LegacyNormalize: a legacy source always has a Meta map (an empty one is not written).
          const meta = back.LegacyMeta as Record<string, string> | undefined;
          if (meta !== undefined && Object.keys(meta).length === 0) delete back.LegacyMeta;
          return ordered({ ...s, ...back });
        });
      }
      return shaped;
    },
    async write(change: EntryChange, expectedModifyIndex: number): Promise<boolean> {
      if (change.op === 'none') return true;
      const Entry =
        change.op === 'upsert'
          ? ({ ...change.entry, Kind: SERVICE_INTENTIONS, ModifyIndex: expectedModifyIndex } as unknown as ConfigEntry)
          : ({ Kind: SERVICE_INTENTIONS, Name: change.name, CreateIndex: 0, ModifyIndex: expectedModifyIndex } as ConfigEntry);
      const r = await ctx.applier.apply({ Type: 'ConfigEntry', Op: change.op === 'upsert' ? 'upsert-cas' : 'delete-cas', Entry });
      if (!r.ok) throw badRequest(r.error ?? 'config entry write failed');
      return r.value === true;
    },
  };
}
