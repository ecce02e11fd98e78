/** `proconsul kv delete`: removes a key, a prefix (-recurse) or a key at a known index (-cas). */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags } from '../http-flags.js';
import { kvKeyArg } from './kv-key.js';

export const kvDelete: Command = {
  synopsis: 'Removes data from the KV store',
  help: `Usage: proconsul kv delete [options] KEY_OR_PREFIX

  Removes the value from the key-value store at the given path. If no
  key exists at the path, no action is taken.

      $ proconsul kv delete foo
      $ proconsul kv delete -recurse foo`,
  flags: () =>
    new FlagSet([
      { name: 'cas', kind: 'bool', usage: 'Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.' },
      { name: 'modify-index', kind: 'uint', usage: 'Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.' },
      { name: 'recurse', kind: 'bool', usage: 'Recursively delete all keys with the path. The default value is false.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const key = kvKeyArg(f, ui);
    if (key === undefined) return 1;
    const recurse = f.bool('recurse');
    const cas = f.bool('cas');
    const modifyIndex = f.uint('modify-index');
    if (key === '' && !recurse) {
      ui.error('Error! Missing KEY argument');
      return 1;
    }
    if (cas && modifyIndex === 0n) {
      ui.error('Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.');
      return 1;
    }
    if (modifyIndex !== 0n && !cas) {
      ui.error('Cannot specify -modify-index without -cas!');
      return 1;
    }
    if (recurse && cas) {
      ui.error('Cannot specify both -cas and -recurse!');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    if (recurse) {
      try {
        await client.kv.deleteTree(key);
      } catch (err) {
        ui.error(`Error! Did not delete prefix ${key}: ${errText(err)}`);
        return 1;
      }
      ui.info(`Success! Deleted keys with prefix: ${key}`);
      return 0;
    }
    if (cas) {
      let ok: boolean;
      try {
        ok = await client.kv.deleteCAS(key, Number(modifyIndex));
      } catch (err) {
        ui.error(`Error! Did not delete key ${key}: ${errText(err)}`);
        return 1;
      }
      if (!ok) {
        ui.error(`Error! Did not delete key ${key}: CAS failed`);
        return 1;
      }
      ui.info(`Success! Deleted key: ${key}`);
      return 0;
    }
    try {
      await client.kv.delete(key);
    } catch (err) {
      ui.error(`Error deleting key ${key}: ${errText(err)}`);
      return 1;
    }
    ui.info(`Success! Deleted key: ${key}`);
    return 0;
  },
};
