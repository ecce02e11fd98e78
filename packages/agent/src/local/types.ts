import type { HealthCheck } from '@proconsul/catalog';
import type { CheckType } from '../checks/index.js';
import type { ConnectProxyConfig } from '../config/proxy-spec.js';
import type { ServiceConfigResponse } from '../connect/central-config/resolve.js';

/** AgentService: a service as GET /v1/agent/services shows it. */
export interface AgentService {
  Kind?: string;
  ID: string;
  Service: string;
  Tags: string[];
  Meta: Record<string, string>;
  Port: number;
  Address: string;
  SocketPath?: string;
  TaggedAddresses?: Record<string, { Address: string; Port: number }>;
  Weights: { Passing: number; Warning: number };
  EnableTagOverride: boolean;
  /** A connect-proxy's or gateway's configuration, as registered (upstream types defaulted). */
  Proxy?: ConnectProxyConfig;
  /** `{Native}`; a sidecar_service is never kept (it became its own service). */
  Connect?: { Native?: boolean };
  /** Registered through its parent's sidecar_service: deregistered with it. Never shown. */
  LocallyRegisteredAsSidecar?: boolean;
}

/** A check owned by this agent, in HealthCheck shape (without indexes). */
export type LocalCheckState = Omit<HealthCheck, 'CreateIndex' | 'ModifyIndex' | 'Definition'> & {
  Definition: Record<string, unknown>;
};

/** What is persisted in the data dir and restored at start. */
export interface PersistedLocalState {
  version: 1;
  /** `service` as registered; `defaults` the central defaults last merged into it (as Consul persists them). */
  services: { service: AgentService; token: string; defaults?: ServiceConfigResponse }[];
  checks: { check: LocalCheckState; definition: CheckType | null; token: string }[];
}
