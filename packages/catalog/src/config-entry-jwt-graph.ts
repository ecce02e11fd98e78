/**
 * validateJWTProvidersExist (agent/consul/state/config_entry.go): a service-intentions entry
 * may only name jwt-provider entries that exist. Checked inside apply, as the other graph checks.
 */
import type { ConfigEntryView } from './discovery-chain/compile.js';
import { multiError } from './config-entry/schema.js';

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const providerNames = (jwt: unknown): string[] => list((jwt as Obj | null | undefined)?.Providers).map((p) => String(p.Name ?? ''));

/** Consul's text for the providers an intentions entry names that do not exist, or undefined. */
export function jwtProvidersMissingError(view: ConfigEntryView, kind: string, name: string): string | undefined {
  if (kind !== 'service-intentions') return undefined;
  const entry = view.get(kind, name);
  if (!entry) return undefined;
  const named = new Set(providerNames(entry.JWT));
  for (const src of list(entry.Sources)) for (const perm of list(src.Permissions)) for (const p of providerNames(perm.JWT)) named.add(p);
  const existing = new Set(view.list('jwt-provider').map((e) => e.Name));
  // Consul walks a map (random order); sorted here so the text is stable.
  const missing = [...named].filter((p) => !existing.has(p)).sort();
  return missing.length === 0 ? undefined : multiError(missing.map((p) => `Referenced JWT Provider does not exist. Provider Name: ${p}`));
}
