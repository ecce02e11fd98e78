/** Random command lines never crash the CLI: they end with an exit code and at most a few lines, never a stack trace. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlagError, FlagSet, HelpRequested } from './flags.js';
import type { Io } from './io.js';
import { main } from './main.js';

const token = fc.oneof(
  fc.constantFrom('-recurse', '-keys', '-cas', '-modify-index', '-modify-index=3', '-flags=x', '-detailed', '--', '-', '-h', '-base64', '-separator', '-name=web', '-port=x', '-tag', '-meta=a', '-meta=a=b', '-enable', '-disable', '-reason=r', '-service=s', '-status=[', '-http-addr=ftp://x', '='),
  fc.string({ maxLength: 8 }),
);

describe('fuzz', () => {
  it('the flag parser returns or throws only FlagError/HelpRequested, and args are a suffix of argv', () => {
    const set = new FlagSet([
      { name: 'recurse', kind: 'bool', usage: '' },
      { name: 'separator', kind: 'string', usage: '' },
      { name: 'modify-index', kind: 'uint', usage: '' },
      { name: 'port', kind: 'int', usage: '' },
      { name: 'meta', kind: 'map', usage: '' },
      { name: 'tag', kind: 'list', usage: '' },
    ]);
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        try {
          const f = set.parse(argv);
          expect(argv.slice(argv.length - f.args.length)).toEqual(f.args);
        } catch (err) {
          expect(err instanceof FlagError || err instanceof HelpRequested).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('main() ends every random command line with an exit code and no stack trace', async () => {
    const commands = fc.constantFrom(['kv', 'get'], ['kv', 'put'], ['kv', 'delete'], ['kv', 'import'], ['members'], ['catalog', 'nodes'], ['catalog', 'services'], ['services', 'register'], ['services', 'deregister'], ['maint'], ['event'], ['join'], ['force-leave'], ['keygen'], ['version'], ['snapshot', 'save'], ['validate'], ['monitor'], ['nosuch'], ['kv']);
    await fc.assert(
      fc.asyncProperty(commands, fc.array(token, { maxLength: 6 }), async (cmd, rest) => {
        let err = '';
        const io: Io = {
          write: () => undefined,
          writeErr: (t) => {
            err += t;
          },
          readStdin: async () => new Uint8Array(0),
          // port 9 on a loopback address nothing listens on: requests fail at once
          env: { CONSUL_HTTP_ADDR: '127.0.2.26:19' },
        };
        const code = await main([...cmd, ...rest.filter((t) => !t.startsWith('@'))], io);
        expect([0, 1, 2]).toContain(code);
        expect(err).not.toMatch(/\n\s+at /);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
