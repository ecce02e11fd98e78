// A client agent's calls to a server that gossip then sees fail: a host that vanished sends
// no TCP reset, so without gossip a blocking query held there would wait out its deadline.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemberStatus, type AgentMember, type LanMembership, type MembershipEvent } from '../gossip/index.js';
import { HttpError } from '../http/http-error.js';
import { encodeRpcFrame, RpcFrameDecoder } from '../rpc/frames.js';
import type { RpcRequest } from '../rpc/messages.js';
import { ClientCluster } from './client-cluster.js';

/** An RPC server: answers Status.Leader; HTTP.Forward only when `answers` (else never: a dead host). */
async function rpcServer(answers: boolean): Promise<{ server: Server; port: number; forwards: RpcRequest[] }> {
  const forwards: RpcRequest[] = [];
  const server = createServer((socket: Socket) => {
    const decoder = new RpcFrameDecoder();
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        chunk = chunk.subarray(1); // the protocol byte
      }
      for (const f of decoder.push(chunk)) {
        const req = f as RpcRequest;
        if (req.Method === 'Status.Leader') socket.write(encodeRpcFrame({ Seq: req.Seq, Body: '10.0.0.1:8300' }));
        if (req.Method !== 'HTTP.Forward') continue;
        forwards.push(req);
        if (answers) socket.write(encodeRpcFrame({ Seq: req.Seq, Body: { status: 200, headers: {}, body: Buffer.from('[]') } }));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, forwards };
}

function member(name: string, port: number, status: number): AgentMember {
  return {
    Name: name, Addr: '127.0.0.1', Port: 8301, Status: status,
    Tags: { role: 'consul', id: `id-${name}`, port: String(port), dc: 'dc1' },
    ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
  };
}

/** A LAN pool this test drives: its members, and events sent to the listeners. */
class FakeLan implements LanMembership {
  list: AgentMember[] = [];
  readonly listeners = new Set<(e: MembershipEvent) => void>();
  members(): AgentMember[] {
    return this.list;
  }
  localMember(): AgentMember {
    return member('client', 0, MemberStatus.alive);
  }
  onMember(listener: (e: MembershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fail(name: string): void {
    const m = this.list.find((x) => x.Name === name)!;
    m.Status = MemberStatus.failed;
    for (const l of this.listeners) l({ type: 'member-failed', member: m });
  }
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

/** A client that knows the hung server `a` (and has called it), then the answering `b` too. */
async function setup() {
  const a = await rpcServer(false);
  const b = await rpcServer(true);
  const lan = new FakeLan();
  lan.list = [member('a', a.port, MemberStatus.alive)];
  const cc = new ClientCluster(lan, 'dc1');
  cleanup.push(async () => {
    await cc.close();
    for (const s of [a.server, b.server]) await new Promise((r) => s.close(r));
  });
  await cc.leaderAddr(); // a is now the preferred server
  lan.list.push(member('b', b.port, MemberStatus.alive));
  return { a, b, lan, cc };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('ClientCluster: a server seen failed by gossip', () => {
  it('a read held by it (a blocking query) goes to another server at once', async () => {
    const { a, b, lan, cc } = await setup();
    const t0 = Date.now();
    const res = cc.forward({ method: 'GET', url: '/v1/health/service/web?index=7&wait=60s', headers: {} }, 65_000);
    await until(() => a.forwards.length === 1);
    lan.fail('a');
    const answer = await res;
    expect(answer.status).toBe(200);
    expect(Buffer.from(answer.body).toString()).toBe('[]');
    expect(b.forwards).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a write held by it fails at once with a 500 and is not sent again (it may have taken effect)', async () => {
    const { a, b, lan, cc } = await setup();
    const res = cc.forward({ method: 'PUT', url: '/v1/kv/x', headers: {}, body: Buffer.from('1') }, 65_000);
    await until(() => a.forwards.length === 1);
    lan.fail('a');
    const err = await res.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/^rpc error making call: rpc: connection to 127\.0\.0\.1:\d+ closed$/);
    expect(b.forwards).toHaveLength(0);
  });
});
