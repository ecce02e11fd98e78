/**
 * `proconsul snapshot save|restore` against an HTTP stand-in serving Consul-format archives
 * built with the real `tar` and `sha256sum`, including damaged ones a healthy agent never
 * sends: checks verification, file handling and the exact bytes uploaded. The round trip
 * against the real agent is in cli.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, runCli, type CliResult } from './run-cli.js';

const bin = CLI_BIN;
let dir: string;
let server: Server;
let addr = '';
let archive: Buffer;
let served: Buffer;
let restored: Buffer | undefined;

const cli = (args: string[]): Promise<CliResult> => runCli(args, { addr });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proconsul-snap-'));
  const src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'meta.json'), JSON.stringify({ ID: '2-42-1700000000000', Size: 5, Index: 42, Term: 2, Version: 1 }));
  writeFileSync(join(src, 'state.bin'), 'state');
  writeFileSync(join(src, 'SHA256SUMS'), execFileSync('sha256sum', ['meta.json', 'state.bin'], { cwd: src }));
  execFileSync('tar', ['-czf', join(dir, 'good.snap'), 'meta.json', 'state.bin', 'SHA256SUMS'], { cwd: src });
  archive = readFileSync(join(dir, 'good.snap'));
  served = archive;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.startsWith('/v1/snapshot')) {
        res.writeHead(200, { 'Content-Type': 'application/x-gzip', 'X-Consul-Index': '42' });
        res.end(served);
      } else if (req.method === 'PUT' && req.url === '/v1/snapshot') {
        restored = Buffer.concat(chunks);
        res.writeHead(200);
        res.end();
      } else {
        res.writeHead(404);
        res.end('Invalid URL path: not a recognized HTTP API endpoint');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.2.24', r));
  const a = server.address();
  addr = typeof a === 'object' && a ? `127.0.2.24:${a.port}` : '';
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('proconsul snapshot', () => {
  it('save writes the verified archive and prints its index', async () => {
    served = archive;
    const out = join(dir, 'backup.snap');
    const r = await cli(['snapshot', 'save', out]);
    expect(r).toEqual({ code: 0, stdout: 'Saved and verified snapshot to index 42\n', stderr: '' });
    expect(readFileSync(out).equals(archive)).toBe(true);
    expect(existsSync(`${out}.unverified`)).toBe(false);
  });

  it('save refuses an archive whose hashes do not match and leaves no file', async () => {
    const src = join(dir, 'bad');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'meta.json'), '{}');
    writeFileSync(join(src, 'state.bin'), 'tampered');
    writeFileSync(join(src, 'SHA256SUMS'), `${'0'.repeat(64)}  state.bin\n`);
    execFileSync('tar', ['-czf', join(dir, 'bad.snap'), 'meta.json', 'state.bin', 'SHA256SUMS'], { cwd: src });
    served = readFileSync(join(dir, 'bad.snap'));
    const out = join(dir, 'refused.snap');
    const r = await cli(['snapshot', 'save', out]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error verifying snapshot file: failed to read snapshot file: failed checking integrity of snapshot: hash check failed for "state.bin"\n' });
    expect(existsSync(out) || existsSync(`${out}.unverified`)).toBe(false);
    served = Buffer.from('not gzip');
    expect((await cli(['snapshot', 'save', out])).stderr).toMatch(/^Error verifying snapshot file: failed to decompress snapshot: /);
  });

  it('restore uploads the file byte for byte', async () => {
    restored = undefined;
    const r = await cli(['snapshot', 'restore', join(dir, 'good.snap')]);
    expect(r).toEqual({ code: 0, stdout: 'Restored snapshot\n', stderr: '' });
    expect((restored as Buffer | undefined)?.equals(archive)).toBe(true);
    const missing = await cli(['snapshot', 'restore', join(dir, 'nope.snap')]);
    expect(missing.stderr).toBe(`Error opening snapshot file: open ${join(dir, 'nope.snap')}: no such file or directory\n`);
  });

  it('inspect refuses a damaged archive and one whose state is not a catalog', async () => {
    expect(await cli(['snapshot', 'inspect', join(dir, 'bad.snap')])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error reading snapshot: failed to read snapshot file: failed checking integrity of snapshot: hash check failed for "state.bin"\n',
    });
    const r = await cli(['snapshot', 'inspect', join(dir, 'good.snap')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error extracting snapshot data: failed to decode snapshot state: .+\n$/);
    expect((await cli(['snapshot', 'inspect', join(dir, 'nope.snap')])).stderr).toBe(`Error opening snapshot file: open ${join(dir, 'nope.snap')}: no such file or directory\n`);
  });

  it('usage errors', async () => {
    expect((await cli(['snapshot', 'save'])).stderr).toBe('Missing FILE argument\n');
    expect((await cli(['snapshot', 'restore', 'a', 'b'])).stderr).toBe('Too many arguments (expected 1, got 2)\n');
    expect((await cli(['snapshot', 'inspect'])).stderr).toBe('Missing FILE argument\n');
  });
});
