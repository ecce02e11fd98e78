import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CARootRecord, ConnectCAStore } from '@proconsul/catalog';
import { newKey, parseCsr } from '@proconsul/x509';
import { newCARoot } from './ca-manager.js';
import { generateRoot, signIntermediate, signLeaf } from './ca-provider.js';
import { intermediateCsr, intermediateDue, primaryActiveRoot, secondaryInStep, secondaryUpdate, validateIntermediate } from './secondary-ca.js';
import { serviceUri, trustDomain } from './spiffe.js';

const CLUSTER = '11111111-2222-3333-4444-555555555555';
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), 'secondary-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslVerify(ca: string, cert: string, untrusted: string): string {
  writeFileSync(join(dir, 'ca.pem'), ca);
  writeFileSync(join(dir, 'cert.pem'), cert);
  writeFileSync(join(dir, 'u.pem'), untrusted);
  return execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), '-untrusted', join(dir, 'u.pem'), join(dir, 'cert.pem')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function primary() {
  const key = newKey('ec', 256);
  const root = generateRoot({ privateKeyPem: key.pem, clusterId: CLUSTER, serial: 1n, nowMs: Date.now(), ttlMs: 87600 * HOUR });
  const record = { ...newCARoot(root, CLUSTER), CreateIndex: 5, ModifyIndex: 5 } as CARootRecord;
  return { key, root, record };
}

/** An empty CA table as the store keeps it (only what secondary-ca.ts reads). */
function store(roots: CARootRecord[] = [], states: Record<string, { IntermediateCert: string; RootCert: string; PrivateKey: string }> = {}): ConnectCAStore {
  return {
    rootList: () => roots,
    activeRoot: () => roots.find((r) => r.Active),
    providerStates: new Map(Object.entries(states).map(([id, s]) => [id, { ID: id, ...s, CreateIndex: 1, ModifyIndex: 1 }])),
    rootsIndex: 9,
  } as unknown as ConnectCAStore;
}

describe('a secondary datacenter CA', () => {
  it('an intermediate the primary signs for its CSR chains a secondary leaf to the primary root (openssl)', () => {
    const p = primary();
    const { keyPem, csrPem } = intermediateCsr({}, CLUSTER);
    const csr = parseCsr(csrPem);
    expect(csr.uris).toEqual([`spiffe://${CLUSTER}.consul`]);
    const inter = signIntermediate({ caCertPem: p.root, caKeyPem: p.key.pem, spki: csr.spki, uris: csr.uris, serial: 12n, nowMs: Date.now(), ttlMs: 8760 * HOUR });
    expect(() => validateIntermediate(inter, p.root, keyPem, CLUSTER)).not.toThrow();
    const x = new X509Certificate(inter);
    expect(x.ca).toBe(true);
    expect(x.serialNumber).toBe('0C');
    // A key that is not the CSR's, a root that did not sign it, a URI of another trust domain: Consul's refusals.
    expect(() => validateIntermediate(inter, p.root, newKey('ec', 256).pem, CLUSTER)).toThrow('intermediate cert is for a different private key');
    expect(() => validateIntermediate(inter, primary().root, keyPem, CLUSTER)).toThrow(/could not verify intermediate cert against root/);
    expect(() => validateIntermediate(inter, p.root, keyPem, 'other')).toThrow(/does not match current URI/);

    const leafKey = newKey('ec', 256);
    const leaf = signLeaf({ caCertPem: inter, caKeyPem: keyPem, spki: leafKey.spki, uris: [serviceUri(trustDomain(CLUSTER), 'dc2', 'web')], dnsNames: [], ipAddresses: [], serial: 13n, nowMs: Date.now(), ttlMs: 72 * HOUR });
    expect(opensslVerify(p.root, leaf, inter)).toMatch(/: OK$/);
  });

  it('the secondary roots: the primary active root with the intermediate; the old active one rotated out', () => {
    const p = primary();
    const old = { ...primary().record, ID: 'old' };
    const inter = signIntermediate({ caCertPem: p.root, caKeyPem: p.key.pem, spki: newKey('ec', 256).spki, uris: [`spiffe://${CLUSTER}.consul`], serial: 2n, nowMs: Date.now(), ttlMs: 8760 * HOUR });
    const u = secondaryUpdate({
      ca: store([old]), primaryActive: p.record, config: { ClusterID: 'random', Provider: 'consul', Config: {}, State: null, ForceWithoutCrossSigning: false },
      provider: 'prov', keyPem: 'KEY', intermediatePem: inter, nowMs: Date.UTC(2026, 0, 2),
    });
    expect(u.Index).toBe(9);
    expect(u.Config.ClusterID).toBe(CLUSTER);
    expect(u.Roots.map((r) => [r.ID, r.Active, r.RotatedOutAt])).toEqual([['old', false, '2026-01-02T00:00:00Z'], [p.record.ID, true, '']]);
    expect(u.Roots[1]!.IntermediateCerts).toEqual([inter]);
    expect(u.Roots[1]!.SigningKeyID).not.toBe(p.record.SigningKeyID);
    expect(u.ProviderState).toEqual({ ID: 'prov', PrivateKey: 'KEY', RootCert: p.root, IntermediateCert: inter });
    // In step once written; not when the primary's active root is another.
    const written = u.Roots.map((r) => ({ ...r, CreateIndex: 10, ModifyIndex: 10 }));
    const ca = store(written, { prov: { IntermediateCert: inter, RootCert: p.root, PrivateKey: 'KEY' } });
    expect(secondaryInStep(ca, 'prov', p.record)).toBe(true);
    expect(secondaryInStep(ca, 'other-provider', p.record)).toBe(false);
    expect(secondaryInStep(ca, 'prov', primary().record)).toBe(false);
  });

  it('the primary roots must name an active root and a trust domain (Consul texts)', () => {
    const p = primary();
    expect(() => primaryActiveRoot({ index: 1, ActiveRootID: '', TrustDomain: '', Roots: [] })).toThrow('trust domain from primary datacenter is not initialized');
    expect(() => primaryActiveRoot({ index: 1, ActiveRootID: 'x', TrustDomain: 'a.consul', Roots: [p.record] })).toThrow('primary datacenter does not have an active root CA for Connect');
    expect(primaryActiveRoot({ index: 1, ActiveRootID: p.record.ID, TrustDomain: 'a.consul', Roots: [p.record] })).toBe(p.record);
  });

  it('an intermediate is renewed after half its life', () => {
    const p = primary();
    const start = Date.UTC(2026, 0, 1);
    const inter = signIntermediate({ caCertPem: p.root, caKeyPem: p.key.pem, spki: newKey('ec', 256).spki, uris: [], serial: 2n, nowMs: start, ttlMs: 100 * HOUR });
    expect(intermediateDue(inter, start + 40 * HOUR)).toBe(false);
    expect(intermediateDue(inter, start + 51 * HOUR)).toBe(true);
  });
});
