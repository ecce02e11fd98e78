/**
 * A secondary datacenter's CA (Consul's agent/consul/leader_connect_ca.go secondaryInitialize,
 * secondaryInitializeIntermediateCA, secondaryRenewIntermediate, persistNewRootAndConfig, and
 * the built-in provider's GenerateIntermediateCSR / SetIntermediate in ca/provider_consul.go):
 * the secondary trusts the primary's roots (same IDs, same trust domain) and signs its leaves
 * with an intermediate of its own, whose key it makes here and whose certificate the primary's
 * root signs (`ConnectCA.SignIntermediate`). Its active root is the primary's active root with
 * that intermediate appended to IntermediateCerts and its SigningKeyID. Everything it decides
 * (key, roots, config) is written in one `ConnectCA` command by the leader.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import type { CAConfigRecord, CAProviderStateRecord, CARootRecord, ConnectCAStore } from '@proconsul/catalog';
import { createCsr, newKey } from '@proconsul/x509';
import { parseConsulCAConfig } from './ca-config.js';
import { caCsrExtension, certInfo, providerId, signingUri } from './ca-provider.js';
import { goTime } from '../go-time.js';

type NoIndex<T> = Omit<T, 'CreateIndex' | 'ModifyIndex'>;

/** structs.IndexedCARoots as the primary answers GET /v1/connect/ca/roots, with its index. */
export interface PrimaryRoots {
  index: number;
  ActiveRootID: string;
  TrustDomain: string;
  Roots: CARootRecord[];
}

/** What a secondary's leader asks of the primary datacenter (over the WAN, through any of its servers). */
export interface PrimaryDatacenterCA {
  /** ConnectCA.Roots in the primary; a blocking query when `index` > 0. */
  roots(index: number, waitMs: number): Promise<PrimaryRoots>;
  /** ConnectCA.SignIntermediate in the primary, with the replication token: the intermediate's PEM. */
  signIntermediate(csrPem: string): Promise<string>;
}

/** The `ConnectCA` set-roots-config command a secondary writes (undefined: nothing to change). */
export interface SecondaryUpdate {
  Config: NoIndex<CAConfigRecord>;
  Roots: NoIndex<CARootRecord>[];
  ProviderState: NoIndex<CAProviderStateRecord>;
  Index: number;
}

const ensureNewline = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);
const withoutIndex = ({ CreateIndex: _c, ModifyIndex: _m, ...r }: CARootRecord): NoIndex<CARootRecord> => r;
/** Bound on the roots a secondary keeps: the oldest rotated-out ones go first. */
const ROOTS_KEPT_MAX = 32;

/** The primary's active root (secondaryInitializeIntermediateCA), or Consul's error. */
export function primaryActiveRoot(roots: PrimaryRoots): CARootRecord {
  if (roots.TrustDomain === '') throw new Error('trust domain from primary datacenter is not initialized');
  const active = roots.Roots.find((r) => r.ID === roots.ActiveRootID && r.Active);
  if (!active) throw new Error('primary datacenter does not have an active root CA for Connect');
  return active;
}

/** The secondary provider's ID for a config (Configure with IsPrimary false). */
export function secondaryProviderId(config: Record<string, unknown>): string {
  const pc = parseConsulCAConfig(config);
  return providerId(pc.privateKey, pc.rootCert, pc.privateKeyType, pc.privateKeyBits, false);
}

/**
 * Whether this datacenter is in step with the primary's active root: its provider holds an
 * intermediate for that root, and the stored active root is that root carrying that
 * intermediate (its SigningKeyID the intermediate's, as PR 6513 corrected it).
 */
export function secondaryInStep(ca: Readonly<ConnectCAStore>, provider: string, primaryActive: CARootRecord): boolean {
  const state = ca.providerStates.get(provider);
  if (!state || state.IntermediateCert === '') return false;
  if (ensureNewline(state.RootCert) !== ensureNewline(primaryActive.RootCert)) return false;
  const active = ca.activeRoot();
  return active !== undefined && active.ID === primaryActive.ID && active.SigningKeyID === certInfo(state.IntermediateCert).subjectKeyId && (active.IntermediateCerts ?? []).includes(state.IntermediateCert);
}

/** GenerateIntermediateCSR: a new key of the configured type and a CA CSR for the signing ID. */
export function intermediateCsr(config: Record<string, unknown>, clusterId: string): { keyPem: string; csrPem: string } {
  const pc = parseConsulCAConfig(config);
  const key = newKey(pc.privateKeyType, pc.privateKeyBits);
  return { keyPem: key.pem, csrPem: createCsr(key.priv, key.spki, { uris: [signingUri(clusterId)] }, [caCsrExtension()]) };
}

/** validateSetIntermediate + validateIntermediateSignedByPrivateKey, with Consul's texts. */
export function validateIntermediate(intermediatePem: string, rootPem: string, keyPem: string, clusterId: string): void {
  let inter: X509Certificate;
  try {
    inter = new X509Certificate(intermediatePem);
  } catch (err) {
    throw new Error(`error parsing intermediate PEM: ${(err as Error).message}`);
  }
  const mine = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  if (!inter.publicKey.export({ type: 'spki', format: 'der' }).equals(mine)) throw new Error('intermediate cert is for a different private key');
  if (!inter.ca) throw new Error('intermediate is not a CA certificate');
  const uris = certInfo(intermediatePem).uris;
  if (uris.length !== 1) throw new Error(`incoming intermediate cert has unexpected number of URIs: ${uris.length}`);
  const want = signingUri(clusterId);
  if (uris[0] !== want) throw new Error(`incoming cert URI ${JSON.stringify(uris[0])} does not match current URI: ${JSON.stringify(want)}`);
  const root = new X509Certificate(rootPem);
  if (!inter.checkIssued(root) || !inter.verify(root.publicKey)) throw new Error('could not verify intermediate cert against root: x509: certificate signed by unknown authority');
}

export interface SecondaryRootsInput {
  ca: Readonly<ConnectCAStore>;
  primaryActive: CARootRecord;
  config: NoIndex<CAConfigRecord>;
  provider: string;
  keyPem: string;
  intermediatePem: string;
  nowMs: number;
}

/**
 * persistNewRootAndConfig after secondaryRenewIntermediate: the stored roots with the active one
 * rotated out, then the primary's active root carrying the new intermediate; the config's
 * ClusterID is the primary's (the root's ExternalTrustDomain); the provider state holds the
 * intermediate, its key and the root it chains to.
 */
export function secondaryUpdate(o: SecondaryRootsInput): SecondaryUpdate {
  const inter = ensureNewline(o.intermediatePem);
  const fresh: NoIndex<CARootRecord> = {
    ...withoutIndex(o.primaryActive),
    IntermediateCerts: [...(o.primaryActive.IntermediateCerts ?? []), inter],
    SigningKeyID: certInfo(inter).subjectKeyId,
    Active: true,
    RotatedOutAt: '',
  };
  const clusterId = fresh.ExternalTrustDomain !== '' ? fresh.ExternalTrustDomain : o.config.ClusterID;
  const rotatedOut = goTime(o.nowMs);
  let kept = o.ca
    .rootList()
    .filter((r) => r.ID !== fresh.ID)
    .map((r) => ({ ...withoutIndex(r), ...(r.Active ? { Active: false, RotatedOutAt: rotatedOut } : {}), ExternalTrustDomain: r.ExternalTrustDomain || clusterId }));
  if (kept.length >= ROOTS_KEPT_MAX) kept = kept.sort((a, b) => (a.RotatedOutAt < b.RotatedOutAt ? 1 : -1)).slice(0, ROOTS_KEPT_MAX - 1);
  return {
    Config: { ...o.config, ClusterID: clusterId },
    Roots: [...kept, fresh],
    ProviderState: { ID: o.provider, PrivateKey: o.keyPem, RootCert: ensureNewline(o.primaryActive.RootCert), IntermediateCert: inter },
    Index: o.ca.rootsIndex,
  };
}

/** RenewIntermediate's test: more than half of the intermediate's lifetime has passed. */
export function intermediateDue(intermediatePem: string, nowMs: number): boolean {
  const info = certInfo(intermediatePem);
  const start = info.notBefore.getTime() + 60_000; // CertificateTimeDriftBuffer
  return nowMs - start > (info.notAfter.getTime() - start) / 2;
}
