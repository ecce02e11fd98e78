/**
 * Go `time.Duration` strings, as Consul's `?wait=`, TTLs and check intervals use them, for the
 * client tools (template's `wait`, `lock -timeout`). The agent parses with `@proconsul/catalog`'s
 * `parseGoDuration`; this package depends on nothing internal (DESIGN, Layout), so it keeps its own.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses `1h2m3.5s`, `150ms`, `0` into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let sign = 1;
  let body = s;
  if (body.startsWith('-') || body.startsWith('+')) {
    sign = body.startsWith('-') ? -1 : 1;
    body = body.slice(1);
  }
  if (body === '') throw new Error(`invalid duration "${text}"`);
  re.lastIndex = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) throw new Error(`invalid duration "${text}"`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  return sign * total;
}

/** Formats milliseconds for a query parameter: whole seconds as `Ns`, else `Nms`. */
export function formatWait(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`invalid wait ${ms}`);
  const rounded = Math.round(ms);
  return rounded % 1000 === 0 ? `${rounded / 1000}s` : `${rounded}ms`;
}
