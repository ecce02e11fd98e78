import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseFlags } from './flags.js';
import { loadConfig } from './load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'proconsul-config-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HOST = { hostname: 'fuzz', interfaces: {} };
const flagWord = fc.constantFrom('-server', '-dev', '-http-port', '-node', '-retry-join', '-node-meta', '-bind', '--', '-x', '-ui=', '-data-dir');

describe('bad input never escapes as anything but ConfigError', () => {
  it('random argv', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(flagWord, fc.string()), { maxLength: 8 }), (argv) => {
        try {
          parseFlags(argv);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random JSON config files', async () => {
    const file = path.join(dir, 'fuzz.json');
    const key = fc.constantFrom('server', 'ports', 'http', 'services', 'checks', 'name', 'ttl', 'dns_config', 'node_meta', 'retry_join', 'foo', 'interval', 'check');
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.boolean(),
        fc.integer(),
        fc.string(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 4 }), async (config) => {
        await writeFile(file, JSON.stringify({ ...config, data_dir: dir }));
        try {
          await loadConfig(['-bind', '127.0.8.1', '-config-file', file], {}, HOST);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
