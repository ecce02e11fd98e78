/**
 * Check definitions in the shapes Consul's HTTP API uses (PascalCase, durations as Go
 * duration strings). `parseCheckType` / `parseCheckDefinition` accept PascalCase, snake_case
 * and any letter case, and return these canonical shapes.
 */

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** The kinds this agent can run; `Type` in a HealthCheck. */
export type CheckKind = 'http' | 'tcp' | 'ttl' | 'script' | 'grpc' | 'h2ping' | 'udp' | 'alias' | 'docker';

/** Consul's CheckType: a check embedded in a service registration (`Check`, `Checks[]`). */
export interface CheckType {
  CheckID?: string;
  Name?: string;
  Notes?: string;
  /** Initial status; Consul's default is critical. */
  Status?: CheckStatus;
  HTTP?: string;
  Method?: string;
  Header?: Record<string, string[]>;
  Body?: string;
  TLSServerName?: string;
  TLSSkipVerify?: boolean;
  DisableRedirects?: boolean;
  TCP?: string;
  /** `host:port[/service]`: grpc.health.v1 over HTTP/2. */
  GRPC?: string;
  GRPCUseTLS?: boolean;
  /** `host:port`: an HTTP/2 PING. */
  H2PING?: string;
  /** Consul's default is true. */
  H2PingUseTLS?: boolean;
  UDP?: string;
  /** Docker check: Args run in this container through the engine API's exec. */
  DockerContainerID?: string;
  /** Consul's shell for its removed Script field; accepted, Args run as given. */
  Shell?: string;
  /** Alias check: the service instance whose health this check mirrors, on AliasNode or this agent. */
  AliasService?: string;
  AliasNode?: string;
  TTL?: string;
  /** Script check argv (also accepted as ScriptArgs, args, script_args). */
  Args?: string[];
  Interval?: string;
  Timeout?: string;
  DeregisterCriticalServiceAfter?: string;
  SuccessBeforePassing?: number;
  FailuresBeforeWarning?: number;
  FailuresBeforeCritical?: number;
  OutputMaxSize?: number;
}

/** Consul's CheckDefinition: the body of PUT /v1/agent/check/register and `checks` in config. */
export interface CheckDefinition extends CheckType {
  ID?: string;
  ServiceID?: string;
  Token?: string;
}

/** A check type reduced to what a runner needs: kind chosen, durations in ms, defaults applied. */
export interface CheckSpec {
  kind: CheckKind;
  /** 0 for ttl checks. Values below 1 s are raised to 1 s, as Consul does. */
  intervalMs: number;
  /** Per-attempt timeout (http/tcp default 10 s, script 30 s); 0 for ttl. */
  timeoutMs: number;
  /** Only for ttl checks. */
  ttlMs: number;
  /** 0 when not set. Consul raises values below 1 m to 1 m. */
  deregisterCriticalServiceAfterMs: number;
  successBeforePassing: number;
  failuresBeforeWarning: number;
  failuresBeforeCritical: number;
  /**
   * The check's OutputMaxSize, 0 when not set. The effective limit is the agent's
   * check_output_max_size (default 4096), lowered to this when this is smaller.
   */
  outputMaxSize: number;
  http?: {
    url: string;
    method: string;
    header: Record<string, string[]>;
    body: string;
    tlsSkipVerify: boolean;
    tlsServerName: string;
    disableRedirects: boolean;
  };
  /** `host:port` for tcp checks. */
  tcp?: string;
  /** argv for script checks. */
  args?: string[];
  grpc?: { target: string; useTls: boolean; tlsSkipVerify: boolean; tlsServerName: string };
  h2ping?: { address: string; useTls: boolean; tlsSkipVerify: boolean; tlsServerName: string };
  /** `host:port` for udp checks. */
  udp?: string;
  /** Container of a docker check (its command is `args`). */
  dockerContainerId?: string;
}
