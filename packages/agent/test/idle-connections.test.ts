// 20,000 idle TCP connections from one client: past limits.http_max_conns_per_client (200)
// each new one gets Consul's 429 and is closed, so the agent keeps its file descriptors, stays
// up, and serves other clients and writes (which need descriptors for the log and snapshots).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { http, startAgentProcess, tempDir } from './helpers.js';

const IP = '127.0.65.30';
const ATTACKER = '127.0.65.31';
const TOTAL = 20_000;
const BATCH = 500;

/** Opens one idle connection from `localAddress`; resolves with the socket and whether it was refused. */
function idle(localAddress: string): Promise<{ socket: Socket; refused: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: IP, port: 8500, localAddress });
    let data = '';
    let settled = false;
    const done = (refused: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ socket, refused });
    };
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => done(data.startsWith('HTTP/1.1 429')));
    socket.on('error', () => done(true));
    // Still open after a moment: accepted and idle.
    socket.on('connect', () => setTimeout(() => done(false), 50));
  });
}

describe('idle connections', () => {
  it(`refuses connections past the per-client limit and stays up under ${TOTAL}`, async () => {
    const d = tempDir('proconsul-idle-');
    const agent = await startAgentProcess(
      ['-server', '-bootstrap', '-data-dir', d.path, '-client', IP, '-bind', IP, '-node', 'idle', '-dns-port', '-1', '-log-level', 'warn'],
      `${IP}:8500`,
    );
    const open: Socket[] = [];
    let refused = 0;
    try {
      for (let n = 0; n < TOTAL; n += BATCH) {
        const batch = await Promise.all(Array.from({ length: BATCH }, () => idle(ATTACKER)));
        for (const b of batch) {
          if (b.refused) refused++;
          else open.push(b.socket);
        }
      }
      // A refusal may arrive after the 50 ms look: count what is still open once things settle.
      await new Promise((r) => setTimeout(r, 1_000));
      const held = open.filter((s) => !s.closed).length;
      expect(held).toBe(200);
      expect(refused + (open.length - held)).toBe(TOTAL - 200);
      // The refusal is Consul's.
      const probe = await new Promise<string>((resolve) => {
        const s = connect({ host: IP, port: 8500, localAddress: ATTACKER });
        let data = '';
        s.on('data', (x) => (data += x.toString()));
        s.on('close', () => resolve(data));
        s.on('error', () => resolve(data));
      });
      expect(probe).toContain('HTTP/1.1 429 Too Many Requests');
      expect(probe).toContain('Your IP is issuing too many concurrent connections, please rate limit your calls');
      // Everyone else is served, writes included, and the agent is still the same process.
      expect((await http(agent.base, 'PUT', '/v1/kv/still/here', 'yes')).text).toBe('true');
      expect((await http(agent.base, 'GET', '/v1/kv/still/here?raw')).text).toBe('yes');
      expect(agent.proc.exitCode).toBeNull();
      console.log(`idle-connections: attempted=${TOTAL} held=${held} refused=${TOTAL - held}`);
    } finally {
      for (const s of open) s.destroy();
      await agent.kill9();
      d.remove();
    }
  }, 180_000);

  it('survives running out of file descriptors (no per-client limit) and serves again once they are freed', async () => {
    const d = tempDir('proconsul-emfile-');
    const ip = '127.0.65.32';
    writeFileSync(join(d.path, 'limits.json'), JSON.stringify({ limits: { http_max_conns_per_client: 0 } }));
    const agent = await startAgentProcess(
      ['-server', '-bootstrap', '-data-dir', join(d.path, 'data'), '-client', ip, '-bind', ip, '-config-file', join(d.path, 'limits.json'), '-dns-port', '-1', '-log-level', 'warn'],
      `${ip}:8500`,
    );
    const held: Socket[] = [];
    try {
      execFileSync('prlimit', ['--pid', String(agent.proc.pid), '--nofile=256:256']);
      for (let i = 0; i < 600; i++) {
        const s = connect({ host: ip, port: 8500, localAddress: ATTACKER });
        s.on('error', () => undefined);
        held.push(s);
      }
      await new Promise((r) => setTimeout(r, 1_000));
      // Out of descriptors: the agent may refuse, but must not exit or lose anything acknowledged.
      const during = await http(agent.base, 'PUT', '/v1/kv/emfile/during', 'x').catch(() => undefined);
      expect(agent.proc.exitCode).toBeNull();
      for (const s of held.splice(0)) s.destroy();
      await new Promise((r) => setTimeout(r, 500));
      expect((await http(agent.base, 'PUT', '/v1/kv/emfile/after', 'y')).text).toBe('true');
      if (during?.text === 'true') expect((await http(agent.base, 'GET', '/v1/kv/emfile/during?raw')).text).toBe('x');
      expect(agent.proc.exitCode).toBeNull();
    } finally {
      for (const s of held) s.destroy();
      await agent.kill9();
      d.remove();
    }
  }, 60_000);
});
