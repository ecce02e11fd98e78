// The agent's entries load msgpackr with its JS string decoder (src/js-string-decoder.ts): with
// the native extractor every string the catalog keeps pinned its whole command's text.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function nativeAfterImport(entry: string, env: NodeJS.ProcessEnv = {}): string {
  const script = `await import(${JSON.stringify(pathToFileURL(join(dist, entry)).href)}); const m = await import('msgpackr'); console.log(String(m.isNativeAccelerationEnabled));`;
  const { MSGPACKR_NATIVE_ACCELERATION_DISABLED: _, ...rest } = process.env;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dist, env: { ...rest, ...env }, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe("msgpackr's string decoder in the agent", () => {
  it('is the JS one once the package is loaded, and the native one without it', () => {
    expect(nativeAfterImport('index.js')).toBe('false');
    expect(nativeAfterImport('version.js')).toBe('true'); // the addon is there: the check can fail
  });

  it('leaves a choice made in the environment alone', () => {
    expect(nativeAfterImport('index.js', { MSGPACKR_NATIVE_ACCELERATION_DISABLED: 'false' })).toBe('true');
  });
});
