/** The main entry must bundle for a browser (the web UI uses it): no Node built-ins, no undici. */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('browser entry', () => {
  it('bundles for platform=browser without Node-only modules', async () => {
    const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', metafile: true });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.includes('undici') || p.startsWith('node:'))).toBe(false);
    expect(inputs.some((p) => p.endsWith('src/client.ts'))).toBe(true);
    expect(result.outputFiles[0]!.text).toContain('X-Consul-Token');
  });

  it('the node entry is the one that pulls in undici', async () => {
    const entry = fileURLToPath(new URL('../src/node.ts', import.meta.url));
    const result = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' }).catch((e: unknown) => e);
    expect(result).toBeInstanceOf(Error);
  });
});
