/**
 * The api-gateway kind as Consul 1.17 CE declares it (agent/structs/config_entry_gateways.go
 * APIGatewayConfigEntry, config_entry_status.go ResourceReference/Status): struct, Normalize
 * and Validate with Consul's texts. Consul's gateway controller writes Status and the
 * bound-api-gateway entries; there is no controller here, so Status is stored as written.
 */
import { tlsConfigError } from './gateway-validate.js';
import { metaErrors } from './validate.js';
import { f, multiError, o, type StructType } from './schema.js';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** structs.ResourceReference (CE: no EnterpriseMeta fields). */
export const RESOURCE_REFERENCE: StructType = { fields: [f('Kind', 'string'), f('Name', 'string'), f('SectionName', 'string')] };

/** structs.Status: the conditions a controller reports. */
export const STATUS: StructType = {
  fields: [
    f('Conditions', {
      list: {
        fields: [
          f('Type', 'string'), f('Status', 'string'), f('Reason', 'string'), f('Message', 'string'),
          f('Resource', { ptr: RESOURCE_REFERENCE }), f('LastTransitionTime', 'time'),
        ],
      },
    }),
  ],
};

/** APIGatewayPolicy: its JWT requirement is an enterprise feature, an empty struct in CE (keys under it are refused). */
const policy: StructType = { fields: [o('JWT', { ptr: { fields: [] } })] };

/** structs.APIGatewayConfigEntry. */
export const API_GATEWAY: StructType = {
  fields: [
    f('Kind', 'string'), f('Name', 'string'),
    f('Listeners', {
      list: {
        fields: [
          f('Name', 'string'), f('Hostname', 'string'), f('Port', 'int'), f('Protocol', 'string'),
          f('TLS', { fields: [f('Certificates', { list: RESOURCE_REFERENCE }), f('MaxVersion', 'string'), f('MinVersion', 'string'), f('CipherSuites', 'strings')] }),
          o('Override', { ptr: policy }), o('Default', { ptr: policy }),
        ],
      },
    }),
    f('Status', STATUS), o('Meta', 'stringMap'),
  ],
};

const LISTENER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function listenerError(l: Obj): string | undefined {
  const protocol = str(l.Protocol);
  const hostname = str(l.Hostname);
  const port = typeof l.Port === 'number' ? l.Port : 0;
  if (protocol !== 'http' && protocol !== 'tcp') return `unsupported listener protocol ${JSON.stringify(protocol)}, must be one of 'tcp', or 'http'`;
  if (protocol === 'tcp' && hostname !== '') return 'hostname specification is not supported when using TCP';
  if (port <= 0 || port > 65535) return `listener port ${port} not in the range 1-65535`;
  if ((hostname.startsWith('*.') ? hostname.slice(2) : hostname).includes('*')) {
    return `host ${JSON.stringify(hostname)} is not valid, a wildcard specifier is only allowed as the left-most label`;
  }
  const tls = (l.TLS ?? {}) as Obj;
  for (const cert of list(tls.Certificates)) {
    if (cert.Kind !== 'inline-certificate') return `unsupported certificate kind: ${JSON.stringify(str(cert.Kind))}, must be 'inline-certificate'`;
    if (str(cert.Name) === '') return 'certificate reference must have a name';
  }
  return tlsConfigError({ TLSMinVersion: tls.MinVersion, TLSMaxVersion: tls.MaxVersion, CipherSuites: tls.CipherSuites });
}

/** Normalize then Validate. */
export function apiGateway(e: Obj): string | undefined {
  const listeners = list(e.Listeners);
  for (const l of listeners) {
    l.Protocol = str(l.Protocol).toLowerCase();
    for (const cert of list((l.TLS as Obj | undefined)?.Certificates)) if (str(cert.Kind) === '') cert.Kind = 'inline-certificate';
  }
  const meta = metaErrors(e.Meta);
  if (meta.length > 0) return multiError(meta);
  if (listeners.length === 0) return 'api gateway must have at least one listener';
  const names = new Set<string>();
  for (const l of listeners) {
    const name = str(l.Name);
    if (!LISTENER_NAME.test(name)) return `listener name ${JSON.stringify(name)} is invalid, must be at least 1 character and contain only letters, numbers, or dashes`;
    if (names.has(name)) return `found multiple listeners with the name ${JSON.stringify(name)}`;
    names.add(name);
  }
  // validateMergedListeners: listeners on one port must agree on hostname and protocol.
  const byPort = new Map<unknown, Obj>();
  for (const l of listeners) {
    const merged = byPort.get(l.Port ?? 0);
    if (merged && (str(merged.Hostname) !== str(l.Hostname) || merged.Protocol !== l.Protocol)) {
      return `listeners ${JSON.stringify(str(merged.Name))} and ${JSON.stringify(str(l.Name))} cannot be merged`;
    }
    byPort.set(l.Port ?? 0, l);
  }
  for (const l of listeners) {
    const err = listenerError(l);
    if (err) return err;
  }
  return undefined;
}
