// Autopilot's configuration (Consul's structs.AutopilotConfig), replicated like the catalog:
// set through the log (`AutopilotSet`, optionally check-and-set on ModifyIndex), kept in
// snapshots. Durations are milliseconds here; the HTTP layer renders them as Go durations.
import type { CatalogStore } from './store.js';
import type { ApplyResult } from './commands.js';

export interface AutopilotConfig {
  CleanupDeadServers: boolean;
  LastContactThresholdMs: number;
  MaxTrailingLogs: number;
  MinQuorum: number;
  ServerStabilizationTimeMs: number;
  RedundancyZoneTag: string;
  DisableUpgradeMigration: boolean;
  UpgradeVersionTag: string;
}

export interface AutopilotRecord extends AutopilotConfig {
  CreateIndex: number;
  ModifyIndex: number;
}

/** Consul's defaults (agent/config/default.go), used until a configuration is set. */
export const DEFAULT_AUTOPILOT: AutopilotConfig = {
  CleanupDeadServers: true,
  LastContactThresholdMs: 200,
  MaxTrailingLogs: 250,
  MinQuorum: 0,
  ServerStabilizationTimeMs: 10_000,
  RedundancyZoneTag: '',
  DisableUpgradeMigration: false,
  UpgradeVersionTag: '',
};

export interface AutopilotSetCommand {
  Type: 'AutopilotSet';
  Config: AutopilotConfig;
  /** Check-and-set: apply only when the stored ModifyIndex equals `Index` (0: none stored yet). */
  CAS?: boolean;
  Index?: number;
}

/** Applies `AutopilotSet`; `value` is false when a CAS did not match (nothing changed). */
export function autopilotSet(st: CatalogStore, idx: number, c: AutopilotSetCommand): ApplyResult {
  if (typeof c.Config !== 'object' || c.Config === null) return { ok: false, error: 'Invalid Config: expected an object' };
  const current = st.autopilot;
  if (c.CAS && (current?.ModifyIndex ?? 0) !== c.Index) return { ok: true, value: false };
  const config: AutopilotConfig = { ...DEFAULT_AUTOPILOT };
  for (const k of Object.keys(DEFAULT_AUTOPILOT) as (keyof AutopilotConfig)[]) {
    if (typeof c.Config[k] === typeof DEFAULT_AUTOPILOT[k]) (config as unknown as Record<string, unknown>)[k] = c.Config[k];
  }
  st.autopilot = { ...config, CreateIndex: current?.CreateIndex ?? idx, ModifyIndex: idx };
  st.touched.add('autopilot');
  return { ok: true, value: true };
}
