/**
 * Config entries as the state stores them (Consul's agent/structs/config_entry*.go): one entry
 * per (Kind, Name), kept in the JSON shape Consul serves it (its fields in Consul's order, then
 * CreateIndex/ModifyIndex). The agent decodes, normalizes and validates an entry before it
 * proposes it (config-entry/), so the state machine stores what it is given.
 */

/** An entry as served by GET /v1/config/:kind/:name. */
export type ConfigEntry = Record<string, unknown> & {
  Kind: string;
  /** Absent only for a mesh entry (whose name is "mesh"). */
  Name?: string;
  CreateIndex: number;
  ModifyIndex: number;
};

/** Consul's ConfigEntryOp. `upsert-cas`/`delete-cas` compare `Entry.ModifyIndex` (0: must not exist). */
export type ConfigEntryOp = 'upsert' | 'upsert-cas' | 'delete' | 'delete-cas';

/**
 * PUT /v1/config (`upsert`, `?cas` → `upsert-cas`), DELETE /v1/config/:kind/:name (`delete`,
 * `?cas` → `delete-cas`), and the leader's bootstrap entries (`upsert-cas` with 0). The result
 * `value` is the HTTP answer's bool.
 */
export interface ConfigEntryCommand {
  Type: 'ConfigEntry';
  Op: ConfigEntryOp;
  /** The entry (for deletes only Kind and Name are read); for CAS ops `ModifyIndex` is the expected index. */
  Entry: ConfigEntry;
}

/** The config-entries table in a snapshot. */
export interface ConfigEntrySnapshot {
  Index: number;
  Entries: ConfigEntry[];
}
