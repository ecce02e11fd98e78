/**
 * Service metadata from a container's `SERVICE_*` environment variables and labels, as
 * gliderlabs/registrator reads it: keys are lower-cased, and a port-specific key
 * (`SERVICE_80_NAME`) wins over the general one (`SERVICE_NAME`) for that port.
 */
export interface ServiceMetadata {
  /** Lower-cased keys without the `SERVICE_` prefix (and without the port for port keys). */
  values: Record<string, string>;
  /** Keys whose value came from a port-specific variable. */
  fromPort: Set<string>;
}

export function serviceMetadata(env: readonly string[] | null | undefined, labels: Record<string, string> | null | undefined, exposedPort: string): ServiceMetadata {
  const pairs: Array<[string, string]> = [];
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) pairs.push([entry.slice(0, eq), entry.slice(eq + 1)]);
  }
  // Labels come after the environment, so a label overrides a variable of the same name.
  for (const [k, v] of Object.entries(labels ?? {})) pairs.push([k, v]);

  // A Map: SERVICE___PROTO__ gives the key "__proto__", an ordinary meta key.
  const values = new Map<string, string>();
  const fromPort = new Set<string>();
  for (const [name, value] of pairs) {
    if (!name.startsWith('SERVICE_')) continue;
    const key = name.slice('SERVICE_'.length).toLowerCase();
    const portKey = /^(\d+)_(.+)$/.exec(key);
    if (portKey) {
      if (portKey[1] !== exposedPort) continue;
      values.set(portKey[2]!, value);
      fromPort.add(portKey[2]!);
    } else if (!fromPort.has(key)) {
      values.set(key, value);
    }
  }
  return { values: Object.fromEntries(values), fromPort };
}

/** `SERVICE_TAGS`: a comma list in which `\,` stands for a literal comma. */
export function splitTags(list: string): string[] {
  return list
    .split(/(?<!\\),/)
    .map((t) => t.replace(/\\,/g, ',').trim())
    .filter((t) => t.length > 0);
}

/** Tags from metadata plus `-tags`, de-duplicated in first-seen order. */
export function combineTags(...lists: Array<string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const list of lists) {
    const tags = typeof list === 'string' ? splitTags(list) : list ?? [];
    for (const t of tags) if (!out.includes(t)) out.push(t);
  }
  return out;
}
