/**
 * `proconsul peering generate-token|establish|list|read|delete`: cluster peering, with the texts
 * and flags of Consul's command/peering/*. (Partitions are Enterprise: no -partition flag.)
 */
import type { Peering } from '@proconsul/api';
import type { Command } from '../command.js';
import { columnize } from '../columnize.js';
import { FlagSet, type ParsedFlags } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';
import type { Ui } from '../io.js';

const FORMATS = ['pretty', 'json'];
const NAME_USAGE = '(Required) The local name assigned to the peer cluster.';
const nameFlag = () => new FlagSet([{ name: 'name', kind: 'string', usage: NAME_USAGE }]);
const formatFlag = () => new FlagSet([{ name: 'format', kind: 'string', default: 'pretty', usage: `Output format {${FORMATS.join('|')}} (default: pretty)` }]);
const metaFlag = (what: string) => new FlagSet([{ name: 'meta', kind: 'map', usage: `Metadata to associate with the peering, formatted as key=value. This flag may be specified multiple times to set multiple ${what}.` }]);

/** The checks every peering command runs before it calls the agent (Consul's order). */
function precheck(f: ParsedFlags, ui: Ui, needs: { name?: boolean; format?: boolean }): boolean {
  if (needs.name && f.string('name') === '') {
    ui.error('Missing the required -name flag');
    return false;
  }
  if (needs.format && !FORMATS.includes(f.string('format'))) {
    ui.error(`Invalid format, valid formats are {${FORMATS.join('|')}}`);
    return false;
  }
  return true;
}

const metaOf = (f: ParsedFlags): Record<string, string> | undefined => (Object.keys(f.map('meta')).length > 0 ? f.map('meta') : undefined);

export const peeringGenerateToken: Command = {
  synopsis: 'Generate a peering token',
  help: `Usage: proconsul peering generate-token [options] -name <peer name>

  Generate a peering token. The name provided will be used locally by
  this cluster to refer to the peering connection. Re-generating a token
  for a given name will not interrupt any active connection, but will
  invalidate any unused token for that name.

  Example:

    $ proconsul peering generate-token -name west-dc

  Example using a load balancer in front of the servers:

    $ proconsul peering generate-token -name west-dc -server-external-addresses lb.example.com:8300`,
  flags: () =>
    nameFlag()
      .merge(metaFlag('metadata fields'))
      .merge(new FlagSet([{ name: 'server-external-addresses', kind: 'string', usage: 'A list of addresses to put into the generated token, formatted as a comma-separate list. Addresses are the form of <host or IP>:port. This could be used to specify load balancer(s) or external IPs to reach the servers from the dialing side, and will override any server addresses obtained from the "consul" service.' }]))
      .merge(formatFlag())
      .merge(clientFlags()),
  async run(f, ui) {
    if (!precheck(f, ui, { name: true, format: true })) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    const external = f.string('server-external-addresses');
    const meta = metaOf(f);
    let token: string;
    try {
      token = await client.peerings.generateToken({ PeerName: f.string('name'), ...(meta ? { Meta: meta } : {}), ...(external ? { ServerExternalAddresses: external.split(',') } : {}) });
    } catch (err) {
      ui.error(`Error generating peering token for ${f.string('name')}: ${errText(err)}`);
      return 1;
    }
    ui.output(f.string('format') === 'json' ? JSON.stringify({ PeeringToken: token }) : token);
    return 0;
  },
};

export const peeringEstablish: Command = {
  synopsis: 'Establish a peering connection',
  help: `Usage: proconsul peering establish [options] -name <peer name> -peering-token <token>

  Establish a peering connection. The name provided will be used locally by
  this cluster to refer to the peering connection. The peering token can
  only be used once to establish the connection.

  Example:

    $ proconsul peering establish -name west-dc -peering-token <token>`,
  flags: () =>
    nameFlag()
      .merge(new FlagSet([{ name: 'peering-token', kind: 'string', usage: '(Required) The peering token from the accepting cluster.' }]))
      .merge(metaFlag('meta fields'))
      .merge(clientFlags()),
  async run(f, ui) {
    if (!precheck(f, ui, { name: true })) return 1;
    if (f.string('peering-token') === '') {
      ui.error('Missing the required -peering-token flag');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const meta = metaOf(f);
    try {
      await client.peerings.establish({ PeerName: f.string('name'), PeeringToken: f.string('peering-token'), ...(meta ? { Meta: meta } : {}) });
    } catch (err) {
      ui.error(`Error establishing peering for ${f.string('name')}: ${errText(err)}`);
      return 1;
    }
    ui.info(`Successfully established peering connection with ${f.string('name')}`);
    return 0;
  },
};

const metaText = (meta: Record<string, string> | undefined): string => Object.entries(meta ?? {}).map(([k, v]) => `${k}=${v}`).join(',');

export const peeringList: Command = {
  synopsis: 'List peering connections',
  help: `Usage: proconsul peering list [options]

  List all peering connections.  The results will be filtered according
  to ACL policy configuration.

  Example:

    $ proconsul peering list`,
  flags: () => formatFlag().merge(clientFlags()),
  async run(f, ui) {
    if (!precheck(f, ui, { format: true })) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    let list: Peering[];
    try {
      list = await client.peerings.list();
    } catch {
      ui.error('Error listing peerings');
      return 1;
    }
    list.sort((x, y) => (x.Name < y.Name ? -1 : x.Name > y.Name ? 1 : 0));
    if (f.string('format') === 'json') {
      ui.output(JSON.stringify(list));
      return 0;
    }
    if (list.length === 0) {
      ui.info('There are no peering connections.');
      return 0;
    }
    const rows = ['Name\x1fState\x1fImported Svcs\x1fExported Svcs\x1fMeta'];
    for (const p of list) {
      rows.push([p.Name, p.State, p.StreamStatus.ImportedServices?.length ?? 0, p.StreamStatus.ExportedServices?.length ?? 0, metaText(p.Meta)].join('\x1f'));
    }
    ui.output(columnize(rows));
    return 0;
  },
};

/** formatPeering of Consul's `peering read`. */
export function formatPeering(p: Peering): string {
  const lines = [`Name:         ${p.Name}`, `ID:           ${p.ID}`];
  if (p.Partition) lines.push(`Partition:    ${p.Partition}`);
  if (p.DeletedAt) lines.push(`DeletedAt:    ${p.DeletedAt.replace(/\.\d+Z$/, 'Z')}`);
  lines.push(`State:        ${p.State}`);
  if (p.Meta && Object.keys(p.Meta).length > 0) {
    lines.push('Meta:');
    for (const [k, v] of Object.entries(p.Meta)) lines.push(`    ${k}=${v}`);
  }
  lines.push('', `Peer ID:               ${p.PeerID ?? ''}`, `Peer Server Name:      ${p.PeerServerName ?? ''}`, `Peer CA Pems:          ${p.PeerCAPems?.length ?? 0}`);
  if (p.PeerServerAddresses && p.PeerServerAddresses.length > 0) {
    lines.push('Peer Server Addresses:');
    for (const a of p.PeerServerAddresses) lines.push(`    ${a}`);
  }
  lines.push('', `Imported Services: ${p.StreamStatus.ImportedServices?.length ?? 0}`, `Exported Services: ${p.StreamStatus.ExportedServices?.length ?? 0}`);
  lines.push('', `Create Index: ${p.CreateIndex}`, `Modify Index: ${p.ModifyIndex}`, '');
  return lines.join('\n');
}

export const peeringRead: Command = {
  synopsis: 'Read a peering connection',
  help: `Usage: proconsul peering read [options] -name <peer name>

  Read a peering connection with the provided name.  If one is not found,
  the command will exit with a non-zero code. The result will be filtered according
  to ACL policy configuration.

  Example:

    $ proconsul peering read -name west-dc`,
  flags: () => nameFlag().merge(formatFlag()).merge(clientFlags()),
  async run(f, ui) {
    if (!precheck(f, ui, { name: true, format: true })) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    let p: Peering | null;
    try {
      p = await client.peerings.read(f.string('name'));
    } catch (err) {
      ui.error(`Error reading peering: ${errText(err)}`);
      return 1;
    }
    if (!p) {
      ui.error(`No peering with name ${f.string('name')} found.`);
      return 1;
    }
    ui.output(f.string('format') === 'json' ? JSON.stringify(p) : formatPeering(p));
    return 0;
  },
};

export const peeringDelete: Command = {
  synopsis: 'Delete a peering connection',
  help: `Usage: proconsul peering delete [options] -name <peer name>

  Delete a peering connection.  Proconsul deletes all data imported from the peer
  in the background. The peering connection is removed after all associated
  data has been deleted. Operators can still read the peering connections
  while the data is being removed. A 'DeletedAt' field will be populated with
  the timestamp of when the peering was marked for deletion.

  Example:

    $ proconsul peering delete -name west-dc`,
  flags: () => nameFlag().merge(clientFlags()),
  async run(f, ui) {
    if (!precheck(f, ui, { name: true })) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    try {
      await client.peerings.delete(f.string('name'));
    } catch (err) {
      ui.error(`Error deleting peering for ${f.string('name')}: ${errText(err)}`);
      return 1;
    }
    ui.info(`Successfully submitted peering connection, ${f.string('name')}, for deletion`);
    return 0;
  },
};
