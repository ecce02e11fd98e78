/**
 * ACL state kept in the catalog state machine (so it replicates with the log): tokens,
 * policies and roles in Consul's shapes (agent/structs/acl.go), and the bootstrap marker.
 * IDs, secrets and times are chosen by the caller before the command is logged, so applying
 * stays deterministic.
 */
export interface AclLink {
  ID: string;
  Name: string;
}

export interface AclServiceIdentity {
  ServiceName: string;
  Datacenters?: string[];
}

export interface AclNodeIdentity {
  NodeName: string;
  Datacenter: string;
}

/** The input variables of a templated policy (Consul 1.17 has one: the name). */
export interface AclTemplatedPolicyVariables {
  Name: string;
}

/**
 * A templated policy linked to a token or role (agent/structs/acl_templated_policy.go): a
 * built-in template by name, its variables, and the datacenters it is valid in (all when
 * absent). The agent validates it on write and renders it when it resolves the token.
 */
export interface AclTemplatedPolicy {
  TemplateID: string;
  TemplateName: string;
  TemplateVariables?: AclTemplatedPolicyVariables;
  Datacenters?: string[];
}

export interface AclTokenRecord {
  AccessorID: string;
  SecretID: string;
  Description: string;
  /** Links by ID; names are resolved on read (a renamed policy shows its new name). */
  Policies: AclLink[];
  Roles: AclLink[];
  ServiceIdentities: AclServiceIdentity[];
  NodeIdentities: AclNodeIdentity[];
  /** Absent in records written before templated policies existed (none). */
  TemplatedPolicies?: AclTemplatedPolicy[];
  Local: boolean;
  /** RFC 3339. */
  CreateTime: string;
  /** Go time.Duration in ns, and RFC 3339; absent when the token never expires. */
  ExpirationTTL?: number;
  ExpirationTime?: string;
  Hash: string;
  /** The auth method whose login created the token (absent: not a login token). */
  AuthMethod?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AclPolicyRecord {
  ID: string;
  Name: string;
  Description: string;
  Rules: string;
  Datacenters: string[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface AclRoleRecord {
  ID: string;
  Name: string;
  Description: string;
  Policies: AclLink[];
  ServiceIdentities: AclServiceIdentity[];
  NodeIdentities: AclNodeIdentity[];
  /** Absent in records written before templated policies existed (none). */
  TemplatedPolicies?: AclTemplatedPolicy[];
  Hash: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/**
 * An auth method (structs.ACLAuthMethod, OSS fields): validates bearer tokens at login. The
 * Config is kept as given (the agent validated it for the Type).
 */
export interface AclAuthMethodRecord {
  Name: string;
  Type: string;
  DisplayName: string;
  Description: string;
  /** Go time.Duration in ns (0: none). */
  MaxTokenTTL: number;
  /** "local", "global" or "" (local). */
  TokenLocality: string;
  Config: Record<string, unknown>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A binding rule (structs.ACLBindingRule): what a login through its auth method is given. */
export interface AclBindingRuleRecord {
  ID: string;
  Description: string;
  AuthMethod: string;
  Selector: string;
  BindType: string;
  BindName: string;
  /** The templated-policy variables (BindType "templated-policy"); absent otherwise. */
  BindVars?: AclTemplatedPolicyVariables;
  CreateIndex: number;
  ModifyIndex: number;
}

/** PUT /v1/acl/bootstrap: refused once done (unless the reset index is given, as in Consul). */
export interface AclBootstrapCommand {
  Type: 'ACLBootstrap';
  Token: Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;
  /** The reset index from `acl-bootstrap-reset`; 0 for a first bootstrap. */
  ResetIndex?: number;
}

/**
 * Creates or replaces a token (by AccessorID); `CreateOnly` refuses an existing one.
 * `AllowMissingLinks` (ACL replication in a secondary datacenter, Consul's field of the same
 * name): links to policies, roles or an auth method not (yet) here are kept as given.
 */
export interface AclTokenSetCommand {
  Type: 'ACLTokenSet';
  Token: Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;
  CreateOnly?: boolean;
  AllowMissingLinks?: boolean;
}

export interface AclTokenDeleteCommand {
  Type: 'ACLTokenDelete';
  AccessorID: string;
}

export interface AclPolicySetCommand {
  Type: 'ACLPolicySet';
  Policy: Omit<AclPolicyRecord, 'CreateIndex' | 'ModifyIndex'>;
  CreateOnly?: boolean;
}

export interface AclPolicyDeleteCommand {
  Type: 'ACLPolicyDelete';
  ID: string;
}

/** `AllowMissingLinks`: as for AclTokenSetCommand (policies replicate beside roles). */
export interface AclRoleSetCommand {
  Type: 'ACLRoleSet';
  Role: Omit<AclRoleRecord, 'CreateIndex' | 'ModifyIndex'>;
  CreateOnly?: boolean;
  AllowMissingLinks?: boolean;
}

export interface AclRoleDeleteCommand {
  Type: 'ACLRoleDelete';
  ID: string;
}

/** The watch key every ACL write touches (blocking queries on the ACL lists). */
export const ACL_WATCH_KEY = 'acl';

/** Creates or replaces an auth method (by Name). */
export interface AclAuthMethodSetCommand {
  Type: 'ACLAuthMethodSet';
  AuthMethod: Omit<AclAuthMethodRecord, 'CreateIndex' | 'ModifyIndex'>;
}

/** Deletes an auth method with its binding rules and every token it issued (as Consul's state store). */
export interface AclAuthMethodDeleteCommand {
  Type: 'ACLAuthMethodDelete';
  Name: string;
}

export interface AclBindingRuleSetCommand {
  Type: 'ACLBindingRuleSet';
  BindingRule: Omit<AclBindingRuleRecord, 'CreateIndex' | 'ModifyIndex'>;
  CreateOnly?: boolean;
}

export interface AclBindingRuleDeleteCommand {
  Type: 'ACLBindingRuleDelete';
  ID: string;
}

export type AclCommand =
  | AclBootstrapCommand
  | AclTokenSetCommand
  | AclTokenDeleteCommand
  | AclPolicySetCommand
  | AclPolicyDeleteCommand
  | AclRoleSetCommand
  | AclRoleDeleteCommand
  | AclAuthMethodSetCommand
  | AclAuthMethodDeleteCommand
  | AclBindingRuleSetCommand
  | AclBindingRuleDeleteCommand;

export interface AclSnapshot {
  /** Index of the bootstrap (0: not bootstrapped). */
  BootstrapIndex: number;
  /** Max index of any ACL write. */
  Index: number;
  Tokens: AclTokenRecord[];
  Policies: AclPolicyRecord[];
  Roles: AclRoleRecord[];
  /** Absent in snapshots taken before auth methods existed (restored as none). */
  AuthMethods?: AclAuthMethodRecord[];
  BindingRules?: AclBindingRuleRecord[];
}
