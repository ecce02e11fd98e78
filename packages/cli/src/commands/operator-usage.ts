/**
 * `proconsul operator usage instances` (Consul's command/operator/usage/instances,
 * usage_instances.go and its CE counts): billable and Connect service instance counts of this
 * datacenter, or of every one with -all-datacenters, as Consul's tabwriter tables.
 */
import type { ServiceUsage, Usage } from '@proconsul/api';
import type { Command } from '../command.js';
import { tabwrite } from '../columnize.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags } from '../http-flags.js';

/** One row of a table (CE: the default partition and namespace only, so they are not shown). */
interface Row {
  datacenter: string;
  /** The Connect table's mesh kind; '' in the billable table. */
  kind: string;
  services: number;
  instances: number;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function rows(usage: Record<string, ServiceUsage>, billable: boolean): Row[] {
  const out: Row[] = [];
  for (const [datacenter, u] of Object.entries(usage)) {
    if (billable) out.push({ datacenter, kind: '', services: u.Services, instances: u.BillableServiceInstances });
    else for (const [kind, n] of Object.entries(u.ConnectServiceInstances ?? {})) out.push({ datacenter, kind, services: 0, instances: n });
  }
  // sortServiceCounts: datacenter, then type.
  return out.sort((a, b) => byCodeUnits(a.datacenter, b.datacenter) || byCodeUnits(a.kind, b.kind));
}

/** formatServiceCounts: the table, with a Total line when there is a Datacenter column. */
function table(usage: Record<string, ServiceUsage>, billable: boolean, showDatacenter: boolean): string {
  const dc = showDatacenter ? 'Datacenter\t' : '';
  let text = `${dc}${billable ? 'Services' : 'Type'}\tService instances\n`;
  let services = 0;
  let instances = 0;
  for (const r of rows(usage, billable)) {
    text += `${showDatacenter ? `${r.datacenter}\t` : ''}${billable ? r.services : r.kind}\t${r.instances}\n`;
    services += r.services;
    instances += r.instances;
  }
  if (showDatacenter) text += `\t\t\nTotal${billable ? `\t${services}\t${instances}` : `\t\t${instances}`}\n`;
  return tabwrite(text, 6, 0).trim();
}

export const operatorUsageInstances: Command = {
  synopsis: 'Display service instance usage information',
  help: `Usage: proconsul operator usage instances [options]

  Retrieves usage information about the number of services registered in a given
  datacenter. By default, the datacenter of the local agent is queried.

  To retrieve the service usage data:

      $ proconsul operator usage instances

  To show only billable service instance counts:

      $ proconsul operator usage instances -billable

  To show only connect service instance counts:

      $ proconsul operator usage instances -connect

  For a full list of options and examples, please see the Consul documentation.`,
  flags: () =>
    new FlagSet([
      { name: 'billable', kind: 'bool', usage: 'Display only billable service info. Cannot be used with -connect.' },
      { name: 'connect', kind: 'bool', usage: 'Display only Connect service info.Cannot be used with -billable.' },
      { name: 'all-datacenters', kind: 'bool', usage: 'Display service counts from all datacenters.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    if (f.args.length > 0) {
      ui.error(`Too many arguments (expected 0, got ${f.args.length})`);
      return 1;
    }
    const onlyBillable = f.bool('billable');
    const onlyConnect = f.bool('connect');
    if (onlyBillable && onlyConnect) {
      ui.error('Cannot specify both -billable and -connect flags');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const all = f.bool('all-datacenters');
    let usage: Usage;
    try {
      usage = (await client.operator.usage({ global: all })).data;
    } catch (err) {
      ui.error(`Error fetching usage information: ${errText(err)}`);
      return 1;
    }
    const byDc = usage.Usage ?? {};
    if (!onlyConnect) {
      const totals = Object.entries(byDc).map(([dc, u]) => `${dc} Billable Service Instances: ${u.BillableServiceInstances}`).sort(byCodeUnits);
      const total = Object.values(byDc).reduce((n, u) => n + u.BillableServiceInstances, 0);
      ui.output(`Billable Service Instances Total: ${total}`);
      for (const line of totals) ui.output(line);
      ui.output('\nBillable Services');
      ui.output(`${table(byDc, true, all)}\n`);
    }
    if (!onlyBillable) {
      ui.output('Connect Services');
      ui.output(table(byDc, false, all));
    }
    return 0;
  },
};
