// Concurrent blocking reads of one service's leaf certificate share one fetch (Consul's
// agent/leafcert/leafcert.go: one certData per key and the certGroup singleflight), on a real
// server (127.0.134.1) with a fixed `connect.test_ca_leaf_root_change_spread`: after a root
// rotation every waiting read gets the same new certificate and index, at the same moment, when
// the one fetch re-signs; a read that joins later does not move that moment. Before, each read
// drew its own delay from its own start and a late one woke a delay after it began.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, sleep, startAgentProcess, workDir, type AgentProcess } from './helpers.js';

const SERVER = '127.0.134.1';
const SPREAD_MS = 4_000;
/** Reads woken by one fetch answer within this of each other (a loaded machine included). */
const TOGETHER_MS = 700;
const dir = workDir('connect-leaf-shared-fetch-');
let server: AgentProcess;

type Leaf = { SerialNumber: string; ModifyIndex: number };
type Answer = { serial: string; index: number; bodyIndex: number; at: number };

const leaf = (svc: string, query = '') => http(server.base, 'GET', `/v1/agent/connect/ca/leaf/${svc}${query}`);
const activeRoot = async (): Promise<string> => ((await http(server.base, 'GET', '/v1/agent/connect/ca/roots')).json() as { ActiveRootID: string }).ActiveRootID;

/** A blocking read of `svc` past `index`, with when its answer came. */
async function blocking(svc: string, index: number, wait: string): Promise<Answer> {
  const r = await leaf(svc, `?index=${index}&wait=${wait}`);
  expect(r.status, r.text).toBe(200);
  const body = r.json() as Leaf;
  return { serial: body.SerialNumber, index: Number(r.headers.get('x-consul-index')), bodyIndex: body.ModifyIndex, at: Date.now() };
}

let bits = 256;
/** A new key size makes the leader generate a new active root; resolves once the agent serves it. */
async function rotate(): Promise<void> {
  const old = await activeRoot();
  const put = await http(server.base, 'PUT', '/v1/connect/ca/configuration', JSON.stringify({ Provider: 'consul', Config: { PrivateKeyType: 'ec', PrivateKeyBits: (bits = bits === 256 ? 384 : 256) } }));
  expect(put.status, put.text).toBe(200);
  await eventually(async () => ((await activeRoot()) !== old ? true : undefined), 'the agent to see the new root');
}

function expectOneAnswer(answers: Answer[], old: Leaf): void {
  const first = answers[0]!;
  expect(first.serial).not.toBe(old.SerialNumber);
  expect(first.index).toBeGreaterThan(old.ModifyIndex);
  for (const a of answers) expect([a.serial, a.index, a.bodyIndex]).toEqual([first.serial, first.index, first.index]);
  const at = answers.map((a) => a.at);
  expect(Math.max(...at) - Math.min(...at), at.join(',')).toBeLessThan(TOGETHER_MS);
}

beforeAll(async () => {
  const cfg = dir.config('server.json', { connect: { test_ca_leaf_root_change_spread: `${SPREAD_MS}ms` } });
  const args = ['-server', '-bootstrap', '-config-file', cfg, '-data-dir', join(dir.path, 'server'), '-bind', SERVER, '-client', SERVER, '-node', 'shared-fetch', '-dns-port', '-1', '-log-level', 'warn'];
  server = await startAgentProcess(args, `${SERVER}:8500`, { waitForLeader: true });
}, 120_000);

afterAll(async () => {
  await server?.kill9();
  dir.remove();
});

describe('concurrent blocking leaf reads', () => {
  it('across a rotation all get the same certificate and index at once, late joiners included', async () => {
    const old = (await leaf('shared')).json() as Leaf;
    const waiting = [0, 1, 2].map(() => blocking('shared', old.ModifyIndex, '60s'));
    await sleep(300);
    await rotate();
    const seen = Date.now();
    // Two more join 1.5 s and 3 s after the rotation, before the shared fetch re-signs (4 s).
    await sleep(1_500);
    waiting.push(blocking('shared', old.ModifyIndex, '60s'));
    await sleep(1_500);
    waiting.push(blocking('shared', old.ModifyIndex, '60s'));
    const answers = await Promise.all(waiting);
    expectOneAnswer(answers, old);
    expect(Math.min(...answers.map((a) => a.at)) - seen).toBeLessThan(SPREAD_MS + 3_000);
  }, 60_000);

  it('when the read that began the fetch gives up, the others go on to the same re-signing', async () => {
    const old = (await leaf('relay')).json() as Leaf;
    await rotate();
    const t0 = Date.now();
    // The first read sees the rotation and times out before the re-signing is due.
    const starter = blocking('relay', old.ModifyIndex, '2s');
    const rest: Promise<Answer>[] = [];
    for (const delayMs of [500, 1_000, 1_000, 500]) {
      await sleep(delayMs);
      rest.push(blocking('relay', old.ModifyIndex, '60s'));
    }
    const gaveUp = await starter;
    expect([gaveUp.serial, gaveUp.index]).toEqual([old.SerialNumber, old.ModifyIndex]);
    const answers = await Promise.all(rest);
    expectOneAnswer(answers, old);
    // Re-signed when the delay drawn by the first read ended, not a delay after a later one began.
    const firstAt = Math.min(...answers.map((a) => a.at));
    expect(firstAt - t0, String(firstAt - t0)).toBeGreaterThanOrEqual(SPREAD_MS);
    expect(firstAt - t0, String(firstAt - t0)).toBeLessThan(SPREAD_MS + 3_000);
  }, 60_000);
});
