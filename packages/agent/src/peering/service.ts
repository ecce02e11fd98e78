/**
 * The peering operations a server's leader runs (Consul's agent/rpc/peering/service.go:
 * GenerateToken, Establish, PeeringRead/List/Delete) and the accepting side of the stream
 * (agent/grpc-external/services/peerstream: ExchangeSecret, then the replication stream).
 *
 * Deviation from Consul: the stream is not gRPC on the grpc_tls port but three agent RPC
 * methods on the server port (8300, inside TLS when the servers use it, as all server-to-server
 * traffic here): `PeerStream.Pull` (a blocking read of what this cluster exports to the peer),
 * `PeerStream.Push` (the peer's exports, which doubles as its heartbeat) and
 * `PeerStream.Terminate`. Each call carries the stream secret exchanged at establishment.
 */
import { randomUUID } from 'node:crypto';
import { TAGGED_ADDRESS_VIRTUAL_IP, validateMeta, type ApplyResult, type Catalog, type Command, type ImportedServices, type PeeringRecord } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import { badRequest, HttpError } from '../http/http-error.js';
import type { Logger } from '../log.js';
import { RpcRemoteError } from '../rpc/client.js';
import { exportsFor } from './exports.js';
import { secretMatches } from './secret.js';
import { StreamTracker } from './stream-status.js';
import { decodePeeringToken, dialAddresses, encodePeeringToken, peerNameError, peeringTokenError, PeeringTokenError, splitHostPort, type PeeringToken } from './token.js';

/** How long a Pull waits for a change before it answers anyway (the stream's heartbeat period). */
export const PULL_WAIT_MS = 10_000;
/** What one stream call may take beyond its wait. */
export const STREAM_CALL_MARGIN_MS = 10_000;
/** Consul's exchangeSecret dial timeout. */
const EXCHANGE_TIMEOUT_MS = 10_000;
/** Peer replies naming a peering the acceptor no longer has: the dialer marks it TERMINATED. */
export const PEERING_NOT_FOUND = 'peering not found';

/** Calls an agent RPC method on a server of the peer (the server's RPC client, with its TLS). */
export type PeerCall = (host: string, port: number, method: string, body: unknown, timeoutMs: number) => Promise<unknown>;

/** What the service needs from the server it runs on. */
export interface PeeringServiceOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  datacenter: string;
  domain: string;
  /** `host:port` of this datacenter's servers' RPC port (for tokens). */
  serverAddresses: () => string[];
  call: PeerCall;
  log: Logger;
  now?: () => number;
}

export interface StreamAuth {
  PeerID: string;
  StreamSecret: string;
  /** The caller's datacenter (Remote.Datacenter of the peering here). */
  Datacenter?: string;
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** ShouldDial: a peering with server addresses is the dialing side. */
export const shouldDial = (p: PeeringRecord): boolean => p.PeerServerAddresses.length > 0;

/** validatePeer: a name is either a dialer or an acceptor. */
function validatePeer(p: PeeringRecord | undefined, dialing: boolean): void {
  if (!p || shouldDial(p) === dialing) return;
  throw badRequest(
    dialing
      ? `cannot create peering with name: ${JSON.stringify(p.Name)}; there is an existing peering expecting to be dialed`
      : `cannot create peering with name: ${JSON.stringify(p.Name)}; there is already an established peering`,
  );
}

function metaCheck(meta: Record<string, string> | undefined): void {
  const err = validateMeta(meta ?? null);
  if (err) throw badRequest(`meta tags failed validation: ${err}`);
}

export class PeeringService {
  readonly tracker: StreamTracker;
  readonly #now: () => number;

  constructor(private readonly o: PeeringServiceOptions) {
    this.#now = o.now ?? Date.now;
    this.tracker = new StreamTracker(this.#now);
  }

  async #write(p: Omit<PeeringRecord, 'CreateIndex' | 'ModifyIndex'>): Promise<void> {
    const r = await this.o.applier.apply({ Type: 'PeeringWrite', Peering: p });
    if (!r.ok) throw new HttpError(500, `failed to write peering: ${r.error ?? 'apply failed'}`);
  }

  /** ServerSNI(dc, ""): the name a dialer may verify the servers' certificates against. */
  get serverName(): string {
    return `server.${this.o.datacenter}.${this.o.domain.replace(/\.$/, '')}`;
  }

  // ------------------------------------------------------------------ HTTP operations

  /** GenerateToken: creates (or keeps) the accepting peering and a new establishment secret. */
  async generateToken(req: { PeerName: string; Meta?: Record<string, string>; ServerExternalAddresses?: string[] }): Promise<string> {
    const nameErr = peerNameError(req.PeerName);
    if (nameErr) throw badRequest(nameErr);
    metaCheck(req.Meta);
    const existing = this.o.catalog.peering(req.PeerName);
    validatePeer(existing, false);
    const secret = randomUUID();
    const peering = existing ?? newPeering(randomUUID(), req.PeerName, req.Meta);
    await this.#write({ ...strip(peering), State: existing ? existing.State : 'PENDING', EstablishmentSecret: secret });
    const external = req.ServerExternalAddresses ?? [];
    const tok: PeeringToken = {
      CA: null,
      ServerAddresses: external.length > 0 ? external : this.o.serverAddresses(),
      ServerName: this.serverName,
      PeerID: peering.ID,
      EstablishmentSecret: secret,
      Remote: { Partition: '', Datacenter: this.o.datacenter },
    };
    return encodePeeringToken(tok);
  }

  /** Establish: checks the token, exchanges its secret for a stream secret, stores the dialing peering. */
  async establish(req: { PeerName: string; PeeringToken: string; Meta?: Record<string, string> }): Promise<void> {
    const nameErr = peerNameError(req.PeerName);
    if (nameErr) throw badRequest(nameErr);
    let tok: PeeringToken;
    try {
      tok = decodePeeringToken(req.PeeringToken);
    } catch (err) {
      if (err instanceof PeeringTokenError) throw badRequest(err.message);
      throw err;
    }
    const tokErr = peeringTokenError(tok);
    if (tokErr) throw badRequest(tokErr);
    metaCheck(req.Meta);
    const existing = this.o.catalog.peering(req.PeerName);
    // validatePeeringLocality: a token this cluster generated cannot be used here.
    if (this.o.catalog.peering(tok.PeerID, true)) throw badRequest('cannot create a peering within the same partition (ENT) or cluster (OSS)');
    validatePeer(existing, true);
    const addresses = dialAddresses(tok);
    const errors: string[] = [];
    let streamSecret = '';
    for (const addr of addresses) {
      const hp = splitHostPort(addr)!;
      try {
        const r = (await this.o.call(hp.host, hp.port, 'PeerStream.ExchangeSecret', { PeerID: tok.PeerID, EstablishmentSecret: tok.EstablishmentSecret }, EXCHANGE_TIMEOUT_MS)) as Obj;
        streamSecret = str(r?.StreamSecret);
        if (streamSecret !== '') break;
      } catch (err) {
        errors.push(`failed to exchange peering secret with ${JSON.stringify(addr)}: ${(err as Error).message}`);
        // The peer refused the secret: that is the token's fault, not a network one.
        if (err instanceof RpcRemoteError) throw badRequest(errors.join('; '));
      }
    }
    if (streamSecret === '') throw new HttpError(500, errors.join('; ') || 'failed to exchange peering secret');
    await this.#write({
      ...strip(existing ?? newPeering(randomUUID(), req.PeerName, req.Meta)),
      Meta: req.Meta ?? null,
      State: 'ESTABLISHING',
      PeerID: tok.PeerID,
      PeerCAPems: tok.CA ?? [],
      PeerServerName: tok.ServerName,
      PeerServerAddresses: addresses,
      RemoteDatacenter: tok.Remote.Datacenter,
      EstablishmentSecret: '',
      StreamSecret: streamSecret,
      DeletedAt: '',
    });
    this.tracker.forget(existing?.ID ?? '');
  }

  /** PeeringDelete: marks it DELETING; the leader's manager finishes the deletion. Unknown: no-op. */
  async delete(name: string): Promise<void> {
    const existing = this.o.catalog.peering(name);
    if (!existing || existing.State === 'DELETING') return;
    await this.#write({ ...strip(existing), State: 'DELETING', DeletedAt: new Date(this.#now()).toISOString() });
  }

  /** api.Peering as GET /v1/peering/:name and /v1/peerings serve it (no secrets). */
  toApi(p: PeeringRecord): Obj {
    const s = this.tracker.get(p.ID);
    const time = (ms: number | undefined): string | null => (ms ? new Date(ms).toISOString() : null);
    const out: Obj = { ID: p.ID, Name: p.Name };
    if (p.DeletedAt !== '') out.DeletedAt = p.DeletedAt;
    if (p.Meta && Object.keys(p.Meta).length > 0) out.Meta = p.Meta;
    out.State = this.tracker.state(p);
    if (p.PeerID !== '') out.PeerID = p.PeerID;
    if (p.PeerCAPems.length > 0) out.PeerCAPems = p.PeerCAPems;
    if (p.PeerServerName !== '') out.PeerServerName = p.PeerServerName;
    if (p.PeerServerAddresses.length > 0) out.PeerServerAddresses = p.PeerServerAddresses;
    const imported = Object.entries(this.o.catalog.importedServiceMap(p.Name)).filter(([, l]) => l.length > 0).map(([n]) => n);
    const exported = p.State === 'DELETING' || p.State === 'TERMINATED' ? [] : Object.entries(exportsFor(this.o.catalog, p.Name, this.o.datacenter).value).filter(([, l]) => l.length > 0).map(([n]) => n);
    out.StreamStatus = {
      ImportedServices: imported.length > 0 ? imported.sort() : null,
      ExportedServices: exported.length > 0 ? exported.sort() : null,
      LastHeartbeat: time(s?.lastHeartbeatMs),
      LastReceive: time(s?.lastReceiveMs),
      LastSend: time(s?.lastSendMs),
    };
    out.CreateIndex = p.CreateIndex;
    out.ModifyIndex = p.ModifyIndex;
    out.Remote = { Partition: '', Datacenter: p.RemoteDatacenter };
    return out;
  }

  // ------------------------------------------------------------------ the accepting side

  /** ExchangeSecret: the token's establishment secret for a stream secret (once). */
  async exchangeSecret(body: Obj): Promise<{ StreamSecret: string }> {
    const p = this.o.catalog.peering(str(body.PeerID), true);
    if (!p || shouldDial(p)) throw new Error(PEERING_NOT_FOUND);
    if (!secretMatches(p.EstablishmentSecret, str(body.EstablishmentSecret))) throw new Error('invalid peering establishment secret');
    const StreamSecret = randomUUID();
    await this.#write({ ...strip(p), EstablishmentSecret: '', StreamSecret, State: p.State === 'TERMINATED' ? 'PENDING' : p.State });
    this.tracker.forget(p.ID);
    return { StreamSecret };
  }

  /** The accepting peering a stream call is for, once its secret checks out. */
  #authorize(body: Obj): PeeringRecord {
    const p = this.o.catalog.peering(str(body.PeerID), true);
    if (!p || shouldDial(p) || p.State === 'DELETING' || p.State === 'TERMINATED') throw new Error(PEERING_NOT_FOUND);
    if (!secretMatches(p.StreamSecret, str(body.StreamSecret))) throw new Error('invalid peering stream secret');
    return p;
  }

  /** Learns the peer's datacenter from its calls (Consul: the stream's Open message). */
  async #noteRemote(p: PeeringRecord, body: Obj): Promise<void> {
    const dc = str(body.Datacenter);
    if (dc !== '' && dc !== p.RemoteDatacenter) await this.#write({ ...strip(p), RemoteDatacenter: dc });
  }

  /** PeerStream.Pull: what this cluster exports to the peer, once changed past `Index` or after the wait. */
  async pull(body: Obj): Promise<{ Index: number; Services: ImportedServices; Datacenter: string }> {
    const p = this.#authorize(body);
    this.tracker.received(p.ID);
    await this.#noteRemote(p, body);
    const wait = AbortSignal.timeout(PULL_WAIT_MS);
    const since = typeof body.Index === 'number' ? body.Index : 0;
    const r = await this.o.catalog.blockingQuery(() => exportsFor(this.o.catalog, p.Name, this.o.datacenter), since, wait);
    this.#authorize(body);
    this.tracker.sent(p.ID);
    return { Index: r.index, Services: r.value, Datacenter: this.o.datacenter };
  }

  /** PeerStream.Push: the peer's exports (stored as imports when they changed); also its heartbeat. */
  async push(body: Obj): Promise<{ Datacenter: string }> {
    const p = this.#authorize(body);
    this.tracker.received(p.ID, true);
    await this.#noteRemote(p, body);
    await importIfChanged(this.o.catalog, this.o.applier, p, body.Services);
    return { Datacenter: this.o.datacenter };
  }

  /** PeerStream.Terminate: the dialer deleted the peering; this side keeps it as TERMINATED, without imports. */
  async terminate(body: Obj): Promise<Record<string, never>> {
    const p = this.#authorize(body);
    await this.#write({ ...strip(p), State: 'TERMINATED', StreamSecret: '' });
    await importIfChanged(this.o.catalog, this.o.applier, p, {});
    this.tracker.forget(p.ID);
    return {};
  }
}

function newPeering(id: string, name: string, meta: Record<string, string> | undefined): Omit<PeeringRecord, 'CreateIndex' | 'ModifyIndex'> {
  return {
    ID: id, Name: name, Meta: meta ?? null, State: 'PENDING', PeerID: '', PeerCAPems: [], PeerServerName: '', PeerServerAddresses: [],
    DeletedAt: '', RemoteDatacenter: '', EstablishmentSecret: '', StreamSecret: '',
  };
}

/** A record without its indexes, for a write. */
export function strip(p: Omit<PeeringRecord, 'CreateIndex' | 'ModifyIndex'> & Partial<PeeringRecord>): Omit<PeeringRecord, 'CreateIndex' | 'ModifyIndex'> {
  const { CreateIndex: _c, ModifyIndex: _m, ...rest } = p;
  return rest;
}

/**
 * Comparable form of imports: without the indexes either side stamped on them, nor the
 * `consul-virtual` address this cluster gave an imported instance (the peer never sends one).
 */
function unstamped(services: ImportedServices): string {
  return JSON.stringify(services, (k, v: unknown) => {
    if (k === 'CreateIndex' || k === 'ModifyIndex') return undefined;
    if (k !== 'TaggedAddresses' || typeof v !== 'object' || v === null || !(TAGGED_ADDRESS_VIRTUAL_IP in v)) return v;
    const { [TAGGED_ADDRESS_VIRTUAL_IP]: _vip, ...rest } = v as Record<string, unknown>;
    return Object.keys(rest).length > 0 ? rest : null;
  });
}

/** Proposes a PeeringImport when what the peer sent differs from what is stored. */
export async function importIfChanged(catalog: Catalog, applier: Applier<Command, ApplyResult>, p: PeeringRecord, services: unknown): Promise<void> {
  if (typeof services !== 'object' || services === null || Array.isArray(services)) throw new Error('invalid exported services');
  const next = services as ImportedServices;
  if (unstamped(catalog.importedServiceMap(p.Name)) === unstamped(next)) return;
  const r = await applier.apply({ Type: 'PeeringImport', ID: p.ID, Services: next });
  if (!r.ok) throw new Error(r.error ?? 'import failed');
}

