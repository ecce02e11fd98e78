/**
 * TLS settings of a Connect service (Consul's connect/tls.go defaultTLSConfig and
 * dynamicTLSConfig): TLS 1.2 or later, Consul's ECDHE AEAD suites, a client certificate
 * required on the server side, the current leaf and roots swapped in as they change.
 */
import type { SecureContextOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';

/** Consul's CipherSuites for TLS 1.2 (ECDHE with AES-GCM or ChaCha20), after TLS 1.3's own suites. */
export const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
].join(':');

export interface Leaf {
  certPem: string;
  keyPem: string;
  /** The URI SAN: this proxy's identity. */
  uri: string;
}

/** The leaf and roots currently in force; either may be missing until the agent answers. */
export class DynamicTlsConfig {
  private leafValue: Leaf | undefined;
  private rootsValue: string[] | undefined;
  private trustDomainValue = '';
  private readonly readyWaiters: Array<() => void> = [];
  private readonly listeners = new Set<() => void>();

  get leaf(): Leaf | undefined {
    return this.leafValue;
  }

  get roots(): string[] | undefined {
    return this.rootsValue;
  }

  get trustDomain(): string {
    return this.trustDomainValue;
  }

  setLeaf(leaf: Leaf): void {
    this.leafValue = leaf;
    this.changed();
  }

  setRoots(rootPems: string[], trustDomain: string): void {
    this.rootsValue = rootPems;
    this.trustDomainValue = trustDomain;
    this.changed();
  }

  /**
   * Consul's Ready (VerifyLeafWithRoots): a leaf and roots are set and the leaf chains to
   * one of the roots. A root rotation can make this false until the new leaf arrives.
   */
  ready(): boolean {
    if (!this.leafValue || !this.rootsValue) return false;
    try {
      return chainsToRoot(splitPem(this.leafValue.certPem), this.rootsValue);
    } catch {
      return false;
    }
  }

  /** Resolves once ready (Consul's ReadyWait); at once when it already is. */
  readyWait(): Promise<void> {
    if (this.ready()) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Called after every change of leaf or roots (the public listener reloads its context). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Key, certificate, roots and protocol limits for a TLS context; undefined until both leaf and roots are known. */
  secureContextOptions(): SecureContextOptions | undefined {
    if (!this.leafValue || !this.rootsValue) return undefined;
    return { key: this.leafValue.keyPem, cert: this.leafValue.certPem, ca: this.rootsValue, minVersion: 'TLSv1.2', ciphers: CIPHERS };
  }

  private changed(): void {
    if (this.ready()) for (const resolve of this.readyWaiters.splice(0)) resolve();
    for (const fn of this.listeners) fn();
  }
}

/** The certificates of a PEM bundle, in order. */
export function splitPem(bundle: string): X509Certificate[] {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
}

/** Whether the first certificate reaches one of the roots through the others (a leaf, then any intermediates). */
export function chainsToRoot(chain: X509Certificate[], rootPems: string[]): boolean {
  const roots = rootPems.flatMap((p) => splitPem(p));
  const issued = (child: X509Certificate, parent: X509Certificate): boolean => child.checkIssued(parent) && child.verify(parent.publicKey);
  let current: X509Certificate | undefined = chain[0];
  // Bounded walk: a chain longer than the bundle cannot be legitimate.
  for (let step = 0; current && step <= chain.length; step++) {
    const cert: X509Certificate = current;
    if (roots.some((r) => issued(cert, r))) return true;
    current = chain.slice(1).find((c) => c !== cert && issued(cert, c));
  }
  return false;
}
