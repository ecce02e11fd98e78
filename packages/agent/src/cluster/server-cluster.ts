// A server agent's part of the cluster: the server port (Raft + agent RPC), the catalog's Raft
// node with its peers' addresses from gossip, bootstrap (-bootstrap, -bootstrap-expect, or join
// an existing cluster), write forwarding to the leader, and the leader's Raft membership duty.
import { formatGoDuration, type Catalog } from '@proconsul/catalog';
import { NotLeaderError, type RaftNode, type TcpTransport } from '@proconsul/raft';
import type { AgentConfig } from '../config/index.js';
import type { LanMembership } from '../gossip/index.js';
import type { Coordinate } from '@proconsul/gossip';
import type { Logger } from '../log.js';
import { HttpError } from '../http/http-error.js';
import { CatalogRaft } from '../raft/catalog-raft.js';
import type { Committed } from '../raft/raft-applier.js';
import { DIAL_TIMEOUT_MS, RpcClient, RpcError } from '../rpc/client.js';
import { serverDialer } from '../rpc/dial.js';
import type { RpcTls } from '../tls/rpc-tls.js';
import { RpcServer } from '../rpc/server.js';
import type { ForwardedRequest, ForwardedResponse } from '../rpc/messages.js';
import { awaitBootstrap } from './bootstrap.js';
import { isRead, withDatacenter, type ApplyCall, type ClusterRole, type ForwardCall } from './role.js';
import { WanRouter } from './router.js';
import { RaftMembership } from './membership.js';
import { serverOf, serversIn, type ServerInfo } from './servers.js';

/** How often the leader compares the Raft configuration with the servers in gossip. */
const RECONCILE_MS = 1_000;
const APPLY_FORWARD_TIMEOUT_MS = 30_000;
/** Times a read is sent again after its connection to the leader broke (each a leader lost). */
const LOST_READ_RETRIES = 3;

const SERF_STATUS: Record<number, string> = { 0: 'none', 1: 'alive', 2: 'leaving', 3: 'left', 4: 'failed' };

/** One server of the Raft configuration (operator endpoints, autopilot). */
export interface RaftServerView {
  id: string;
  name: string;
  address: string;
  leader: boolean;
  voter: boolean;
  serfStatus: string;
  /** Leader only: how far the server's log is known to match the leader's. */
  matchIndex?: number;
  /** Leader only: ms since the server last answered the leader (0 for the leader), absent if it has not this term. */
  lastContactMs?: number;
}

export interface ServerClusterOptions {
  config: AgentConfig;
  nodeId: string;
  advertiseAddr: string;
  catalog: Catalog;
  lan: LanMembership;
  /** The WAN pool (undefined with serf_wan -1): the router to other datacenters reads it. */
  wan: (LanMembership & { node: { coordinate(): Coordinate | undefined; memberCoordinate(name: string): Coordinate | undefined } }) | undefined;
  log: Logger;
  /** TLS on the server port (tls.internal_rpc), or null. */
  rpcTls: RpcTls | null;
  onFatal: (err: Error) => void;
  /** Leadership of this server started (true) or ended (false). */
  onLeadership: (isLeader: boolean) => void;
}

export class ServerCluster implements ClusterRole {
  readonly server = true;
  readonly rpc: RpcServer;
  readonly rpcClient: RpcClient;
  /** Set when ACLs are on: throws when a client agent's write is not allowed (acl/apply-authz.ts). */
  vetClientApply: ((data: Uint8Array, token: string) => void | Promise<void>) | null = null;
  readonly #abort = new AbortController();
  #reconcileTimer: NodeJS.Timeout | undefined;
  #wasLeader = false;
  /** Server ID -> `addr:port` as last seen in gossip. */
  readonly #addresses = new Map<string, string>();
  readonly #membership: RaftMembership;
  readonly router: WanRouter;

  private constructor(
    private readonly o: ServerClusterOptions,
    readonly raft: CatalogRaft,
    private readonly transport: TcpTransport,
    rpc: RpcServer,
  ) {
    this.rpc = rpc;
    this.rpcClient = new RpcClient(serverDialer(o.rpcTls, DIAL_TIMEOUT_MS));
    this.router = new WanRouter(o.wan, o.config.datacenter, this.rpcClient, o.wan?.node);
    this.#membership = new RaftMembership(o.lan, o.config.datacenter, (id) => this.#addresses.get(id), o.log, () => o.catalog.autopilotConfig().value ?? o.config.autopilot);
  }

  static async start(o: ServerClusterOptions): Promise<ServerCluster> {
    const c = o.config;
    const rpc = new RpcServer(c.limits.rpcMaxConnsPerClient, o.log, o.rpcTls);
    const transport = rpc.transport(o.nodeId);
    let self: ServerCluster | undefined;
    const raft = await CatalogRaft.create({
      catalog: o.catalog,
      serverId: o.nodeId,
      dataDir: c.dev ? '' : c.dataDir,
      datacenter: c.datacenter,
      log: o.log,
      transport,
      snapshotThreshold: c.raftSnapshotThreshold,
      snapshotIntervalMs: c.raftSnapshotIntervalMs,
      onFatal: o.onFatal,
      onLeader: (_leader, isLeader) => {
        if (self) self.#leadershipChanged(isLeader);
      },
    });
    await transport.listen(c.bindAddr, c.ports.server);
    const cluster = new ServerCluster(o, raft, transport, rpc);
    self = cluster;
    cluster.#serveRpc();
    cluster.#trackPeers();
    raft.applier.forwardToLeader = async (leaderId, data) => (await cluster.call(leaderId, 'Raft.Apply', { Data: data, Hops: 1 } satisfies ApplyCall, APPLY_FORWARD_TIMEOUT_MS)) as Committed;

    const single = c.dev || c.bootstrap || c.bootstrapExpect === 1;
    if (raft.hasState()) {
      await raft.start();
      if (single) await raft.waitForLeadershipAtStart();
    } else if (single) {
      await raft.start([o.nodeId]);
      await raft.waitForLeadershipAtStart();
    } else if (c.bootstrapExpect > 1) {
      // The HTTP API answers meanwhile (writes get "No cluster leader"), as Consul's does.
      void awaitBootstrap({
        lan: o.lan,
        datacenter: c.datacenter,
        expect: c.bootstrapExpect,
        selfId: o.nodeId,
        hasRaftState: async (s, timeoutMs) => ((await cluster.#callServer(s, 'Status.RaftState', {}, timeoutMs)) as { HasState: boolean }).HasState,
        log: o.log,
        signal: cluster.#abort.signal,
      })
        .then((voters) => (cluster.#abort.signal.aborted ? undefined : raft.start(voters)))
        .catch((err: Error) => o.onFatal(err));
    } else {
      await raft.start();
    }
    cluster.#reconcileTimer = setInterval(() => void cluster.#reconcile(), RECONCILE_MS);
    cluster.#reconcileTimer.unref();
    return cluster;
  }

  node(): RaftNode | null {
    return this.raft.node();
  }

  async readBarrier(mode: 'safe' | 'lease'): Promise<void> {
    const node = this.node();
    if (!node) throw new HttpError(500, 'No cluster leader');
    try {
      await node.readIndex(mode);
    } catch (err) {
      if (err instanceof NotLeaderError) throw new HttpError(500, 'No cluster leader');
      throw err;
    }
  }

  isLeader(): boolean {
    return this.node()?.isLeader() ?? false;
  }

  /** The leader as gossip knows it (null while there is none, or it is not in gossip yet). */
  leaderServer(): ServerInfo | null {
    const id = this.node()?.leader() ?? null;
    if (id === null) return null;
    return this.#server(id);
  }

  /** The leader's server ID, waiting up to Consul's RPCHoldTimeout during an election. */
  async awaitLeader(): Promise<string> {
    const deadline = Date.now() + this.o.config.rpcHoldTimeoutMs;
    for (;;) {
      const leader = this.node()?.leader() ?? null;
      if (leader !== null && this.#server(leader)) return leader;
      if (Date.now() > deadline) throw new HttpError(500, 'No cluster leader');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async leaderAddr(): Promise<string> {
    const s = this.leaderServer();
    return s ? `${s.addr}:${s.port}` : '';
  }

  async peerAddrs(): Promise<string[]> {
    return this.#peerAddrs();
  }

  async forward(req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse> {
    return (await this.callLeader('HTTP.Forward', { Request: req, ToLeader: true } satisfies ForwardCall, timeoutMs, isRead(req))) as ForwardedResponse;
  }

  serverRpc(method: string, body: unknown, _timeoutMs?: number, _read?: boolean, signal?: AbortSignal): Promise<unknown> {
    return this.rpc.invoke(method, body, signal);
  }

  /**
   * Runs `here` on the leader (Consul's srv.forward): this server when it leads, else the
   * leader gets the same call with `Hops: 1`, which it runs and never passes on.
   */
  async onLeader<T>(method: string, body: { Hops?: number }, timeoutMs: number, read: boolean, here: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.isLeader()) return here();
    if ((body.Hops ?? 0) >= 1) throw new HttpError(500, 'No cluster leader');
    return (await this.callLeader(method, { ...body, Hops: 1 }, timeoutMs, read, signal)) as T;
  }

  /** Calls a method on the leader (waiting out an election up to RPCHoldTimeout). */
  async callLeader(method: string, body: unknown, timeoutMs: number, read: boolean, signal?: AbortSignal): Promise<unknown> {
    // A leader that cannot be dialled (just killed) is waited out like an election; a call that
    // was sent is never sent again (it may have taken effect), except a read whose connection
    // to the leader broke (a blocking query held by a leader that died): it waits for the next
    // leader (Consul's canRetry), a bounded number of times.
    let deadline = Date.now() + this.o.config.rpcHoldTimeoutMs;
    let lost = 0;
    for (;;) {
      const leader = await this.awaitLeader();
      try {
        return await this.call(leader, method, body, timeoutMs, signal);
      } catch (err) {
        if (read && err instanceof RpcError && err.closed && ++lost <= LOST_READ_RETRIES) deadline = Date.now() + this.o.config.rpcHoldTimeoutMs;
        else if (!(err instanceof RpcError) || err.sent || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async forwardToDatacenter(dc: string, req: ForwardedRequest, timeoutMs: number): Promise<ForwardedResponse> {
    const r = { ...req, url: withDatacenter(req.url, dc) };
    return dc === this.o.config.datacenter ? this.forward(r, timeoutMs) : this.router.forward(dc, r, timeoutMs);
  }

  /** Calls an RPC method on a server of another datacenter (WanRouter.call). */
  callDatacenter(dc: string, method: string, body: unknown, timeoutMs: number): Promise<unknown> {
    return this.router.call(dc, method, body, timeoutMs);
  }

  async datacenters(): Promise<string[]> {
    return this.router.datacenters();
  }

  /** `addr:port` of every Raft voter (Consul's /v1/status/peers). */
  #peerAddrs(): string[] {
    const node = this.node();
    if (!node) return [];
    return node
      .status()
      .peers.filter((p) => p.voter)
      .map((p) => this.#server(p.id))
      .filter((s): s is ServerInfo => s !== null)
      .map((s) => `${s.addr}:${s.port}`);
  }

  /** The Raft configuration with what gossip and the leader know of each server. */
  raftServers(): RaftServerView[] {
    const node = this.node();
    if (!node) return [];
    const st = node.status();
    return st.peers.map((p) => {
      const s = this.#server(p.id);
      return {
        id: p.id,
        name: s?.name ?? '',
        address: s ? `${s.addr}:${s.port}` : '',
        leader: p.id === st.leader,
        voter: p.voter,
        serfStatus: s ? SERF_STATUS[s.status] ?? 'none' : 'none',
        ...(p.matchIndex !== undefined ? { matchIndex: p.id === this.o.nodeId ? st.lastIndex : p.matchIndex } : {}),
        ...(p.lastContactMs !== undefined ? { lastContactMs: p.lastContactMs } : {}),
      };
    });
  }

  /**
   * A leader that leaves transfers leadership first (Raft thesis 3.10), so the cluster does not
   * wait an election timeout; the new leader then removes it from the configuration once
   * gossip shows it left (membership.ts).
   */
  async beforeLeave(): Promise<void> {
    const node = this.node();
    if (!node?.isLeader()) return;
    const target = this.raftServers().find((s) => s.voter && !s.leader && s.serfStatus === 'alive');
    if (!target) return;
    this.o.log.info({ to: target.name || target.id }, 'transferring leadership before leaving');
    if (!(await node.transferLeadership(target.id))) return;
    for (let i = 0; i < 100 && node.isLeader(); i++) await new Promise((r) => setTimeout(r, 20));
  }

  stats(): Record<string, Record<string, string>> {
    const c = this.o.config;
    const st = this.node()?.status();
    const leader = this.leaderServer();
    const consul = {
      bootstrap: String(c.bootstrap || c.dev),
      known_datacenters: String(this.router.datacenters().length),
      leader: String(st?.role === 'leader'),
      leader_addr: leader ? `${leader.addr}:${leader.port}` : '',
      server: 'true',
    };
    if (!st) return { consul };
    const voters = st.peers.filter((p) => p.voter);
    return {
      consul,
      raft: {
        applied_index: String(st.appliedIndex),
        commit_index: String(st.commitIndex),
        fsm_pending: '0',
        last_contact: st.role === 'leader' ? '0' : formatGoDuration(st.lastContactMs),
        last_log_index: String(st.lastIndex),
        last_log_term: String(st.lastTerm),
        last_snapshot_index: String(st.snapshotIndex),
        last_snapshot_term: String(st.snapshotTerm),
        latest_configuration: `[${this.raftServers().map((p) => `{Suffrage:${p.voter ? 'Voter' : 'Nonvoter'} ID:${p.id} Address:${p.address}}`).join(' ')}]`,
        // hashicorp/raft's legacy figure: the other voters, or 0 where this server is not one.
        num_peers: String(voters.some((p) => p.id === st.id) ? voters.length - 1 : 0),
        protocol_version: '3',
        protocol_version_max: '3',
        protocol_version_min: '0',
        snapshot_version_max: '1',
        snapshot_version_min: '0',
        state: { leader: 'Leader', follower: 'Follower', candidate: 'Candidate', precandidate: 'Candidate' }[st.role as string] ?? 'Follower',
        term: String(st.term),
      },
    };
  }

  /** Calls an agent RPC method on the server with Raft ID `serverId`. */
  async call(serverId: string, method: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const s = this.#server(serverId);
    if (!s) throw new Error(`No path to server ${serverId}`);
    return this.#callServer(s, method, body, timeoutMs, signal);
  }

  async close(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#reconcileTimer);
    this.rpcClient.close();
    await this.raft.close();
    await this.transport.close();
    this.rpc.close();
  }

  #callServer(s: ServerInfo, method: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    return this.rpcClient.call(s.addr, s.port, method, body, timeoutMs, signal);
  }

  #server(id: string): ServerInfo | null {
    if (id === this.o.nodeId) {
      return { id, name: this.o.config.nodeName, addr: this.o.advertiseAddr, port: this.o.config.ports.server, datacenter: this.o.config.datacenter, expect: 0, bootstrap: false, status: 1 };
    }
    return serversIn(this.o.lan, this.o.config.datacenter).find((s) => s.id === id) ?? null;
  }

  #serveRpc(): void {
    this.rpc.handle('Status.RaftState', async () => ({ HasState: this.raft.hasState() }));
    this.rpc.handle('Status.Leader', () => this.leaderAddr());
    this.rpc.handle('Status.Peers', () => this.peerAddrs());
    // From a client (Hops 0) a follower passes the entry on to the leader; never further.
    this.rpc.handle('Raft.Apply', async (body) => {
      const { Data, Hops, Token } = body as Partial<ApplyCall>;
      if (!(Data instanceof Uint8Array)) throw new Error('Raft.Apply: missing Data');
      // With ACLs, a client's write is checked against the token it sent (servers are trusted
      // peers on this port, as Raft itself is).
      if ((Hops ?? 1) < 1) await this.vetClientApply?.(Data, typeof Token === 'string' ? Token : '');
      return this.raft.applier.applyEncoded(Data, (Hops ?? 1) < 1);
    });
  }

  /** Every server's Raft address comes from its gossip tags (Addr, `port`). */
  #trackPeers(): void {
    const set = (s: ServerInfo | null): void => {
      if (!s || s.id === this.o.nodeId || s.datacenter !== this.o.config.datacenter) return;
      this.transport.setPeer(s.id, { host: s.addr, port: s.port });
      this.#addresses.set(s.id, `${s.addr}:${s.port}`);
    };
    for (const m of this.o.lan.members()) set(serverOf(m));
    this.o.lan.onMember((e) => {
      const s = serverOf(e.member);
      set(s);
      // Calls held by a server that failed or left end now, not at their deadline (no TCP reset
      // comes from a host that is gone).
      if (s && s.id !== this.o.nodeId && (e.type === 'member-failed' || e.type === 'member-leave')) this.rpcClient.drop(s.addr, s.port);
    });
  }

  #leadershipChanged(isLeader: boolean): void {
    if (isLeader === this.#wasLeader) return;
    this.#wasLeader = isLeader;
    this.o.onLeadership(isLeader);
  }

  async #reconcile(): Promise<void> {
    const node = this.node();
    if (!node) return;
    try {
      await this.#membership.reconcile(node);
    } catch (err) {
      this.o.log.warn({ err }, 'Raft membership reconcile failed');
    }
  }
}
