/** `proconsul services register|deregister`: local agent services from files or flags. */
import type { AgentServiceRegistration, ServiceAddress } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags } from '../http-flags.js';
import { ServiceFileError, servicesFromFiles } from '../service-file.js';

/** api.ParseServiceAddr: `host:port` or just a host (port 0). */
function parseServiceAddr(text: string): ServiceAddress {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]*):(\d+)$/.exec(text);
  if (m) return { Address: m[1]!, Port: Number(m[2]) };
  if (/:\D*$/.test(text) && !text.includes('::')) throw new Error(`invalid port in address: ${text}`);
  return { Address: text, Port: 0 };
}

/** Flag values fill in what a file leaves empty; meta, tags and tagged addresses are merged (Consul's CombineArgs). */
export function combineArgs(file: AgentServiceRegistration, flag: AgentServiceRegistration): AgentServiceRegistration {
  const out = { ...file };
  if (flag.ID && !out.ID) out.ID = flag.ID;
  if (flag.Name && !out.Name) out.Name = flag.Name;
  if (flag.Address && !out.Address) out.Address = flag.Address;
  if (flag.Port && !out.Port) out.Port = flag.Port;
  if (flag.Kind && !out.Kind) out.Kind = flag.Kind;
  if (flag.SocketPath && !out.SocketPath) out.SocketPath = flag.SocketPath;
  if (flag.Meta) out.Meta = { ...(out.Meta ?? {}), ...flag.Meta };
  if (flag.TaggedAddresses) out.TaggedAddresses = { ...(out.TaggedAddresses ?? {}), ...flag.TaggedAddresses };
  if (flag.Tags) out.Tags = [...(out.Tags ?? []), ...flag.Tags];
  return out;
}

export const servicesRegister: Command = {
  synopsis: 'Register services with the local agent',
  help: `Usage: proconsul services register [options] [FILE...]

  Register one or more services using the local agent API. Services can
  be registered from JSON configuration files or using flags.

      $ proconsul services register web.json
      $ proconsul services register -name=web -port=8080 -tag=v1`,
  flags: () =>
    new FlagSet([
      { name: 'id', kind: 'string', usage: "ID of the service to register for arg-based registration. If this isn't set, it will default to the -name value." },
      { name: 'name', kind: 'string', usage: 'Name of the service to register for arg-based registration.' },
      { name: 'address', kind: 'string', usage: 'Address of the service to register for arg-based registration.' },
      { name: 'port', kind: 'int', usage: 'Port of the service to register for arg-based registration.' },
      { name: 'socket', kind: 'string', usage: 'Path to the Unix domain socket to register for arg-based registration (conflicts with address and port).' },
      { name: 'meta', kind: 'map', usage: 'Metadata to set on the service, formatted as key=value. This flag may be specified multiple times to set multiple meta fields.' },
      { name: 'tag', kind: 'list', usage: 'Tag to add to the service. This flag can be specified multiple times to set multiple tags.' },
      { name: 'tagged-address', kind: 'map', usage: 'Tagged address to set on the service, formatted as key=value. This flag may be specified multiple times to set multiple addresses.' },
      { name: 'kind', kind: 'string', usage: "The services 'kind'" },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const taggedFlags = f.map('tagged-address');
    let tagged: Record<string, ServiceAddress> | undefined;
    if (Object.keys(taggedFlags).length > 0) {
      try {
        tagged = Object.fromEntries(Object.entries(taggedFlags).map(([k, v]) => [k, parseServiceAddr(v)]));
      } catch (err) {
        ui.error(`Invalid Tagged Address: ${errText(err)}`);
        return 1;
      }
    }
    const fromFlags: AgentServiceRegistration = { Name: f.string('name') };
    if (f.string('kind')) fromFlags.Kind = f.string('kind');
    if (f.string('id')) fromFlags.ID = f.string('id');
    if (f.string('address')) fromFlags.Address = f.string('address');
    if (f.int('port')) fromFlags.Port = f.int('port');
    if (f.string('socket')) fromFlags.SocketPath = f.string('socket');
    if (f.list('tag').length) fromFlags.Tags = f.list('tag');
    if (Object.keys(f.map('meta')).length) fromFlags.Meta = f.map('meta');
    if (tagged) fromFlags.TaggedAddresses = tagged;

    const args = f.args;
    if (args.length === 0 && fromFlags.Name === '') {
      ui.error('Service registration requires at least one argument or flags.');
      return 1;
    }
    if (args.length > 0 && fromFlags.Name !== '') {
      ui.error('Service registration requires arguments or -id, not both.');
      return 1;
    }
    let services: AgentServiceRegistration[] = [fromFlags];
    if (args.length > 0) {
      try {
        services = (await servicesFromFiles(args)).map((s) => combineArgs(s, fromFlags));
      } catch (err) {
        if (err instanceof ServiceFileError) {
          ui.error(`Error: ${err.message}`);
          return 1;
        }
        throw err;
      }
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    for (const svc of services) {
      try {
        await client.agent.serviceRegister(svc);
      } catch (err) {
        ui.error(`Error registering service ${JSON.stringify(svc.Name ?? '')}: ${errText(err)}`);
        return 1;
      }
      ui.output(`Registered service: ${svc.Name}`);
    }
    return 0;
  },
};

export const servicesDeregister: Command = {
  synopsis: 'Deregister services with the local agent',
  help: `Usage: proconsul services deregister [options] [FILE...]

  Deregister one or more services that were previously registered with
  the local agent.

      $ proconsul services deregister web.json db.json
      $ proconsul services deregister -id=web`,
  flags: () =>
    new FlagSet([{ name: 'id', kind: 'string', usage: 'ID to delete. This must not be set if arguments are given.' }])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const id = f.string('id');
    if (f.args.length === 0 && id === '') {
      ui.error('Service deregistration requires at least one argument or -id.');
      return 1;
    }
    if (f.args.length > 0 && id !== '') {
      ui.error('Service deregistration requires arguments or -id, not both.');
      return 1;
    }
    let services: Array<Partial<AgentServiceRegistration>> = [{ ID: id }];
    if (f.args.length > 0) {
      try {
        services = await servicesFromFiles(f.args);
      } catch (err) {
        if (err instanceof ServiceFileError) {
          ui.error(`Error: ${err.message}`);
          return 1;
        }
        throw err;
      }
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    for (const svc of services) {
      const sid = svc.ID || svc.Name || '';
      if (sid === '') continue;
      try {
        await client.agent.serviceDeregister(sid);
      } catch (err) {
        ui.error(`Error deregistering service ${JSON.stringify(sid)}: ${errText(err)}`);
        return 1;
      }
      ui.output(`Deregistered service: ${sid}`);
    }
    return 0;
  },
};
