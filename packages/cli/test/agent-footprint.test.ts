// What a client agent holds in memory is mostly the code it loaded (docs/PERFORMANCE.md, client
// agent memory): `proconsul agent` as a client must not load code only other commands, servers
// or features it is not using need. The agent process records its modules through a
// `node --import` fixture (test/fixtures/record-modules.mjs); nothing in the product is changed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgent, type AgentProcess } from '@proconsul/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/proconsul.js', import.meta.url));
const recorder = fileURLToPath(new URL('./fixtures/record-modules.mjs', import.meta.url));
const SERVER_IP = '127.0.82.11';
const CLIENT_IP = '127.0.82.12';

const dirs: string[] = [];
let server: AgentProcess | undefined;
let client: AgentProcess | undefined;

beforeAll(async () => {
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'proconsul-footprint-'));
    dirs.push(d);
    return d;
  };
  server = await startAgent({ ip: SERVER_IP, dev: false, extraArgs: ['-server', '-bootstrap', '-data-dir', dataDir(), '-log-level', 'warn'] });
  client = await startAgent({
    ip: CLIENT_IP,
    dev: false,
    dnsPort: -1, // DNS off: its code must stay unloaded
    command: [process.execPath, '--import', recorder, bin, 'agent'],
    extraArgs: ['-join', SERVER_IP, '-data-dir', dataDir(), '-log-level', 'warn'],
  });
}, 60_000);

afterAll(async () => {
  const pid = client?.child.pid;
  await client?.stop();
  await server?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const ext of ['esm', 'cjs', 'builtin']) rmSync(join(tmpdir(), `proconsul-modules-${pid}.${ext}`), { force: true });
});

it('a client agent loads no server, CLI-command, schema-compiler or unused-feature code', async () => {
  // The agent answers through its server (startAgent waited for a leader); let the recorder write.
  await new Promise((r) => setTimeout(r, 600));
  const base = join(tmpdir(), `proconsul-modules-${client!.child.pid}`);
  const esm = readFileSync(`${base}.esm`, 'utf8').split('\n');
  const cjs = readFileSync(`${base}.cjs`, 'utf8').split('\n');
  const loaded = (part: string): string[] => [...esm, ...cjs].filter((m) => m.includes(part));

  // The recorder sees both kinds of module (or the assertions below would prove nothing).
  expect(loaded('/packages/agent/dist/agent.js')).not.toEqual([]);
  expect(loaded('/node_modules/fastify/fastify.js')).not.toEqual([]);
  expect(cjs.some((m) => m.includes('/node_modules/find-my-way/'))).toBe(true);

  for (const part of [
    '/packages/cli/dist/main.js', // the command tree: every command and the HTTP client
    '/packages/api/', // the HTTP client library (undici)
    '/node_modules/undici/',
    '/node_modules/@peculiar/', // certificate creation (`proconsul tls`)
    '/packages/x509/', // @proconsul/x509: the Connect CA, leaf certificates, auto_encrypt (loaded on first use)
    '/packages/raft/', // servers only
    '/packages/agent/dist/cluster/server-cluster.js',
    '/node_modules/ajv/', // fastify's schema compilers: no route declares a schema
    '/node_modules/fast-json-stringify/index.js', // (fastify's error serializer uses its lib/)
    '/node_modules/re2js/', // prepared-query template regexps
    '/node_modules/dockerode/', // Docker checks
    '/node_modules/ssh2/',
    '/node_modules/@fastify/static/', // -ui
    'node:child_process', // script checks
    'node:http2', // gRPC and HTTP/2 checks
    '/packages/agent/dist/tls/rpc-tls.js', // RPC TLS, not configured here
    '/packages/dns/', // DNS, turned off here (-dns-port -1)
    '/node_modules/dns-packet/',
  ]) {
    expect(loaded(part), part).toEqual([]);
  }
  // CommonJS packages are required, not imported: an import runs node's CommonJS export lexer.
  const builtin = readFileSync(`${base}.builtin`, 'utf8').split('\n');
  expect(builtin).toContain('NativeModule internal/modules/cjs/loader');
  expect(builtin.filter((m) => m.includes('cjs-module-lexer'))).toEqual([]);
});
