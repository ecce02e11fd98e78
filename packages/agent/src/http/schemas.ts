// Go structs of the request bodies Consul decodes (fields Consul's CE accepts).
import type { StructSchema } from './decode-struct.js';

const weights: StructSchema = { name: 'structs.Weights', fields: { Passing: 'int', Warning: 'int' } };
const serviceAddress: StructSchema = { name: 'structs.ServiceAddress', fields: { Address: 'string', Port: 'int' } };

export const nodeServiceSchema: StructSchema = {
  name: 'structs.NodeService',
  fields: {
    Kind: 'string',
    ID: 'string',
    Service: 'string',
    Tags: 'strings',
    Address: 'string',
    TaggedAddresses: { mapOf: serviceAddress },
    Meta: 'stringMap',
    Port: 'int',
    SocketPath: 'string',
    Weights: weights,
    EnableTagOverride: 'bool',
    Proxy: { opaque: 'structs.ConnectProxyConfig' },
    Connect: { opaque: 'structs.ServiceConnect' },
    LocallyRegisteredAsSidecar: 'bool',
    PeerName: 'string',
    Locality: 'any',
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
  },
};

export const healthCheckSchema: StructSchema = {
  name: 'structs.HealthCheck',
  fields: {
    Node: 'string',
    CheckID: 'string',
    Name: 'string',
    Status: 'string',
    Notes: 'string',
    Output: 'string',
    ServiceID: 'string',
    ServiceName: 'string',
    ServiceTags: 'strings',
    Type: 'string',
    Interval: 'string',
    Timeout: 'string',
    ExposedPort: 'int',
    Definition: 'any',
    PeerName: 'string',
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
  },
};

export const registerRequestSchema: StructSchema = {
  name: 'structs.RegisterRequest',
  fields: {
    Datacenter: 'string',
    ID: 'string',
    Node: 'string',
    Address: 'string',
    TaggedAddresses: 'stringMap',
    NodeMeta: 'stringMap',
    Service: nodeServiceSchema,
    Check: healthCheckSchema,
    Checks: { arrayOf: healthCheckSchema },
    SkipNodeUpdate: 'bool',
    PeerName: 'string',
    Locality: 'any',
    Token: 'string',
  },
};

export const deregisterRequestSchema: StructSchema = {
  name: 'structs.DeregisterRequest',
  fields: { Datacenter: 'string', Node: 'string', ServiceID: 'string', CheckID: 'string', PeerName: 'string', Token: 'string' },
};

export const sessionSchema: StructSchema = {
  name: 'structs.Session',
  fields: {
    ID: 'string',
    Name: 'string',
    Node: 'string',
    Checks: 'strings',
    NodeChecks: 'strings',
    ServiceChecks: { arrayOf: { name: 'structs.ServiceCheck', fields: { ID: 'string', Namespace: 'string' } } },
    LockDelay: 'any',
    Behavior: 'string',
    TTL: 'string',
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
  },
};

const txnKVOp: StructSchema = {
  name: 'api.KVTxnOp',
  fields: { Verb: 'string', Key: 'string', Value: 'any', Flags: 'any', Index: 'uint64', Session: 'string', Namespace: 'string', Partition: 'string' },
};

const apiNode: StructSchema = {
  name: 'api.Node',
  fields: {
    ID: 'string',
    Node: 'string',
    Address: 'string',
    Datacenter: 'string',
    TaggedAddresses: 'stringMap',
    Meta: 'stringMap',
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
    Partition: 'string',
    PeerName: 'string',
    Locality: 'any',
  },
};

const apiAgentService: StructSchema = {
  name: 'api.AgentService',
  fields: {
    Kind: 'string',
    ID: 'string',
    Service: 'string',
    Tags: 'strings',
    Meta: 'stringMap',
    Port: 'int',
    Address: 'string',
    SocketPath: 'string',
    TaggedAddresses: { mapOf: serviceAddress },
    Weights: { name: 'api.AgentWeights', fields: { Passing: 'int', Warning: 'int' } },
    EnableTagOverride: 'bool',
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
    ContentHash: 'string',
    Proxy: { opaque: 'api.AgentServiceConnectProxyConfig' },
    Connect: { opaque: 'api.AgentServiceConnect' },
    PeerName: 'string',
    Namespace: 'string',
    Partition: 'string',
    Datacenter: 'string',
    Locality: 'any',
  },
};

/** Durations are `any`: Consul's ReadableDuration takes a Go duration string or nanoseconds. */
const apiHealthCheckDefinition: StructSchema = {
  name: 'api.HealthCheckDefinition',
  fields: {
    HTTP: 'string',
    Header: { mapOf: 'strings' },
    Method: 'string',
    Body: 'string',
    TLSServerName: 'string',
    TLSSkipVerify: 'bool',
    TCP: 'string',
    TCPUseTLS: 'bool',
    UDP: 'string',
    GRPC: 'string',
    OSService: 'string',
    GRPCUseTLS: 'bool',
    SessionName: 'string',
    IntervalDuration: 'any',
    TimeoutDuration: 'any',
    DeregisterCriticalServiceAfterDuration: 'any',
    Interval: 'any',
    Timeout: 'any',
    DeregisterCriticalServiceAfter: 'any',
  },
};

const apiHealthCheck: StructSchema = {
  name: 'api.HealthCheck',
  fields: {
    Node: 'string',
    CheckID: 'string',
    Name: 'string',
    Status: 'string',
    Notes: 'string',
    Output: 'string',
    ServiceID: 'string',
    ServiceName: 'string',
    ServiceTags: 'strings',
    Type: 'string',
    Namespace: 'string',
    Partition: 'string',
    ExposedPort: 'int',
    PeerName: 'string',
    Definition: apiHealthCheckDefinition,
    CreateIndex: 'uint64',
    ModifyIndex: 'uint64',
  },
};

export const txnOpSchema: StructSchema = {
  name: 'api.TxnOp',
  fields: {
    KV: txnKVOp,
    Node: { name: 'api.NodeTxnOp', fields: { Verb: 'string', Node: apiNode } },
    Service: { name: 'api.ServiceTxnOp', fields: { Verb: 'string', Node: 'string', Service: apiAgentService } },
    Check: { name: 'api.CheckTxnOp', fields: { Verb: 'string', Check: apiHealthCheck } },
  },
};
