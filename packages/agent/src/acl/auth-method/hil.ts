/**
 * Consul's lib/template InterpolateHIL for binding rules: `${name}` replaced by the variable's
 * value (lowercased when asked); text without `${` is returned as is. Only variable accesses are
 * interpolated (all a BindName uses); an unknown variable is HIL's error, with its position.
 */
const ACCESS = /\$\{\s*([A-Za-z0-9_.\-]+)\s*\}/y;

export class HilError extends Error {}

export function interpolateHil(s: string, vars: ReadonlyMap<string, string>, lowercase: boolean): string {
  if (!s.includes('${')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const at = s.indexOf('${', i);
    if (at < 0) {
      out += s.slice(i);
      break;
    }
    // "$${" is HIL's escape for a literal "${".
    if (at > 0 && s[at - 1] === '$') {
      out += s.slice(i, at - 1) + '${';
      i = at + 2;
      continue;
    }
    out += s.slice(i, at);
    ACCESS.lastIndex = at;
    const m = ACCESS.exec(s);
    if (!m) throw new HilError(`parse error at 1:${at + 3}: expected expression`);
    const name = m[1]!;
    const value = vars.get(name);
    if (value === undefined) throw new HilError(`1:${at + 3}: unknown variable accessed: ${name}`);
    out += lowercase ? value.toLowerCase() : value;
    i = ACCESS.lastIndex;
  }
  return out;
}
