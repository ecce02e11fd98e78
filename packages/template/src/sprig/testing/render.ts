// Test helper: renders a template with the Sprig functions under their bare
// names too, so Sprig's own test templates run as written.

import { afterEach, beforeEach } from 'vitest';
import { Template } from '../../engine/template.js';
import { sprigFuncs } from '../index.js';

export const FIXED_NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

export function render(text: string, data: unknown = null): string {
  const prefixed = sprigFuncs(() => FIXED_NOW);
  const bare = Object.fromEntries(Object.entries(prefixed).map(([k, v]) => [k.replace(/^sprig_/, ''), v]));
  return new Template('t', { funcs: { ...bare, ...prefixed } }).parse(text).execute(data);
}

/** The error text of a failing render. */
export function renderError(text: string, data: unknown = null): string {
  try {
    render(text, data);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`rendered without error: ${text}`);
}

/** Runs each test of the enclosing describe with TZ set to `zone` (the local zone time parsing uses). */
export function inZone(zone: string): void {
  const tz = process.env.TZ;
  beforeEach(() => {
    process.env.TZ = zone;
  });
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });
}
