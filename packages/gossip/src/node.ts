// A gossip member on real sockets: the pure core driven by a timer and the UDP/TCP transport,
// with optional AES-256-GCM encryption. This is what the agent runs for its LAN and WAN pools.
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { EventEmitter, on } from 'node:events';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { profileConfig, type Config, type Profile } from './config.js';
import { Keyring } from './keyring.js';
import type { Tags } from './messages.js';
import { seededRng } from './rng.js';
import { ENCRYPT_OVERHEAD, decryptPayload, encryptPayload } from './security.js';
import type { Coordinate } from './coordinate.js';
import { Memberlist, type Address, type CoreStats, type Member, type MemberEvent, type PingObservation, type UserMessage } from './state.js';
import { NetTransport } from './transport.js';

export const DEFAULT_PORT = 7946;

export interface GossipNodeOptions {
  name: string;
  /** Address to bind UDP and TCP on (default 0.0.0.0). */
  bindAddr?: string;
  /** Port for both UDP and TCP (default 7946; 0 picks a free one). */
  bindPort?: number;
  /** Address (host or host:port) other members should use to reach us; default: the bind address. */
  advertise?: string;
  tags?: Tags;
  profile?: Profile;
  /** Overrides of single profile settings. */
  config?: Partial<Config>;
  /** Base64 keys of 16, 24 or 32 bytes (the first is the primary) or a Keyring. Without it, traffic is plaintext. */
  keyring?: Keyring | readonly string[];
  /**
   * memberlist's GossipVerifyIncoming and GossipVerifyOutgoing (default true): with a keyring,
   * whether plaintext arriving is refused and whether what we send is encrypted. Turned off
   * while encryption is rolled out over a running cluster.
   */
  verifyIncoming?: boolean;
  verifyOutgoing?: boolean;
  /** Seed for the core's randomness (tests); default: random. */
  seed?: number;
}

export interface NodeStats extends CoreStats {
  /** Packets or streams no installed key could decrypt (or plaintext ones while incoming verification is on). */
  droppedDecrypt: number;
}

export interface GossipNodeEvents {
  event: [MemberEvent];
  /** A user message (see broadcastUser / sendUser) arrived. */
  user: [UserMessage];
  /** A direct probe's round trip updated our network coordinate (serf's ping delegate). */
  ping: [PingObservation];
}

function parseHostPort(s: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) return { host: s, port: defaultPort }; // a bare IPv6 address
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port in ${s}`);
  return { host: m[1]!, port };
}

function firstPrivateIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}

export class GossipNode extends EventEmitter<GossipNodeEvents> {
  readonly keyring: Keyring | undefined;
  private droppedDecrypt = 0;
  private droppedNotAllowed = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Infinity;
  private closed = false;
  private readonly t0 = performance.now();
  private readonly joinWaiters = new Map<number, (ok: boolean) => void>();

  private constructor(
    private readonly core: Memberlist,
    private readonly transport: NetTransport,
    keyring: Keyring | undefined,
    private readonly verify: { incoming: boolean; outgoing: boolean },
    private readonly allowed: ((addr: string) => boolean) | undefined,
  ) {
    super();
    this.keyring = keyring;
  }

  static async create(o: GossipNodeOptions): Promise<GossipNode> {
    const keyring = o.keyring === undefined ? undefined : o.keyring instanceof Keyring ? o.keyring : new Keyring(o.keyring);
    const config: Config = { ...profileConfig(o.profile ?? 'lan'), ...o.config };
    // Keep the encrypted packet, not just the plaintext, within the packet limit.
    if (keyring) config.packetBytesMax -= ENCRYPT_OVERHEAD;
    const bindAddr = o.bindAddr ?? '0.0.0.0';
    let node: GossipNode | undefined;
    const transport = await NetTransport.listen(bindAddr, o.bindPort ?? DEFAULT_PORT, config.tcpTimeoutMs, {
      onPacket: (from, bytes) => node?.onPacket(from, bytes),
      onStream: (from, bytes) => node?.onStream(from, bytes),
    });
    let adv = { host: bindAddr === '0.0.0.0' ? firstPrivateIPv4() : bindAddr, port: transport.port };
    if (o.advertise) adv = parseHostPort(o.advertise, transport.port);
    const seed = o.seed ?? randomBytes(4).readUInt32LE(0);
    try {
      const core = new Memberlist({
        name: o.name, addr: adv.host, port: adv.port, tags: o.tags, config, rng: seededRng(seed), nowMs: 0,
      });
      node = new GossipNode(core, transport, keyring, { incoming: o.verifyIncoming ?? true, outgoing: o.verifyOutgoing ?? true }, config.addressAllowed);
    } catch (e) {
      await transport.close();
      throw e;
    }
    node.pump();
    return node;
  }

  /** The bound port (UDP and TCP). */
  get port(): number {
    return this.transport.port;
  }

  get name(): string {
    return this.core.name;
  }

  /**
   * Joins a cluster through any of `addrs` ("host" or "host:port") by a push-pull state sync.
   * Resolves with the number of members contacted; rejects if none could be.
   */
  async join(addrs: readonly string[]): Promise<number> {
    const targets: Address[] = [];
    for (const a of addrs) {
      const { host, port } = parseHostPort(a, DEFAULT_PORT);
      const ip = isIP(host) ? host : (await lookup(host, { family: 4 })).address;
      targets.push({ addr: ip, port });
    }
    const ids = this.core.join(targets, this.now());
    const results = ids.map((id) => new Promise<boolean>((r) => this.joinWaiters.set(id, r)));
    this.pump();
    const ok = (await Promise.all(results)).filter(Boolean).length;
    if (ok === 0) throw new Error(`join: no member reachable at ${addrs.join(', ')}`);
    return ok;
  }

  /** Broadcasts a leave intent and waits (bounded) until it has been sent around. */
  async leave(timeoutMs = 3000): Promise<void> {
    this.core.leave(this.now());
    this.pump();
    const until = performance.now() + timeoutMs;
    while (this.core.leavePending && performance.now() < until && !this.closed) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  members(): Member[] {
    return this.core.members();
  }

  /** Member events as an async stream (ends when `signal` aborts). Same events as on('event'). */
  async *events(signal?: AbortSignal): AsyncGenerator<MemberEvent> {
    try {
      for await (const [e] of on(this, 'event', { signal })) yield e as MemberEvent;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }

  localMember(): Member {
    return this.core.member(this.core.name)!;
  }

  setTags(tags: Tags): void {
    this.core.setTags(tags, this.now());
    this.pump();
  }

  /** Broadcasts an opaque message to every member by gossip (see Memberlist.broadcastUser). */
  broadcastUser(key: string, payload: Uint8Array): void {
    this.core.broadcastUser(key, payload);
    this.pump();
  }

  /** Sends an opaque message to one member's address ("host:port" or an Address) now. */
  sendUser(to: Address, payload: Uint8Array): void {
    this.core.sendUser(to, payload, this.now());
    this.pump();
  }

  /** Moves a failed member to left cluster-wide (serf's force-leave); false if unknown. */
  forceLeave(name: string): boolean {
    const ok = this.core.forceLeave(name, this.now());
    this.pump();
    return ok;
  }

  /** Drops a failed or left member from our table at once (force-leave -prune). */
  forget(name: string): boolean {
    const ok = this.core.forget(name, this.now());
    this.pump();
    return ok;
  }

  /** True once leave() was called. */
  get isLeaving(): boolean {
    return this.core.isLeaving;
  }

  stats(): NodeStats {
    return { ...this.core.stats, droppedDecrypt: this.droppedDecrypt, droppedNotAllowed: this.core.stats.droppedNotAllowed + this.droppedNotAllowed };
  }

  healthScore(): number {
    return this.core.healthScore;
  }

  /** Our Vivaldi network coordinate (undefined when `config.coordinates` is off). */
  coordinate(): Coordinate | undefined {
    return this.core.coordinate();
  }

  /** The coordinate a member last acked our probe with (our own for our name). */
  memberCoordinate(name: string): Coordinate | undefined {
    return this.core.memberCoordinate(name);
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.joinWaiters.values()) w(false);
    this.joinWaiters.clear();
    await this.transport.close();
  }

  // ---- driving the core ------------------------------------------------------------------

  private now(): number {
    return performance.now() - this.t0;
  }

  /** memberlist's IPAllowed, for packets and streams. */
  private refused(from: Address): boolean {
    if (this.allowed === undefined || this.allowed(from.addr)) return false;
    this.droppedNotAllowed++;
    return true;
  }

  private onPacket(from: Address, bytes: Buffer): void {
    if (this.closed || this.refused(from)) return;
    const plain = this.open(bytes);
    if (!plain) return;
    this.core.receivePacket(from, plain, this.now());
    this.pump();
  }

  private onStream(from: Address, bytes: Buffer): Uint8Array | undefined {
    if (this.closed || this.refused(from)) return undefined;
    const plain = this.open(bytes);
    if (!plain) return undefined;
    const reply = this.core.handleStream(from, plain, this.now());
    this.pump();
    return reply && this.seal(reply);
  }

  private open(bytes: Buffer): Uint8Array | undefined {
    if (!this.keyring) return bytes;
    const plain = decryptPayload(this.keyring.allKeys(), bytes);
    if (plain) return plain;
    if (!this.verify.incoming) return bytes; // memberlist: taken as plaintext
    this.droppedDecrypt++;
    return undefined;
  }

  private seal(bytes: Uint8Array): Uint8Array {
    return this.keyring && this.verify.outgoing ? encryptPayload(this.keyring.primaryKey(), bytes) : bytes;
  }

  /** Sends what the core produced, reports its events, and re-arms the timer for its next tick. */
  private pump(): void {
    if (this.closed) return;
    const out = this.core.takeOutput();
    for (const p of out.packets) this.transport.sendPacket(p.to, this.seal(p.bytes));
    for (const s of out.streams) {
      void this.transport.request(s.to, this.seal(s.bytes)).then((reply) => {
        if (this.closed) return;
        const plain = reply && this.open(reply);
        const ok = this.core.streamReply(s.id, plain, this.now());
        const w = this.joinWaiters.get(s.id);
        if (w) { this.joinWaiters.delete(s.id); w(ok); }
        this.pump();
      });
    }
    for (const e of out.events) this.emit('event', e);
    for (const u of out.users) this.emit('user', u);
    for (const p of out.pings) this.emit('ping', p);
    const at = this.core.nextTickAt();
    if (at < this.timerAtMs || this.timer === undefined) {
      clearTimeout(this.timer);
      this.timerAtMs = at;
      // setTimeout treats delays past 2^31-1 ms as 1 ms: clamp, the timer then simply re-arms.
      this.timer = setTimeout(() => this.onTimer(), Math.min(2 ** 31 - 1, Math.max(0, Math.ceil(at - this.now()))));
    }
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    if (this.closed) return;
    this.core.tick(this.now());
    this.pump();
  }
}
