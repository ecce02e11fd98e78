// The Connect CA's replicated state (Consul's connect-ca-config, connect-ca-roots,
// connect-ca-builtin and connect-ca-leaf tables, agent/consul/state/connect_ca.go): the CA
// configuration, the trusted roots (one active), and the built-in provider's state (its private
// key and root, kept in the log as Consul's built-in provider keeps it). Keys, certificates,
// the cluster ID and every time are chosen by the leader and travel in the command.
import type { ApplyResult } from './commands.js';
import { isObj } from './shape-check.js';
import { byString, fail, ok } from './util.js';

/** structs.CAConfiguration (ClusterID is kept here, never shown by the HTTP API). */
export interface CAConfigRecord {
  ClusterID: string;
  Provider: string;
  Config: Record<string, unknown>;
  State: Record<string, string> | null;
  ForceWithoutCrossSigning: boolean;
  CreateIndex: number;
  ModifyIndex: number;
}

/** structs.CARoot. Times are RFC 3339 strings as Consul's JSON carries them. */
export interface CARootRecord {
  ID: string;
  Name: string;
  SerialNumber: number;
  SigningKeyID: string;
  ExternalTrustDomain: string;
  NotBefore: string;
  NotAfter: string;
  RootCert: string;
  IntermediateCerts: string[] | null;
  Active: boolean;
  /** RFC 3339, '' while active (json:"-" in Consul). */
  RotatedOutAt: string;
  PrivateKeyType: string;
  PrivateKeyBits: number;
  CreateIndex: number;
  ModifyIndex: number;
}

/** structs.CAConsulProviderState: the built-in provider's key and root, by provider ID. */
export interface CAProviderStateRecord {
  ID: string;
  PrivateKey: string;
  RootCert: string;
  IntermediateCert: string;
  CreateIndex: number;
  ModifyIndex: number;
}

type NoIndex<T> = Omit<T, 'CreateIndex' | 'ModifyIndex'>;

/**
 * Consul's CARequest ops (structs.CAOp). `set-roots-config` replaces the roots and the config
 * (check-and-set on the roots table index, as Consul's CASetRootsAndConfig) and, here, also
 * writes the built-in provider's state in the same entry, so a root never exists without its key.
 * `leaf-increment-index` is Consul's ConnectCALeafRequestType: a signed leaf's serial and index.
 */
export type ConnectCAOp = 'set-config' | 'set-roots-config' | 'leaf-increment-index';

export interface ConnectCACommand {
  Type: 'ConnectCA';
  Op: ConnectCAOp;
  Config?: NoIndex<CAConfigRecord>;
  Roots?: NoIndex<CARootRecord>[];
  ProviderState?: NoIndex<CAProviderStateRecord>;
  /** set-roots-config: the roots table index the leader read (0: none yet). */
  Index?: number;
}

export interface ConnectCASnapshot {
  Config: CAConfigRecord | null;
  Roots: CARootRecord[];
  ProviderStates: CAProviderStateRecord[];
  RootsIndex: number;
  LeafIndex: number;
}

/** The watch key of the CA tables (roots, config and provider state move together). */
export const CONNECT_CA_WATCH_KEY = 'connect-ca';
/** Bound on the roots kept (Consul keeps rotated-out roots until pruned). */
export const CA_ROOTS_MAX = 64;

export class ConnectCAStore {
  config: CAConfigRecord | null = null;
  readonly roots = new Map<string, CARootRecord>();
  readonly providerStates = new Map<string, CAProviderStateRecord>();
  rootsIndex = 0;
  configIndex = 0;
  leafIndex = 0;

  clear(): void {
    this.config = null;
    this.roots.clear();
    this.providerStates.clear();
    this.rootsIndex = 0;
    this.configIndex = 0;
    this.leafIndex = 0;
  }

  /** Roots in ID order, as Consul's memdb id index lists them. */
  rootList(): CARootRecord[] {
    return [...this.roots.values()].sort((a, b) => byString(a.ID, b.ID));
  }

  activeRoot(): CARootRecord | undefined {
    for (const r of this.roots.values()) if (r.Active) return r;
    return undefined;
  }

  /**
   * The index of a roots and config read (Consul's agent/consul/state/connect_ca.go
   * CARootsAndConfig: the higher of the roots and config tables). A signed leaf moves only its
   * own index, so it neither moves the roots' X-Consul-Index nor wakes their blocking reads.
   */
  get index(): number {
    return Math.max(this.rootsIndex, this.configIndex);
  }

  apply(idx: number, c: ConnectCACommand): ApplyResult {
    switch (c.Op) {
      case 'set-config':
        if (!validConfig(c.Config)) return fail('Invalid CA configuration');
        this.setConfig(idx, c.Config);
        return ok();
      case 'set-roots-config': {
        if (!validConfig(c.Config)) return fail('Invalid CA configuration');
        if (!Array.isArray(c.Roots) || c.Roots.length > CA_ROOTS_MAX || !c.Roots.every(validRoot)) return fail('Invalid CA roots');
        if (c.Roots.filter((r) => r.Active).length !== 1) return fail('exactly one active root required');
        if (c.ProviderState !== undefined && !validProviderState(c.ProviderState)) return fail('Invalid CA provider state');
        // Consul's CASetRootsAndConfig: a CAS on the roots index; a stale leader's write loses.
        if ((c.Index ?? 0) !== this.rootsIndex) return ok(false);
        const old = new Map(this.roots);
        this.roots.clear();
        for (const r of c.Roots) {
          const prev = old.get(r.ID);
          this.roots.set(r.ID, { ...r, IntermediateCerts: r.IntermediateCerts ? [...r.IntermediateCerts] : null, CreateIndex: prev?.CreateIndex ?? idx, ModifyIndex: idx });
        }
        this.rootsIndex = idx;
        this.setConfig(idx, c.Config);
        if (c.ProviderState) {
          const prev = this.providerStates.get(c.ProviderState.ID);
          this.providerStates.set(c.ProviderState.ID, { ...c.ProviderState, CreateIndex: prev?.CreateIndex ?? idx, ModifyIndex: idx });
        }
        return ok(true);
      }
      case 'leaf-increment-index':
        this.leafIndex = idx;
        return ok();
      default:
        return fail(`Invalid CA operation ${JSON.stringify((c as { Op?: unknown }).Op)}`);
    }
  }

  private setConfig(idx: number, cfg: NoIndex<CAConfigRecord>): void {
    this.config = {
      ClusterID: cfg.ClusterID,
      Provider: cfg.Provider,
      Config: structuredClone(cfg.Config),
      State: cfg.State ? { ...cfg.State } : null,
      ForceWithoutCrossSigning: cfg.ForceWithoutCrossSigning === true,
      CreateIndex: this.config?.CreateIndex ?? idx,
      ModifyIndex: idx,
    };
    this.configIndex = idx;
  }

  snapshot(): ConnectCASnapshot {
    return structuredClone({
      Config: this.config,
      Roots: this.rootList(),
      ProviderStates: [...this.providerStates.values()].sort((a, b) => byString(a.ID, b.ID)),
      RootsIndex: this.rootsIndex,
      LeafIndex: this.leafIndex,
    });
  }

  /** Restores a snapshot's CA tables; absent (a snapshot from before them): empty. */
  restore(s: ConnectCASnapshot | undefined): void {
    this.clear();
    if (!s) return;
    this.config = s.Config ? structuredClone(s.Config) : null;
    this.configIndex = s.Config?.ModifyIndex ?? 0;
    for (const r of s.Roots ?? []) this.roots.set(r.ID, structuredClone(r));
    for (const p of s.ProviderStates ?? []) this.providerStates.set(p.ID, { ...p });
    this.rootsIndex = s.RootsIndex ?? 0;
    this.leafIndex = s.LeafIndex ?? 0;
  }
}

const isStr = (v: unknown): v is string => typeof v === 'string';

function validConfig(c: unknown): c is NoIndex<CAConfigRecord> {
  return isObj(c) && isStr(c.ClusterID) && isStr(c.Provider) && isObj(c.Config);
}

function validRoot(r: unknown): r is NoIndex<CARootRecord> {
  return isObj(r) && isStr(r.ID) && isStr(r.RootCert) && typeof r.Active === 'boolean' && typeof r.SerialNumber === 'number';
}

function validProviderState(p: unknown): p is NoIndex<CAProviderStateRecord> {
  return isObj(p) && isStr(p.ID) && isStr(p.PrivateKey) && isStr(p.RootCert);
}
