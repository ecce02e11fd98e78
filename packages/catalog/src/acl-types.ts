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

/** PUT /v1/acl/bootstrap: refused once done (unless the reset index is given, as in Consul). */
export interface AclBootstrapCommand {
  Type: 'ACLBootstrap';
  Token: Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;
  /** The reset index from `acl-bootstrap-reset`; 0 for a first bootstrap. */
  ResetIndex?: number;
}

/** Creates or replaces a token (by AccessorID); `CreateOnly` refuses an existing one. */
export interface AclTokenSetCommand {
  Type: 'ACLTokenSet';
  Token: Omit<AclTokenRecord, 'CreateIndex' | 'ModifyIndex'>;
  CreateOnly?: boolean;
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

export interface AclRoleSetCommand {
  Type: 'ACLRoleSet';
  Role: Omit<AclRoleRecord, 'CreateIndex' | 'ModifyIndex'>;
  CreateOnly?: boolean;
}

export interface AclRoleDeleteCommand {
  Type: 'ACLRoleDelete';
  ID: string;
}

export type AclCommand =
  | AclBootstrapCommand
  | AclTokenSetCommand
  | AclTokenDeleteCommand
  | AclPolicySetCommand
  | AclPolicyDeleteCommand
  | AclRoleSetCommand
  | AclRoleDeleteCommand;

export interface AclSnapshot {
  /** Index of the bootstrap (0: not bootstrapped). */
  BootstrapIndex: number;
  /** Max index of any ACL write. */
  Index: number;
  Tokens: AclTokenRecord[];
  Policies: AclPolicyRecord[];
  Roles: AclRoleRecord[];
}
