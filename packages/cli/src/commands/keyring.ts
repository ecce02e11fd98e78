/** `proconsul keyring`: lists, installs, uses and removes gossip encryption keys cluster-wide. */
import type { KeyringResponse } from '@proconsul/api';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText } from '../http-flags.js';

/** Consul's handleList: one block per pool, `  <key> [<members with it>/<members>]`. */
export function formatKeyringList(responses: KeyringResponse[], primary = false): string {
  const lines: string[] = [];
  for (const r of responses) {
    let pool = `${r.Datacenter} (LAN)`;
    if (r.Segment) pool += ` [${r.Segment}]`;
    if (r.WAN) pool = 'WAN';
    lines.push('', `${pool}:`);
    for (const [key, n] of Object.entries((primary ? r.PrimaryKeys : r.Keys) ?? {})) lines.push(`  ${key} [${n}/${r.NumNodes}]`);
  }
  return lines.join('\n');
}

export const keyring: Command = {
  synopsis: 'Manages gossip layer encryption keys',
  help: `Usage: proconsul keyring [options]

  Manages encryption keys used for gossip messages. Gossip encryption is
  optional. When enabled, this command may be used to examine active encryption
  keys in the cluster, add new keys, and remove old ones. When combined, this
  functionality provides the ability to perform key rotation cluster-wide,
  without disrupting the cluster.

  All operations performed by this command can only be run against server nodes.

  All variations of the keyring command return 0 if all nodes reply and there
  are no errors. If any node fails to reply or reports failure, the exit code
  will be 1.`,
  flags: () =>
    new FlagSet([
      { name: 'install', kind: 'string', usage: 'Install a new encryption key. This will broadcast the new key to all members in the cluster.' },
      { name: 'use', kind: 'string', usage: 'Change the primary encryption key, which is used to encrypt messages. The key must already be installed before this operation can succeed.' },
      { name: 'remove', kind: 'string', usage: 'Remove the given key from the cluster. This operation may only be performed on keys which are not currently the primary key.' },
      { name: 'list', kind: 'bool', usage: 'List all keys currently in use within the cluster.' },
      { name: 'list-primary', kind: 'bool', usage: 'List all primary keys currently in use within the cluster.' },
      { name: 'relay-factor', kind: 'int', default: '0', usage: 'Setting this to a non-zero value will cause nodes to relay their response to the operation through this many randomly-chosen other nodes in the cluster. The maximum allowed value is 5.' },
    ]).merge(clientFlags()),
  async run(f, ui) {
    const install = f.string('install');
    const use = f.string('use');
    const remove = f.string('remove');
    const list = f.bool('list') || f.bool('list-primary');
    let found = list;
    for (const arg of [install, use, remove]) {
      if (found && arg) {
        ui.error('Only a single action is allowed');
        return 1;
      }
      found ||= arg !== '';
    }
    if (!found) {
      ui.error('Exactly one of -list, -list-primary, -install, -use or -remove must be given. Run "proconsul keyring -help" for usage.');
      return 1;
    }
    const relayFactor = f.int('relay-factor');
    if (relayFactor < 0 || relayFactor > 5) {
      ui.error('Error parsing relay factor: Relay factor must be in range: [0, 5]');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const op = client.operator;
    const steps: Array<[string, () => Promise<void>]> = [
      ['Installing new gossip encryption key...', () => op.keyringInstall(install, { relayFactor })],
      ['Changing primary gossip encryption key...', () => op.keyringUse(use, { relayFactor })],
      ['Removing gossip encryption key...', () => op.keyringRemove(remove, { relayFactor })],
    ];
    try {
      if (list) {
        ui.info('==> Gathering installed encryption keys...');
        ui.output(formatKeyringList(await op.keyringList({ relayFactor }), f.bool('list-primary')));
        return 0;
      }
      const [title, action] = steps[install ? 0 : use ? 1 : 2]!;
      ui.info(`==> ${title}`);
      await action();
      return 0;
    } catch (err) {
      ui.error(`error: ${errText(err)}`);
      return 1;
    }
  },
};
