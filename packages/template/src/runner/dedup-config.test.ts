import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';
import { applyConfigObject, defaultConfig, finalizeDedup, type RunnerConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'pct-dedup-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(argv: string[]): RunnerConfig {
  const r = parseArgs(argv);
  if (r.kind !== 'run') throw new Error('expected run');
  return r.config;
}

describe('the dedup block and -dedup', () => {
  it('is off by default, with consul-template defaults', () => {
    expect(finalizeDedup(run(['-template', 'a:b']).dedup)).toEqual({ enabled: false, maxStaleMs: 2000, prefix: 'consul-template/dedup/', ttlMs: 15_000, blockWaitMs: 60_000 });
  });

  it('-dedup turns it on, and is no longer named as ignored', () => {
    const cfg = run(['-dedup', '-template', 'a:b']);
    expect(finalizeDedup(cfg.dedup).enabled).toBe(true);
    expect(cfg.ignored).toEqual([]);
    expect(finalizeDedup(run(['-dedup=false', '-template', 'a:b']).dedup).enabled).toBe(false);
  });

  it('parses every key of the block from HCL', () => {
    const hcl = join(dir, 'd.hcl');
    writeFileSync(hcl, 'dedup {\n enabled = true\n prefix = "ct/dd/"\n ttl = "5s"\n max_stale = "0s"\n block_query_wait = "30s"\n}\n');
    const cfg = run(['-config', hcl, '-template', 'a:b']);
    expect(cfg.ignored).toEqual([]);
    expect(finalizeDedup(cfg.dedup)).toEqual({ enabled: true, maxStaleMs: 0, prefix: 'ct/dd/', ttlMs: 5000, blockWaitMs: 30_000 });
  });

  it('Finalize: any other key set turns it on unless enabled says otherwise; the -dedup flag overrides the file', () => {
    const from = (raw: Record<string, unknown>) => {
      const cfg = defaultConfig();
      applyConfigObject(cfg, raw);
      return finalizeDedup(cfg.dedup);
    };
    expect(from({ dedup: { prefix: 'x/' } }).enabled).toBe(true);
    expect(from({ dedup: { ttl: '20s' } }).enabled).toBe(true);
    expect(from({ dedup: { max_stale: '0s' } }).enabled).toBe(false); // zero is "not present" in Go's Finalize
    expect(from({ dedup: { enabled: false, prefix: 'x/' } }).enabled).toBe(false);
    const hcl = join(dir, 'off.hcl');
    writeFileSync(hcl, 'dedup { enabled = false }\n');
    expect(finalizeDedup(run(['-config', hcl, '-dedup', '-template', 'a:b']).dedup).enabled).toBe(true);
  });

  it('refuses unknown keys and bad values, naming the key', () => {
    const apply = (raw: Record<string, unknown>) => applyConfigObject(defaultConfig(), raw);
    expect(() => apply({ dedup: { ttl: 'soon' } })).toThrow('dedup.ttl: invalid duration "soon"');
    expect(() => apply({ dedup: { ttl: '0s' } })).toThrow('dedup.ttl: must be more than 0');
    expect(() => apply({ dedup: { enabled: 'yes' } })).toThrow('dedup.enabled: expected true or false');
    expect(() => apply({ dedup: { lock_wait: '1s' } })).toThrow('dedup.lock_wait: unknown key');
  });
});
