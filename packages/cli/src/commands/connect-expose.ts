/**
 * `proconsul connect expose` (Consul's command/connect/expose/expose.go): adds a service to an
 * ingress gateway's config entry, on the listener of -port (made when absent; refused when it
 * has another protocol), written with check-and-set so a concurrent change is not lost; then
 * allows the gateway to reach the service with an intention unless one already allows it.
 */
import { intentionGetExact, intentionUpsert } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, dcParams, errText, clientFlags, serverFlags } from '../http-flags.js';
import { parseTarget } from './intention.js';

/** api.IngressService: the fields this command writes (others of a replaced service are dropped, as in Consul). */
interface IngressService {
  Name: string;
  Hosts: string[] | null;
  Namespace?: string;
  [k: string]: unknown;
}

interface IngressListener {
  Port: number;
  Protocol?: string;
  Services?: IngressService[];
  [k: string]: unknown;
}

interface IngressGatewayEntry {
  Kind: 'ingress-gateway';
  Name: string;
  Namespace?: string;
  Listeners?: IngressListener[];
  ModifyIndex?: number;
  [k: string]: unknown;
}

/** agent.ConfigEntryNotFoundErr: a 404 that only means the entry is still to be made. */
const CONFIG_ENTRY_NOT_FOUND = 'Config entry not found';

/** entMetaMatch in CE: namespaces compared case-insensitively, empty meaning `default`. */
const sameNamespace = (a: string | undefined, b: string | undefined): boolean => (a || 'default').toLowerCase() === (b || 'default').toLowerCase();

export const connectExpose: Command = {
  synopsis: 'Expose a Connect-enabled service through an Ingress gateway',
  help: `Usage: proconsul connect expose [options]

  Exposes a Connect-enabled service through the given ingress gateway, using the
  given protocol and port.`,
  flags: () =>
    new FlagSet([
      {
        name: 'ingress-gateway',
        kind: 'string',
        usage: "(Required) The name of the ingress gateway service to use. Namespace and partition can optionally be specified as a prefix via the 'partition/namespace/service' format.",
      },
      {
        name: 'service',
        kind: 'string',
        usage: "(Required) The name of destination service to expose. Namespace and partition can optionally be specified as a prefix via the 'partition/namespace/service' format.",
      },
      { name: 'port', kind: 'int', usage: '(Required) The listener port to use for the service on the Ingress gateway.' },
      { name: 'protocol', kind: 'string', default: 'tcp', usage: "The protocol for the service. Defaults to 'tcp'." },
      { name: 'host', kind: 'list', usage: 'Additional DNS hostname to use for routing to this service.Can be specified multiple times.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const serviceFlag = f.string('service');
    const gatewayFlag = f.string('ingress-gateway');
    const port = f.int('port');
    const protocol = f.string('protocol');
    if (serviceFlag === '') {
      ui.error('A service name must be given via the -service flag.');
      return 1;
    }
    let svc: { name: string; ns?: string };
    try {
      svc = parseTarget(serviceFlag);
    } catch (err) {
      ui.error(`Invalid service name: ${errText(err)}`);
      return 1;
    }
    if (gatewayFlag === '') {
      ui.error('An ingress gateway service must be given via the -ingress-gateway flag.');
      return 1;
    }
    let gw: { name: string; ns?: string };
    try {
      gw = parseTarget(gatewayFlag);
    } catch (err) {
      ui.error(`Invalid ingress gateway name: ${errText(err)}`);
      return 1;
    }
    if (port === 0) {
      ui.error('A port must be provided via the -port flag.');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;

    let entry: IngressGatewayEntry | undefined;
    try {
      const path = `/config/ingress-gateway/${encodeURIComponent(gw.name)}`;
      entry = (await client.http.json<IngressGatewayEntry>({ method: 'GET', path, params: dcParams(client) })).data;
    } catch (err) {
      if (!errText(err).includes(CONFIG_ENTRY_NOT_FOUND)) {
        ui.error(`Error fetching existing ingress gateway configuration: ${errText(err)}`);
        return 1;
      }
    }
    entry ??= { Kind: 'ingress-gateway', Name: gw.name, ...(gw.ns ? { Namespace: gw.ns } : {}) };

    const hosts = f.list('host');
    const newService: IngressService = { Name: svc.name, Hosts: hosts.length > 0 ? hosts : null, ...(svc.ns ? { Namespace: svc.ns } : {}) };
    const listeners = entry.Listeners ?? [];
    const listener = listeners.find((l) => l.Port === port);
    if (listener) {
      if ((listener.Protocol ?? '') !== protocol) {
        ui.error(`Listener on port ${listener.Port} already configured with conflicting protocol ${JSON.stringify(listener.Protocol ?? '')}`);
        return 1;
      }
      const services = listener.Services ?? [];
      const i = services.findIndex((s) => s.Name === svc.name && sameNamespace(s.Namespace, svc.ns));
      if (i >= 0) {
        ui.output(`Updating service definition for ${JSON.stringify(serviceFlag)} on listener with port ${listener.Port}`);
        services[i] = newService;
      } else services.push(newService);
      listener.Services = services;
    } else {
      listeners.push({ Port: port, Protocol: protocol, Services: [newService] });
    }
    entry.Listeners = listeners;

    // Check-and-set on the index read (0: only if still absent), so a concurrent change is not lost.
    let written: boolean;
    try {
      const params: Array<[string, string]> = [...dcParams(client), ['cas', String(entry.ModifyIndex ?? 0)]];
      written = (await client.http.json<boolean>({ method: 'PUT', path: '/config', params, body: entry })).data === true;
    } catch (err) {
      ui.error(`Error writing ingress config entry: ${errText(err)}`);
      return 1;
    }
    if (!written) {
      ui.error('Ingress config entry was changed while attempting to update, please try again.');
      return 1;
    }
    ui.output(`Successfully updated config entry for ingress service ${JSON.stringify(gw.name)}`);

    try {
      const existing = await intentionGetExact(client.http, gatewayFlag, serviceFlag);
      if (existing && existing.Action === 'allow') {
        ui.output(`Intention already exists for ${JSON.stringify(gatewayFlag)} -> ${JSON.stringify(serviceFlag)}`);
        return 0;
      }
    } catch (err) {
      ui.error(`Error looking up existing intention: ${errText(err)}`);
      return 1;
    }
    try {
      await intentionUpsert(client.http, {
        SourceName: gw.name,
        ...(gw.ns ? { SourceNS: gw.ns } : {}),
        DestinationName: svc.name,
        ...(svc.ns ? { DestinationNS: svc.ns } : {}),
        SourceType: 'consul',
        Action: 'allow',
      });
    } catch (err) {
      ui.error(`Error upserting intention: ${errText(err)}`);
      return 1;
    }
    ui.output(`Successfully set up intention for ${JSON.stringify(gatewayFlag)} -> ${JSON.stringify(serviceFlag)}`);
    return 0;
  },
};
