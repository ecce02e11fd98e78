/** The `?node-meta=` and `?tag=` filters of the catalog and health reads. */
import { lower } from './util.js';

export function metaMatches(meta: Record<string, string> | null, filter: Record<string, string> | undefined): boolean {
  if (!filter) return true;
  for (const [k, v] of Object.entries(filter)) {
    if (!meta || meta[k] !== v) return false;
  }
  return true;
}

export function tagsMatch(tags: string[], wanted: string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  const have = new Set(tags.map(lower));
  return wanted.every((t) => have.has(lower(t)));
}
