/**
 * Type checks of command fields. Commands normally come from the agent's validated HTTP
 * decoding, but a log must never hold something that makes `apply` throw halfway: a command
 * whose fields have the wrong JSON types is refused whole, before anything changes.
 * Each function returns an error message, or undefined when the shape is right.
 */
type Rec = Record<string, unknown>;

const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown): boolean => v === undefined || v === null;

function str(o: Rec, k: string, where: string): string | undefined {
  return absent(o[k]) || typeof o[k] === 'string' ? undefined : `Invalid ${where}${k}: expected a string`;
}
function num(o: Rec, k: string, where: string): string | undefined {
  const v = o[k];
  return absent(v) || (typeof v === 'number' && Number.isFinite(v)) ? undefined : `Invalid ${where}${k}: expected a number`;
}
const UINT64_MAX = (1n << 64n) - 1n;

/** KV Flags: a uint64 as a number or a bigint. */
function flags(o: Rec, k: string, where: string): string | undefined {
  const v = o[k];
  if (absent(v)) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return undefined;
  if (typeof v === 'bigint' && v >= 0n && v <= UINT64_MAX) return undefined;
  return `Invalid ${where}${k}: expected an unsigned 64-bit integer`;
}

function bool(o: Rec, k: string, where: string): string | undefined {
  return absent(o[k]) || typeof o[k] === 'boolean' ? undefined : `Invalid ${where}${k}: expected a boolean`;
}
function strArr(o: Rec, k: string, where: string): string | undefined {
  const v = o[k];
  return absent(v) || (Array.isArray(v) && v.every((x) => typeof x === 'string')) ? undefined : `Invalid ${where}${k}: expected an array of strings`;
}
function strMap(o: Rec, k: string, where: string): string | undefined {
  const v = o[k];
  return absent(v) || (isObj(v) && Object.values(v).every((x) => typeof x === 'string')) ? undefined : `Invalid ${where}${k}: expected a map of strings`;
}
function obj(o: Rec, k: string, where: string): string | undefined {
  return absent(o[k]) || isObj(o[k]) ? undefined : `Invalid ${where}${k}: expected an object`;
}
function first(...errs: Array<string | undefined>): string | undefined {
  return errs.find((e) => e !== undefined);
}

function serviceError(s: unknown): string | undefined {
  if (absent(s)) return undefined;
  if (!isObj(s)) return 'Invalid Service: expected an object';
  const w = 'Service.';
  const e = first(
    str(s, 'ID', w),
    str(s, 'Service', w),
    str(s, 'Kind', w),
    strArr(s, 'Tags', w),
    str(s, 'Address', w),
    obj(s, 'TaggedAddresses', w),
    strMap(s, 'Meta', w),
    num(s, 'Port', w),
    str(s, 'SocketPath', w),
    obj(s, 'Weights', w),
    bool(s, 'EnableTagOverride', w),
    obj(s, 'Proxy', w),
    obj(s, 'Connect', w),
  );
  if (e) return e;
  if (isObj(s['Weights']) && first(num(s['Weights'], 'Passing', 'Service.Weights.'), num(s['Weights'], 'Warning', 'Service.Weights.'))) {
    return 'Invalid Service.Weights: expected numbers';
  }
  const tagged = s['TaggedAddresses'];
  if (isObj(tagged)) {
    for (const v of Object.values(tagged)) {
      if (!isObj(v) || first(str(v, 'Address', ''), num(v, 'Port', ''))) return 'Invalid Service.TaggedAddresses: expected {Address, Port} values';
    }
  }
  return undefined;
}

function checkError(c: unknown): string | undefined {
  if (!isObj(c)) return 'Invalid Check: expected an object';
  const w = 'Check.';
  return first(
    ...['Node', 'CheckID', 'Name', 'Status', 'Notes', 'Output', 'ServiceID', 'Type', 'Interval', 'Timeout'].map((k) => str(c, k, w)),
    num(c, 'ExposedPort', w),
    obj(c, 'Definition', w),
  );
}

export function registerShapeError(c: Rec): string | undefined {
  const e = first(
    str(c, 'ID', ''),
    str(c, 'Address', ''),
    strMap(c, 'TaggedAddresses', ''),
    strMap(c, 'NodeMeta', ''),
    bool(c, 'SkipNodeUpdate', ''),
    serviceError(c['Service']),
    absent(c['Check']) ? undefined : checkError(c['Check']),
  );
  if (e) return e;
  if (!absent(c['Checks'])) {
    if (!Array.isArray(c['Checks'])) return 'Invalid Checks: expected an array';
    for (const ch of c['Checks']) {
      const ce = checkError(ch);
      if (ce) return ce;
    }
  }
  return undefined;
}

export function kvShapeError(c: Rec, where = ''): string | undefined {
  if (typeof c['Key'] !== 'string') return `Invalid ${where}Key: expected a string`;
  return first(str(c, 'Verb', where), str(c, 'Value', where), flags(c, 'Flags', where), num(c, 'Index', where), str(c, 'Session', where));
}

/** A Node, Service or Check operation of a transaction (`kind` is its key in the op). */
export function txnCatalogShapeError(kind: 'Node' | 'Service' | 'Check', op: unknown): string | undefined {
  if (!isObj(op)) return `Invalid ${kind}: expected an object`;
  const verb = str(op, 'Verb', `${kind}.`);
  const inner = op[kind];
  if (!isObj(inner)) return `Invalid ${kind}.${kind}: expected an object`;
  const w = `${kind}.${kind}.`;
  switch (kind) {
    case 'Node':
      return first(verb, str(inner, 'ID', w), str(inner, 'Node', w), str(inner, 'Address', w), strMap(inner, 'TaggedAddresses', w), strMap(inner, 'Meta', w), num(inner, 'ModifyIndex', w));
    case 'Service':
      return first(verb, str(op, 'Node', 'Service.'), serviceError(inner), num(inner, 'ModifyIndex', w));
    case 'Check':
      return first(verb, checkError(inner), strArr(inner, 'ServiceTags', w), num(inner, 'ModifyIndex', w));
  }
}

export function sessionShapeError(s: unknown): string | undefined {
  if (!isObj(s)) return 'Invalid Session: expected an object';
  const w = 'Session.';
  const e = first(str(s, 'ID', w), str(s, 'Name', w), str(s, 'Node', w), num(s, 'LockDelay', w), str(s, 'Behavior', w), str(s, 'TTL', w), strArr(s, 'NodeChecks', w));
  if (e) return e;
  const sc = s['ServiceChecks'];
  if (!absent(sc) && (!Array.isArray(sc) || !sc.every((x) => isObj(x) && typeof x['ID'] === 'string' && first(str(x, 'Namespace', '')) === undefined))) {
    return 'Invalid Session.ServiceChecks: expected [{ID, Namespace}]';
  }
  return undefined;
}

export { isObj };
