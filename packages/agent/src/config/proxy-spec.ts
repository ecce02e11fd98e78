/**
 * Consul's structs.ConnectProxyConfig and structs.Upstream as service definitions give them
 * (agent/structs/connect_proxy_config.go): PascalCase in the HTTP API, snake_case in config
 * files (their UnmarshalJSON aliases), decoded by checks/decode.ts which folds both.
 */
import type { ObjectSpec } from '../checks/decode.js';

const MESH_GATEWAY: ObjectSpec = { struct: 'structs.MeshGatewayConfig', fields: [{ name: 'Mode', type: 'string' }] };

export const UPSTREAM_SPEC: ObjectSpec = {
  struct: 'structs.Upstream',
  fields: [
    { name: 'DestinationType', type: 'string' },
    { name: 'DestinationNamespace', type: 'string' },
    { name: 'DestinationPartition', type: 'string' },
    { name: 'DestinationPeer', type: 'string' },
    { name: 'DestinationName', type: 'string' },
    { name: 'Datacenter', type: 'string' },
    { name: 'LocalBindAddress', type: 'string' },
    { name: 'LocalBindPort', type: 'int' },
    { name: 'LocalBindSocketPath', type: 'string' },
    { name: 'LocalBindSocketMode', type: 'string' },
    { name: 'Config', type: { opaque: 'map[string]interface {}' } },
    { name: 'MeshGateway', type: { object: MESH_GATEWAY } },
    { name: 'CentrallyConfigured', type: 'bool' },
  ],
};

const EXPOSE_PATH: ObjectSpec = {
  struct: 'structs.ExposePath',
  fields: [
    { name: 'ListenerPort', type: 'int' },
    { name: 'Path', type: 'string' },
    { name: 'LocalPathPort', type: 'int' },
    { name: 'Protocol', type: 'string' },
    { name: 'ParsedFromCheck', type: 'bool' },
  ],
};

export const PROXY_SPEC: ObjectSpec = {
  struct: 'structs.ConnectProxyConfig',
  fields: [
    { name: 'EnvoyExtensions', type: { opaqueArray: '[]structs.EnvoyExtension' } },
    { name: 'DestinationServiceName', type: 'string' },
    { name: 'DestinationServiceID', type: 'string' },
    { name: 'LocalServiceAddress', type: 'string' },
    { name: 'LocalServicePort', type: 'int' },
    { name: 'LocalServiceSocketPath', type: 'string' },
    { name: 'Mode', type: 'string' },
    { name: 'Config', type: { opaque: 'map[string]interface {}' } },
    { name: 'Upstreams', type: { array: UPSTREAM_SPEC } },
    { name: 'MeshGateway', type: { object: MESH_GATEWAY } },
    {
      name: 'Expose',
      type: { object: { struct: 'structs.ExposeConfig', fields: [{ name: 'Checks', type: 'bool' }, { name: 'Paths', type: { array: EXPOSE_PATH } }] } },
    },
    {
      name: 'TransparentProxy',
      type: {
        object: {
          struct: 'structs.TransparentProxyConfig',
          fields: [
            { name: 'OutboundListenerPort', type: 'int' },
            { name: 'DialedDirectly', type: 'bool' },
          ],
        },
      },
    },
    {
      name: 'AccessLogs',
      type: {
        object: {
          struct: 'structs.AccessLogsConfig',
          fields: [
            { name: 'Enabled', type: 'bool' },
            { name: 'DisableListenerLogs', type: 'bool' },
            { name: 'Type', type: 'string' },
            { name: 'Path', type: 'string' },
            { name: 'JSONFormat', type: 'string' },
            { name: 'TextFormat', type: 'string' },
          ],
        },
      },
    },
  ],
};

/** A decoded `Proxy` (keys in PascalCase; absent keys left out). */
export interface ConnectProxyConfig {
  DestinationServiceName?: string;
  DestinationServiceID?: string;
  LocalServiceAddress?: string;
  LocalServicePort?: number;
  LocalServiceSocketPath?: string;
  Mode?: string;
  Config?: Record<string, unknown>;
  Upstreams?: Upstream[];
  MeshGateway?: { Mode?: string };
  Expose?: { Checks?: boolean; Paths?: ExposePath[] };
  TransparentProxy?: { OutboundListenerPort?: number; DialedDirectly?: boolean };
  AccessLogs?: Record<string, unknown>;
  EnvoyExtensions?: Record<string, unknown>[];
}

export interface Upstream {
  DestinationType?: string;
  DestinationNamespace?: string;
  DestinationPartition?: string;
  DestinationPeer?: string;
  DestinationName?: string;
  Datacenter?: string;
  LocalBindAddress?: string;
  LocalBindPort?: number;
  LocalBindSocketPath?: string;
  LocalBindSocketMode?: string;
  Config?: Record<string, unknown>;
  MeshGateway?: { Mode?: string };
  CentrallyConfigured?: boolean;
}

export interface ExposePath {
  ListenerPort?: number;
  Path?: string;
  LocalPathPort?: number;
  Protocol?: string;
  ParsedFromCheck?: boolean;
}
