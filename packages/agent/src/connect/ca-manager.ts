/**
 * The leader's Connect CA duties (Consul's CAManager, agent/consul/leader_connect_ca.go, with the
 * built-in provider): initialize the CA when leadership is established and there is no active
 * root, replace the configuration (rotating the root when the key or root changes, the new root
 * cross-signed by the old key), and sign leaf certificates (AuthorizeAndSignCertificate). In a
 * secondary datacenter it trusts the primary's roots and signs with an intermediate the primary
 * signed (secondary-ca.ts), watching the primary's roots for a rotation; in the primary it signs
 * those intermediates (SignIntermediate). Every
 * key, certificate, cluster ID and time is made here on the leader and committed through Raft
 * in one `ConnectCA` command, so followers and restarts reuse exactly what was committed.
 */
import { randomUUID } from 'node:crypto';
import type { LeafCert } from '@proconsul/api';
import type { ApplyResult, CAConfigRecord, CARootRecord, Catalog, Command } from '@proconsul/catalog';
import type { Applier } from '../apply/applier.js';
import type { Logger } from '../log.js';
import { HttpError } from '../http/http-error.js';
import { newKey, parseCsr } from '@proconsul/x509';
import { CAConfigError, parseConsulCAConfig, type ConsulCAProviderConfig } from './ca-config.js';
import { certInfo, crossSign, generateRoot, providerId, signIntermediate, signingUri, signLeaf } from './ca-provider.js';
import { goTime } from '../go-time.js';
import { pause } from '../replication-rounds.js';
import { CONNECT_NOT_ENABLED } from './config.js';
import { CsrLimiter } from './csr-limit.js';
import {
  intermediateCsr,
  intermediateDue,
  primaryActiveRoot,
  secondaryInStep,
  secondaryProviderId,
  secondaryUpdate,
  validateIntermediate,
  type PrimaryDatacenterCA,
  type PrimaryRoots,
} from './secondary-ca.js';
import { agentUri, CertUriError, parseCertUri, parseServiceUri, serialHex, trustDomain, type CertUri } from './spiffe.js';

/** ErrConnectNotEnabled (agent/consul/connect_ca_endpoint.go), answered with a 500. */
/** ErrStateReadOnly as the HTTP handler rewrites it (agent/connect_ca_endpoint.go): a 400. */
export const STATE_READ_ONLY = 'Provider State is read-only. It must be omitted or identical to the current value';
/** How long a failed initialization waits before the next try while still leading. */
const INIT_RETRY_MS = 5_000;
/** ErrNotPrimaryDatacenter (agent/consul/connect_ca_endpoint.go). */
export const NOT_PRIMARY_DATACENTER = 'not the primary datacenter';
/** How long one blocking query on the primary's roots waits (Consul: MaxQueryTime). */
const PRIMARY_ROOTS_WAIT_MS = 60_000;
/** retryLoopBackoff of the roots watch: 1, 2, 4 ... 64 s. */
const WATCH_BACKOFF_MAX_MS = 64_000;

/**
 * structs.IssuedCert as the Sign RPC answers it (api.LeafCert; the agent adds PrivateKeyPEM): a
 * service's names its Service and ServiceURI, an agent's its Agent and AgentURI.
 */
export type IssuedCert = Omit<LeafCert, 'PrivateKeyPEM' | 'Service' | 'ServiceURI'> & { Service?: string; ServiceURI?: string; Agent?: string; AgentURI?: string; PrivateKeyPEM?: string };

/** The body of PUT /v1/connect/ca/configuration (structs.CAConfiguration as decoded). */
export interface CAConfigInput {
  Provider: string;
  Config: Record<string, unknown>;
  State?: Record<string, string> | null;
  ForceWithoutCrossSigning?: boolean;
}

export interface ConnectCAManagerOptions {
  catalog: Catalog;
  applier: Applier<Command, ApplyResult>;
  enabled: boolean;
  datacenter: string;
  primaryDatacenter: string;
  /** The configuration a new cluster's CA starts with (the agent config's connect block). */
  initialConfig: Record<string, unknown>;
  /** A secondary datacenter's way to the primary's CA (agent.ts: over the WAN). */
  primary?: PrimaryDatacenterCA;
  logger: Logger;
  now: () => number;
}


const ensureNewline = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);

/** Consul's newCARoot: the CARoot of a root certificate. */
export function newCARoot(pem: string, clusterId: string): Omit<CARootRecord, 'CreateIndex' | 'ModifyIndex'> {
  const info = certInfo(pem);
  return {
    ID: info.id,
    Name: 'Consul CA Primary Cert',
    SerialNumber: Number(info.serial),
    SigningKeyID: info.subjectKeyId,
    ExternalTrustDomain: clusterId,
    NotBefore: goTime(info.notBefore.getTime()),
    NotAfter: goTime(info.notAfter.getTime()),
    RootCert: ensureNewline(pem),
    IntermediateCerts: null,
    Active: true,
    RotatedOutAt: '',
    PrivateKeyType: info.keyType,
    PrivateKeyBits: info.keyBits,
  };
}

const sortedKeys = (o: Record<string, unknown>): string => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));

export class ConnectCAManager {
  #leading = false;
  #retry: NodeJS.Timeout | undefined;
  /** Initialization and reconfiguration run one at a time (Consul's CA state lock). */
  #lock: Promise<unknown> = Promise.resolve();
  /** The secondary's roots watch (secondaryCARootWatch), while leading. */
  #watch: AbortController | undefined;
  /** The primary's roots last seen (Consul's c.primaryRoots). */
  #primaryRoots: PrimaryRoots | undefined;

  readonly #csrLimiter = new CsrLimiter(() => this.o.now());

  constructor(private readonly o: ConnectCAManagerOptions) {}

  get enabled(): boolean {
    return this.o.enabled;
  }

  /** On establishing leadership: initialize now, retrying in the background on failure. */
  start(): void {
    if (!this.o.enabled) return;
    this.#leading = true;
    const attempt = (): void => {
      this.#exclusive(() => this.initialize()).then(() => this.#leading && !this.#isPrimary && this.#startRootsWatch(), (err: Error) => {
        this.o.logger.error({ err: err.message }, 'Failed to initialize Connect CA');
        if (!this.#leading) return;
        this.#retry = setTimeout(attempt, INIT_RETRY_MS);
        this.#retry.unref();
      });
    };
    attempt();
  }

  stop(): void {
    this.#leading = false;
    clearTimeout(this.#retry);
    this.#watch?.abort();
    this.#watch = undefined;
    this.#primaryRoots = undefined;
  }

  get #isPrimary(): boolean {
    return this.o.primaryDatacenter === '' || this.o.datacenter === this.o.primaryDatacenter;
  }

  /**
   * secondaryCARootWatch: a blocking query on the primary's roots; each answer (and each wait
   * that ends without one) runs the secondary's check, which asks for a new intermediate when the
   * primary's active root changed or the intermediate is past half its life (RenewIntermediate).
   */
  #startRootsWatch(): void {
    if (this.#watch || !this.o.primary) return;
    const watch = (this.#watch = new AbortController());
    const primary = this.o.primary;
    void (async () => {
      let index = 0;
      let failures = 0;
      while (!watch.signal.aborted) {
        try {
          const roots = await primary.roots(index, PRIMARY_ROOTS_WAIT_MS);
          if (watch.signal.aborted) return;
          await this.#exclusive(() => this.#secondaryInitialize(roots));
          const previous = index;
          index = roots.index < index ? 0 : roots.index;
          failures = 0;
          // An answer that did not block (no index, or one that did not move): not at once again.
          if (index <= previous) await pause(1000, watch.signal);
        } catch (err) {
          if (watch.signal.aborted) return;
          index = 0;
          this.o.logger.error({ routine: 'CA root replication', error: (err as Error).message }, 'CA root replication failed, will retry');
          await pause(Math.min(WATCH_BACKOFF_MAX_MS, 1000 * 2 ** failures++), watch.signal);
        }
      }
    })();
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Consul's Initialize / primaryInitialize for the built-in provider. */
  async initialize(): Promise<void> {
    if (!this.#isPrimary) {
      if (!this.o.primary) throw new Error('no route to the primary datacenter');
      await this.#secondaryInitialize(await this.o.primary.roots(0, 0));
      this.o.logger.info({ provider: 'consul' }, 'initialized secondary datacenter CA with provider');
      return;
    }
    const ca = this.o.catalog.connectCA;
    const stored = ca.config;
    const conf: Omit<CAConfigRecord, 'CreateIndex' | 'ModifyIndex'> = stored
      ? { ClusterID: stored.ClusterID, Provider: stored.Provider, Config: stored.Config, State: stored.State, ForceWithoutCrossSigning: stored.ForceWithoutCrossSigning }
      : { ClusterID: randomUUID(), Provider: 'consul', Config: this.o.initialConfig, State: null, ForceWithoutCrossSigning: false };
    const active = ca.activeRoot();
    if (active) {
      this.o.logger.info({ provider: conf.Provider }, 'initialized primary datacenter CA from existing CARoot with provider');
      return;
    }
    const pc = parseConsulCAConfig(conf.Config);
    const { state, root } = this.#providerRoot(pc, conf.ClusterID);
    const r = await this.o.applier.apply({
      Type: 'ConnectCA',
      Op: 'set-roots-config',
      Index: ca.rootsIndex,
      Config: conf,
      Roots: [...this.#deactivated(), root],
      ProviderState: state,
    });
    if (!r.ok) throw new Error(r.error);
    if (r.value === false) throw new Error('could not atomically update roots and config');
    this.o.logger.info({ provider: conf.Provider }, 'initialized primary datacenter CA with provider');
  }

  /** The provider's key and root for a config: the stored ones for its ID, else new ones. */
  #providerRoot(pc: ConsulCAProviderConfig, clusterId: string) {
    const id = providerId(pc.privateKey, pc.rootCert, pc.privateKeyType, pc.privateKeyBits);
    const existing = this.o.catalog.connectCA.providerStates.get(id);
    if (existing && existing.RootCert !== '') {
      return { state: { ID: id, PrivateKey: existing.PrivateKey, RootCert: existing.RootCert, IntermediateCert: '' }, root: newCARoot(existing.RootCert, clusterId) };
    }
    const privateKey = pc.privateKey !== '' ? pc.privateKey : newKey(pc.privateKeyType, pc.privateKeyBits).pem;
    // The serial: the next log index, as Consul's provider used its state index + 1.
    const rootCert =
      pc.rootCert !== ''
        ? pc.rootCert
        : generateRoot({ privateKeyPem: privateKey, clusterId, serial: BigInt(this.o.catalog.lastIndex + 1), nowMs: this.o.now(), ttlMs: pc.rootCertTtlMs });
    return { state: { ID: id, PrivateKey: privateKey, RootCert: ensureNewline(rootCert), IntermediateCert: '' }, root: newCARoot(rootCert, clusterId) };
  }

  /** The stored roots with the active one rotated out now. */
  #deactivated(): Omit<CARootRecord, 'CreateIndex' | 'ModifyIndex'>[] {
    const now = goTime(this.o.now());
    return this.o.catalog.connectCA.rootList().map(({ CreateIndex: _c, ModifyIndex: _m, ...r }) => (r.Active ? { ...r, Active: false, RotatedOutAt: now } : r));
  }

  /** The key of the root provider whose root is `rootPem` (undefined if none is stored). */
  #keyOf(rootPem: string): string | undefined {
    for (const s of this.o.catalog.connectCA.providerStates.values()) if (s.RootCert === rootPem && s.IntermediateCert === '') return s.PrivateKey;
    return undefined;
  }

  /**
   * What signs leaves under the active root (ActiveLeafSigningCert): in a secondary the
   * intermediate the active root carries, with its key; in the primary the root and its key.
   */
  #leafSigner(active: CARootRecord): { certPem: string; keyPem: string } | undefined {
    if (!this.#isPrimary) {
      const chain = active.IntermediateCerts ?? [];
      for (const s of this.o.catalog.connectCA.providerStates.values()) if (s.IntermediateCert !== '' && chain.includes(s.IntermediateCert)) return { certPem: s.IntermediateCert, keyPem: s.PrivateKey };
      return undefined;
    }
    const key = this.#keyOf(active.RootCert);
    return key === undefined ? undefined : { certPem: active.RootCert, keyPem: key };
  }

  /**
   * secondaryInitialize / secondaryUpdateRoots / secondaryInitializeIntermediateCA: in step with
   * the primary's active root, or a new intermediate signed by the primary and the roots and
   * config written with it. `newConfig`: UpdateConfiguration in a secondary.
   */
  async #secondaryInitialize(roots: PrimaryRoots, newConfig?: Omit<CAConfigRecord, 'CreateIndex' | 'ModifyIndex'>): Promise<void> {
    const primary = this.o.primary;
    if (!primary) throw new Error('no route to the primary datacenter');
    this.#primaryRoots = roots;
    const primaryActive = primaryActiveRoot(roots);
    const ca = this.o.catalog.connectCA;
    const clusterId = roots.TrustDomain.split('.')[0]!;
    const stored = ca.config;
    const conf = newConfig ?? (stored
      ? { ClusterID: stored.ClusterID, Provider: stored.Provider, Config: stored.Config, State: stored.State, ForceWithoutCrossSigning: stored.ForceWithoutCrossSigning }
      : { ClusterID: clusterId, Provider: 'consul', Config: this.o.initialConfig, State: null, ForceWithoutCrossSigning: false });
    const provider = secondaryProviderId(conf.Config);
    const state = ca.providerStates.get(provider);
    const due = state !== undefined && state.IntermediateCert !== '' && intermediateDue(state.IntermediateCert, this.o.now());
    if (!due && secondaryInStep(ca, provider, primaryActive)) {
      // persistNewRootAndConfig without a new root: only a changed config is written.
      if (newConfig && stored && !(newConfig.Provider === stored.Provider && sortedKeys(newConfig.Config) === sortedKeys(stored.Config))) {
        const r = await this.o.applier.apply({ Type: 'ConnectCA', Op: 'set-config', Config: { ...newConfig, ClusterID: stored.ClusterID } });
        if (!r.ok) throw new Error(r.error);
      }
      return;
    }
    const { keyPem, csrPem } = intermediateCsr(conf.Config, clusterId);
    let pem: string;
    try {
      pem = await primary.signIntermediate(csrPem);
    } catch (err) {
      // Consul logs this and goes on without an intermediate; here the next round tries again.
      this.o.logger.warn({ error: (err as Error).message }, 'Primary datacenter refused to sign our intermediate CA certificate');
      throw err;
    }
    try {
      validateIntermediate(pem, primaryActive.RootCert, keyPem, clusterId);
    } catch (err) {
      throw new Error(`Failed to set the intermediate certificate with the CA provider: ${(err as Error).message}`);
    }
    this.o.logger.info('received new intermediate certificate from primary datacenter');
    const u = secondaryUpdate({ ca, primaryActive, config: conf, provider, keyPem, intermediatePem: pem, nowMs: this.o.now() });
    const r = await this.o.applier.apply({ Type: 'ConnectCA', Op: 'set-roots-config', ...u });
    if (!r.ok) throw new Error(r.error);
    if (r.value === false) throw new Error('could not atomically update roots and config');
    this.o.logger.info('updated root certificates from primary datacenter');
  }

  /**
   * ConnectCA.SignIntermediate on the primary's leader: a secondary's CA CSR signed by the active
   * root's key (ConsulProvider.SignIntermediate, validateSignIntermediate). `authorize` throws the
   * ACL denial (operator:write). Texts are Consul's.
   */
  async signIntermediate(csrPem: string, authorize: () => Promise<void>): Promise<string> {
    if (!this.#isPrimary) throw new Error(NOT_PRIMARY_DATACENTER);
    await authorize();
    const ca = this.o.catalog.connectCA;
    const active = ca.activeRoot();
    const conf = ca.config;
    const key = active ? this.#keyOf(active.RootCert) : undefined;
    if (!active || !conf || key === undefined) throw new Error('internal error: CA provider is nil');
    const csr = parseCsr(csrPem);
    if (csr.uris.length > 0) {
      if (csr.uris.length !== 1) throw new Error(`incoming CSR has unexpected number of URIs: ${csr.uris.length}`);
      let id;
      try {
        id = parseCertUri(csr.uris[0]!);
      } catch (err) {
        if (err instanceof CertUriError) throw new Error(err.message);
        throw err;
      }
      const ours = signingUri(conf.ClusterID);
      if ((id.kind !== 'signing' && id.kind !== 'service') || id.host.toLowerCase() !== trustDomain(conf.ClusterID)) {
        throw new Error(`incoming CSR domain ${JSON.stringify(csr.uris[0])} is not valid for our domain ${JSON.stringify(ours)}`);
      }
    }
    const pc = parseConsulCAConfig(conf.Config);
    // incrementAndGetNextSerialNumber: a log index is the serial.
    const { result, index } = await this.o.applier.applyIndexed({ Type: 'ConnectCA', Op: 'leaf-increment-index' });
    if (!result.ok) throw new Error(result.error);
    return signIntermediate({ caCertPem: active.RootCert, caKeyPem: key, spki: csr.spki, uris: csr.uris, serial: BigInt(index), nowMs: this.o.now(), ttlMs: pc.intermediateCertTtlMs });
  }

  /** Consul's UpdateConfiguration + primaryUpdateRootCA (PUT /v1/connect/ca/configuration). */
  updateConfiguration(args: CAConfigInput): Promise<void> {
    return this.#exclusive(async () => {
      const ca = this.o.catalog.connectCA;
      const stored = ca.config;
      if (!stored) throw new HttpError(500, 'local CA not initialized yet');
      if (args.State && Object.keys(args.State).length > 0 && JSON.stringify(args.State) !== JSON.stringify(stored.State ?? {})) throw new HttpError(400, STATE_READ_ONLY);
      if (args.Provider === stored.Provider && sortedKeys(args.Config) === sortedKeys(stored.Config)) return;
      if (args.Provider !== 'consul') {
        const known = ['vault', 'aws-pca'].includes(args.Provider);
        throw new HttpError(500, known ? `could not initialize provider: the ${JSON.stringify(args.Provider)} CA provider is not supported by this agent` : `could not initialize provider: unknown CA provider ${JSON.stringify(args.Provider)}`);
      }
      let pc: ConsulCAProviderConfig;
      try {
        pc = parseConsulCAConfig(args.Config);
      } catch (err) {
        // Consul answers its "error configuring provider" with a 500; a client's bad configuration is a 400 here.
        if (err instanceof CAConfigError) throw new HttpError(400, `error configuring provider: ${err.message}`);
        throw err;
      }
      const conf = { ClusterID: stored.ClusterID, Provider: 'consul', Config: args.Config, State: null, ForceWithoutCrossSigning: args.ForceWithoutCrossSigning === true };
      if (!this.#isPrimary) {
        // A secondary only checks whether its intermediate must be made again (UpdateConfiguration).
        try {
          await this.#secondaryInitialize(this.#primaryRoots ?? { index: 0, ActiveRootID: '', TrustDomain: trustDomain(stored.ClusterID), Roots: [] }, conf);
        } catch (err) {
          throw new HttpError(500, `Error updating secondary datacenter CA config: ${(err as Error).message}`);
        }
        this.o.logger.info('Secondary CA provider config updated');
        return;
      }
      const { state, root } = this.#providerRoot(pc, stored.ClusterID);
      const active = ca.activeRoot();
      if (active && active.ID === root.ID) {
        const r = await this.o.applier.apply({ Type: 'ConnectCA', Op: 'set-config', Config: conf });
        if (!r.ok) throw new Error(r.error);
        this.o.logger.info('CA provider config updated');
        return;
      }
      // A new root: the old key cross-signs it, so leaves under the old root still verify while
      // the new root propagates (primaryUpdateRootCA, CrossSignCA).
      const oldKey = active ? this.#keyOf(active.RootCert) : undefined;
      if (active && oldKey && !conf.ForceWithoutCrossSigning) {
        const xc = crossSign(state.RootCert, active.RootCert, oldKey, BigInt(this.o.catalog.lastIndex + 2), this.o.now());
        root.IntermediateCerts = [xc];
      }
      const r = await this.o.applier.apply({ Type: 'ConnectCA', Op: 'set-roots-config', Index: ca.rootsIndex, Config: conf, Roots: [...this.#deactivated(), root], ProviderState: state });
      if (!r.ok) throw new Error(r.error);
      if (r.value === false) throw new Error('could not atomically update roots and config');
      this.o.logger.info({ provider: conf.Provider }, 'CA rotated to new root under provider');
    });
  }

  /**
   * AuthorizeAndSignCertificate + SignCertificate for a service or agent CSR. `authorize` throws
   * the ACL denial (service:write on a service, node:write on an agent). Texts are Consul's
   * (agent/consul/leader_connect_ca.go); a failure is a 500 as Consul's RPC error.
   */
  async sign(csrPem: string, authorize: (resource: 'service' | 'node', name: string) => Promise<void>): Promise<IssuedCert> {
    let csr;
    try {
      csr = parseCsr(csrPem);
    } catch (err) {
      throw new HttpError(500, (err as Error).message);
    }
    if (csr.uris.length !== 1) throw new HttpError(500, `CSR SAN contains an invalid number of URIs: ${csr.uris.length}`);
    if (csr.emailAddresses.length > 0) throw new HttpError(500, 'CSR SAN does not allow specifying email addresses');
    let id: CertUri;
    try {
      id = parseCertUri(csr.uris[0]!);
    } catch (err) {
      if (err instanceof CertUriError) throw new HttpError(500, err.message);
      throw err;
    }
    if (id.kind === 'service') {
      await authorize('service', id.service);
      if (id.datacenter !== this.o.datacenter) throw new HttpError(500, `SPIFFE ID in CSR from a different datacenter: ${id.datacenter}, we are ${this.o.datacenter}`);
    } else if (id.kind === 'agent') {
      await authorize('node', id.agent);
    } else {
      throw new HttpError(500, 'SPIFFE ID in CSR must be a service, mesh-gateway, or agent ID');
    }
    const ca = this.o.catalog.connectCA;
    const active = ca.activeRoot();
    const conf = ca.config;
    const signer = active ? this.#leafSigner(active) : undefined;
    if (!active || !conf || !signer) throw new HttpError(500, 'CA is uninitialized and unable to sign certificates yet: no root certificate');
    const trust = trustDomain(conf.ClusterID);
    // An agent's CSR is made before it knows the roots (auto_encrypt sends the host "unknown"):
    // the trust domain is fixed here rather than checked, as Consul's SignCertificate does.
    const uris = id.kind === 'agent' ? [agentUri(trust, id.datacenter, id.agent)] : csr.uris;
    if (id.kind === 'service' && id.host.toLowerCase() !== trust) throw new HttpError(500, `SPIFFE ID in CSR from a different trust domain: ${id.host}, we are ${trust}`);
    if (Date.parse(active.NotAfter) < this.o.now()) throw new HttpError(500, `root expired: certificate expired, expiration date: ${active.NotAfter}`);
    if (signer.certPem !== active.RootCert) {
      const inter = certInfo(signer.certPem);
      if (inter.notAfter.getTime() < this.o.now()) throw new HttpError(500, `intermediate expired: certificate expired, expiration date: ${goTime(inter.notAfter.getTime())}`);
    }
    const pc = parseConsulCAConfig(conf.Config);
    // SignCertificate's CSRMaxPerSecond / CSRMaxConcurrent, just before the signing itself.
    return this.#csrLimiter.run(pc, async () => {
      // Consul's ApplyCALeafRequest: the log index is the leaf's serial and its Create/ModifyIndex.
      const { result, index } = await this.o.applier.applyIndexed({ Type: 'ConnectCA', Op: 'leaf-increment-index' });
      if (!result.ok) throw new Error(result.error);
      let pem = signLeaf({ caCertPem: signer.certPem, caKeyPem: signer.keyPem, spki: csr.spki, uris, dnsNames: csr.dnsNames, ipAddresses: csr.ipAddresses, serial: BigInt(index), nowMs: this.o.now(), ttlMs: pc.leafCertTtlMs });
      // The active root's intermediates: in a secondary, its own intermediate is among them (once:
      // Consul appends it a second time, its issue 7018).
      for (const p of active.IntermediateCerts ?? []) pem += ensureNewline(p);
      const info = certInfo(pem);
      const who = id.kind === 'agent' ? { Agent: id.agent, AgentURI: info.uris[0] ?? uris[0]! } : { Service: id.service, ServiceURI: info.uris[0] ?? uris[0]! };
      return {
        SerialNumber: serialHex(info.serial),
        CertPEM: pem,
        ...who,
        ValidAfter: goTime(info.notBefore.getTime()),
        ValidBefore: goTime(info.notAfter.getTime()),
        CreateIndex: index,
        ModifyIndex: index,
      };
    });
  }
}
