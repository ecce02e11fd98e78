/**
 * pbautoconf.AutoConfigRequest / AutoConfigResponse (proto/private/pbautoconf/auto_config.proto,
 * pbconfig's Config, ACL, Gossip and TLS): what AutoConfig.InitialConfiguration carries, field
 * names as Consul's Go structs name them. The response is what a client persists in its data dir.
 */
import type { IssuedCert } from '../connect/ca-manager.js';
import type { SignedRoot } from '../connect/auto-encrypt-rpc.js';

export interface AutoConfigRequest {
  Datacenter: string;
  Node: string;
  Segment: string;
  Partition?: string;
  /** The intro token. */
  JWT: string;
  /** A CSR for the agent's SPIFFE ID (the servers sign it when Connect is on). */
  CSR: string;
}

export interface AutoConfigACL {
  Enabled: boolean;
  PolicyTTL: string;
  RoleTTL: string;
  TokenTTL: string;
  DownPolicy: string;
  DefaultPolicy: string;
  EnableKeyListPolicy: boolean;
  Tokens?: { Agent: string };
}

export interface AutoConfigSettings {
  Datacenter: string;
  PrimaryDatacenter: string;
  NodeName: string;
  SegmentName: string;
  ACL?: AutoConfigACL;
  Gossip?: { RetryJoinLAN: string[]; Encryption?: { Key: string; VerifyIncoming: boolean; VerifyOutgoing: boolean } };
  TLS?: { VerifyOutgoing: boolean; VerifyServerHostname: boolean; MinVersion: string };
}

export interface AutoConfigResponse {
  Config: AutoConfigSettings;
  CARoots?: { ActiveRootID: string; TrustDomain: string; Roots: SignedRoot[]; Index?: number };
  /** The signed agent certificate; the client adds PrivateKeyPEM, its own key. */
  Certificate?: IssuedCert;
  ExtraCACertificates: string[];
}
