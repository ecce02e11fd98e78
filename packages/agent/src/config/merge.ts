/**
 * Consul's config merge (agent/config/merge.go), applied source after source:
 * structs merge field by field; lists are appended; maps are replaced by a later non-empty
 * map; single values are replaced by a later value that is set.
 */
import type { FieldType, ObjectSpec } from '../checks/decode.js';

type Fragment = Record<string, unknown>;

function mergeValue(a: unknown, b: unknown, type: FieldType): unknown {
  if (b === undefined) return a;
  if (a === undefined) return b;
  if (typeof type === 'object') {
    if ('object' in type) return mergeFragments(a as Fragment, b as Fragment, type.object);
    if ('array' in type || 'opaqueArray' in type) return [...(a as unknown[]), ...(b as unknown[])];
    return Object.keys(b as Fragment).length > 0 ? b : a;
  }
  switch (type) {
    case 'strings':
      return [...(a as unknown[]), ...(b as unknown[])];
    case 'stringMap':
    case 'headerMap':
      return Object.keys(b as Fragment).length > 0 ? b : a;
    default:
      return b;
  }
}

export function mergeFragments(a: Fragment, b: Fragment, spec: ObjectSpec): Fragment {
  const out: Fragment = { ...a };
  for (const field of spec.fields) {
    const merged = mergeValue(a[field.name], b[field.name], field.type);
    if (merged !== undefined) out[field.name] = merged;
  }
  return out;
}
