import { describe, expect, it } from 'vitest';
import type { Io } from './io.js';
import { main } from './main.js';

function memIo(env: Record<string, string> = {}, stdin = '') {
  let out = '';
  let err = '';
  const io: Io = {
    write: (c) => {
      out += typeof c === 'string' ? c : new TextDecoder().decode(c);
    },
    writeErr: (t) => {
      err += t;
    },
    readStdin: async () => new TextEncoder().encode(stdin),
    env,
  };
  return { io, out: () => out, err: () => err };
}

async function run(argv: string[], env?: Record<string, string>) {
  const m = memIo(env);
  const code = await main(argv, m.io);
  return { code, out: m.out(), err: m.err() };
}

describe('dispatch and usage errors (no agent needed)', () => {
  it('prints the version and the API it speaks', async () => {
    const r = await run(['version']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('Proconsul v0.1.0');
    expect(r.out).toContain('Consul HTTP API');
  });

  it('keygen prints base64 of 32 bytes', async () => {
    const r = await run(['keygen']);
    expect(Buffer.from(r.out.trim(), 'base64').length).toBe(32);
  });

  it('usage errors are one line and exit 1', async () => {
    for (const [argv, line] of [
      [['kv', 'put'], 'Error! Missing KEY argument'],
      [['kv', 'get'], 'Error! Missing KEY argument'],
      [['kv', 'get', 'a', 'b'], 'Too many arguments (expected 1, got 2)'],
      [['kv', 'put', '-cas', 'k', 'v'], 'Must specify -modify-index with -cas!'],
      [['kv', 'delete', '-cas', '-recurse', '-modify-index=3', 'k'], 'Cannot specify both -cas and -recurse!'],
      [['kv', 'delete', '-modify-index=3', 'k'], 'Cannot specify -modify-index without -cas!'],
      [['kv', 'put', '-acquire', 'k'], 'Error! Missing -session (required with -acquire and -release)'],
      [['members', '-bogus'], 'flag provided but not defined: -bogus'],
      [['maint', '-enable', '-disable'], 'Only one of -enable or -disable may be provided'],
      [['maint', '-reason=x'], 'Reason may only be provided with -enable'],
      [['event'], 'Event name must be specified'],
      [['event', '-name=x', '-tag=a'], 'Cannot provide tag filter without service filter.'],
      [['services', 'register'], 'Service registration requires at least one argument or flags.'],
      [['services', 'deregister'], 'Service deregistration requires at least one argument or -id.'],
      [['join'], 'At least one address to join must be specified.'],
      [['force-leave'], 'A single node name must be specified to force leave.'],
      [['catalog', 'nodes', 'extra'], 'Too many arguments (expected 0, got 1)'],
      [['acl', 'token', 'update'], 'Cannot update a token without specifying the -accessor-id parameter'],
      [['acl', 'token', 'clone'], 'Cannot update a token without specifying the -accessor-id parameter'],
      [['acl', 'policy', 'update'], 'Must specify either the -id or -name parameters'],
      [['acl', 'role', 'read'], 'Must specify either the -id or -name parameters'],
      [['acl', 'role', 'update'], 'Cannot update a role without specifying the -id parameter'],
      [['nosuch'], 'Unknown command: "nosuch". Run "proconsul --help" for the list of commands.'],
      [['kv', 'nosuch'], 'Unknown command: "kv nosuch". Run "proconsul kv -help" for its subcommands.'],
      // names of Object.prototype's members are not commands (found by the fuzz test)
      [['kv', 'valueOf'], 'Unknown command: "kv valueOf". Run "proconsul kv -help" for its subcommands.'],
      [['operator', 'raft', '__proto__'], 'Unknown command: "operator raft __proto__". Run "proconsul operator raft -help" for its subcommands.'],
      [['constructor'], 'Unknown command: "constructor". Run "proconsul --help" for the list of commands.'],
      [['toString'], 'Unknown command: "toString". Run "proconsul --help" for the list of commands.'],
    ] as Array<[string[], string]>) {
      const r = await run(argv);
      expect({ argv, code: r.code, err: r.err }).toEqual({ argv, code: 1, err: line + '\n' });
    }
  });

  it('a bad address is reported before any request', async () => {
    const r = await run(['members'], { CONSUL_HTTP_ADDR: 'ftp://x:1' });
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error connecting to Consul agent: unknown protocol scheme: ftp\n');
  });

  it('-h prints the command help and exits 0', async () => {
    const r = await run(['kv', 'get', '-h']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: proconsul kv get [options] [KEY_OR_PREFIX]');
    expect(r.out).toContain('-recurse');
  });

  it('-h leaves out the deprecated flags Consul still parses', async () => {
    const r = await run(['acl', 'token', 'update', '-h']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: proconsul acl token update [options]');
    for (const flag of ['-accessor-id', '-append-policy-name', '-append-node-identity', '-format']) expect(r.out).toContain(`  ${flag}=`);
    for (const flag of ['-id=', '-merge-policies', '-merge-roles', '-merge-service-identities', '-merge-node-identities']) expect(r.out).not.toContain(`  ${flag}`);
  });

  it('--help lists the commands', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['agent', 'members', 'kv', 'catalog', 'services', 'maint', 'operator']) expect(r.out).toContain(`    ${c} `);
  });
});
