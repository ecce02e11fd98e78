/** `proconsul maint`: node or service maintenance mode, or a listing of what is in maintenance. */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

export const maint: Command = {
  synopsis: 'Controls node or service maintenance mode',
  help: `Usage: proconsul maint [options]

  Places a node or service into maintenance mode. During maintenance mode,
  the node or service will be excluded from all queries through the DNS
  or API interfaces, effectively taking it out of the pool of available
  nodes. This is done by registering an additional critical health check.

  If no arguments are given, the agent's maintenance status will be shown.
  This will return blank if nothing is currently under maintenance.`,
  flags: () =>
    clientFlags().merge(
      new FlagSet([
        { name: 'enable', kind: 'bool', usage: 'Enable maintenance mode.' },
        { name: 'disable', kind: 'bool', usage: 'Disable maintenance mode.' },
        { name: 'reason', kind: 'string', usage: 'Text describing the maintenance reason.' },
        { name: 'service', kind: 'string', usage: 'Control maintenance mode for a specific service ID.' },
      ]),
    ),
  async run(f, ui) {
    const enable = f.bool('enable');
    const disable = f.bool('disable');
    const reason = f.string('reason');
    const serviceId = f.string('service');
    if (enable && disable) {
      ui.error('Only one of -enable or -disable may be provided');
      return 1;
    }
    if (!enable && reason !== '') {
      ui.error('Reason may only be provided with -enable');
      return 1;
    }
    if (!enable && !disable && serviceId !== '') {
      ui.error('Service requires either -enable or -disable');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const agent = client.agent;
    let nodeName: string;
    try {
      nodeName = await agent.nodeName();
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    }
    if (!enable && !disable) {
      let checks;
      try {
        checks = await agent.checks();
      } catch (err) {
        ui.error(`Error getting checks: ${errText(err)}`);
        return 1;
      }
      for (const check of Object.values(checks)) {
        if (check.CheckID === '_node_maintenance') {
          ui.output('Node:');
          ui.output('  Name:   ' + nodeName);
          ui.output('  Reason: ' + check.Notes);
          ui.output('');
        } else if (check.CheckID.startsWith('_service_maintenance:')) {
          ui.output('Service:');
          ui.output('  ID:     ' + check.ServiceID);
          ui.output('  Reason: ' + check.Notes);
          ui.output('');
        }
      }
      return 0;
    }
    if (enable) {
      if (serviceId === '') {
        try {
          await agent.enableNodeMaintenance(reason);
        } catch (err) {
          ui.error(`Error enabling node maintenance: ${errText(err)}`);
          return 1;
        }
        ui.output('Node maintenance is now enabled');
        return 0;
      }
      try {
        await agent.enableServiceMaintenance(serviceId, reason);
      } catch (err) {
        ui.error(`Error enabling service maintenance: ${errText(err)}`);
        return 1;
      }
      ui.output(`Service maintenance is now enabled for ${JSON.stringify(serviceId)}`);
      return 0;
    }
    if (serviceId === '') {
      try {
        await agent.disableNodeMaintenance();
      } catch (err) {
        ui.error(`Error disabling node maintenance: ${errText(err)}`);
        return 1;
      }
      ui.output('Node maintenance is now disabled');
      return 0;
    }
    try {
      await agent.disableServiceMaintenance(serviceId);
    } catch (err) {
      ui.error(`Error disabling service maintenance: ${errText(err)}`);
      return 1;
    }
    ui.output(`Service maintenance is now disabled for ${JSON.stringify(serviceId)}`);
    return 0;
  },
};
