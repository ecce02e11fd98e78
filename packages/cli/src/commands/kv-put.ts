/** `proconsul kv put`: writes a value, optionally with check-and-set, flags or a lock. */
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags } from '../http-flags.js';
import { DataError, readDataArg } from './kv-data.js';

export const kvPut: Command = {
  synopsis: 'Sets or updates data in the KV store',
  help: `Usage: proconsul kv put [options] KEY [DATA]

  Writes the data to the given path in the key-value store. The data can be of
  any type.

      $ proconsul kv put config/redis/maxconns 5
      $ proconsul kv put config/program/license @license.lic
      $ echo "abcd1234" | proconsul kv put config/program/license -
      $ proconsul kv put -cas -modify-index=844 config/redis/maxconns 5`,
  flags: () =>
    new FlagSet([
      { name: 'cas', kind: 'bool', usage: 'Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.' },
      { name: 'flags', kind: 'uint', usage: 'Unsigned integer value to assign to this key-value pair. The default value is 0 (no flags).' },
      { name: 'base64', kind: 'bool', usage: 'Treat the data as base 64 encoded. The default value is false.' },
      { name: 'modify-index', kind: 'uint', usage: 'Unsigned integer representing the ModifyIndex of the key. This is used in combination with the -cas flag.' },
      { name: 'session', kind: 'string', usage: 'User-defined identifer for this session as a string. Commonly used with -acquire and -release.' },
      { name: 'acquire', kind: 'bool', usage: 'Obtain a lock on the key. If the key does not exist, this operation will create the key and obtain the lock. The session must already exist and be specified via the -session flag. The default value is false.' },
      { name: 'release', kind: 'bool', usage: 'Forfeit the lock on the key at the given path. This requires the -session flag to be set. The default value is false.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const args = f.args;
    if (args.length === 0) {
      ui.error('Error! Missing KEY argument');
      return 1;
    }
    if (args.length > 2) {
      ui.error(`Error! Too many arguments (expected 1 or 2, got ${args.length})`);
      return 1;
    }
    const key = args[0]!;
    let value: Uint8Array;
    try {
      value = await readDataArg(args[1] ?? '', ui.io);
    } catch (err) {
      if (err instanceof DataError) {
        ui.error(`Error! ${err.message}`);
        return 1;
      }
      throw err;
    }
    if (f.bool('base64')) {
      const text = new TextDecoder().decode(value);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
        ui.error('Error! Cannot base 64 decode data: illegal base64 data');
        return 1;
      }
      value = new Uint8Array(Buffer.from(text, 'base64'));
    }
    const session = f.string('session');
    const acquire = f.bool('acquire');
    const release = f.bool('release');
    if ((acquire || release) && session === '') {
      ui.error('Error! Missing -session (required with -acquire and -release)');
      return 1;
    }
    const cas = f.bool('cas');
    const modifyIndex = f.uint('modify-index');
    if (cas && modifyIndex === 0n) {
      ui.error('Must specify -modify-index with -cas!');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const flags = f.uint('flags');
    if (cas) {
      let ok: boolean;
      try {
        ok = await client.kv.put(key, value, { flags, cas: Number(modifyIndex) });
      } catch (err) {
        ui.error(`Error! Did not write to ${key}: ${errText(err)}`);
        return 1;
      }
      if (!ok) {
        ui.error(`Error! Did not write to ${key}: CAS failed`);
        return 1;
      }
      ui.info(`Success! Data written to: ${key}`);
      return 0;
    }
    if (acquire) {
      let ok: boolean;
      try {
        ok = await client.kv.put(key, value, { flags, acquire: session });
      } catch (err) {
        ui.error(`Error! Failed writing data: ${errText(err)}`);
        return 1;
      }
      if (!ok) {
        ui.error('Error! Did not acquire lock');
        return 1;
      }
      ui.info(`Success! Lock acquired on: ${key}`);
      return 0;
    }
    if (release) {
      let ok: boolean;
      try {
        ok = await client.kv.put(key, value, { flags, release: session });
      } catch (err) {
        ui.error(`Error! Failed writing data: ${errText(err)}`);
        return 1;
      }
      if (!ok) {
        ui.error('Error! Did not release lock');
        return 1;
      }
      ui.info(`Success! Lock released on: ${key}`);
      return 0;
    }
    try {
      await client.kv.put(key, value, { flags });
    } catch (err) {
      ui.error(`Error! Failed writing data: ${errText(err)}`);
      return 1;
    }
    ui.info(`Success! Data written to: ${key}`);
    return 0;
  },
};
