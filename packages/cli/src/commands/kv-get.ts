/** `proconsul kv get`: one value, a prefix (-recurse) or key names (-keys), as Consul prints them. */
import { kvFlags, kvValueBytes, type KVPair } from '@proconsul/api';
import { tabwrite } from '../columnize.js';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';
import { kvKeyArg } from './kv-key.js';

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function valueOut(pair: KVPair, base64: boolean): Uint8Array {
  const bytes = kvValueBytes(pair);
  return base64 ? enc.encode(Buffer.from(bytes).toString('base64')) : bytes;
}

/** The -detailed block (Go's tabwriter with padding 6), value bytes kept as they are. */
export function prettyKVPair(pair: KVPair, base64: boolean): Uint8Array {
  const head = tabwrite(
    [
      `CreateIndex\t${pair.CreateIndex}`,
      `Flags\t${kvFlags(pair)}`,
      `Key\t${pair.Key}`,
      `LockIndex\t${pair.LockIndex}`,
      `ModifyIndex\t${pair.ModifyIndex}`,
      `Session\t${pair.Session ? pair.Session : '-'}`,
      'Value\t',
    ].join('\n'),
  );
  return concat(enc.encode(head), valueOut(pair, base64));
}

export const kvGet: Command = {
  synopsis: 'Retrieves or lists data from the KV store',
  help: `Usage: proconsul kv get [options] [KEY_OR_PREFIX]

  Retrieves the value from the key-value store at the given key name. If no
  key exists with that name, an error is returned. If a key exists with that
  name but has no data, nothing is returned.

      $ proconsul kv get foo
      $ proconsul kv get -detailed foo
      $ proconsul kv get -recurse foo
      $ proconsul kv get -keys foo`,
  flags: () =>
    new FlagSet([
      { name: 'base64', kind: 'bool', usage: 'Base64 encode the value. The default value is false.' },
      { name: 'detailed', kind: 'bool', usage: 'Provide additional metadata about the key in addition to the value such as the ModifyIndex and any flags that may have been set on the key. The default value is false.' },
      { name: 'keys', kind: 'bool', usage: 'List keys which start with the given prefix, but not their values. The default value is false.' },
      { name: 'recurse', kind: 'bool', usage: 'Recursively look at all keys prefixed with the given path. The default value is false.' },
      { name: 'separator', kind: 'string', default: '/', usage: 'String to use as a separator between keys. Only taken into account when paired with the -keys flag.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const key = kvKeyArg(f, ui);
    if (key === undefined) return 1;
    const recurse = f.bool('recurse');
    const keys = f.bool('keys');
    const detailed = f.bool('detailed');
    const b64 = f.bool('base64');
    if (key === '' && !(recurse || keys)) {
      ui.error('Error! Missing KEY argument');
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const q = { stale: staleFlag(f) };
    try {
      if (keys) {
        const { data } = await client.kv.keys(key, f.string('separator'), q);
        for (const k of data) ui.info(k);
        return 0;
      }
      if (recurse) {
        const { data } = await client.kv.list(key, q);
        data.forEach((pair, i) => {
          if (detailed) {
            ui.io.write(prettyKVPair(pair, b64));
            ui.io.write('\n');
            if (i < data.length - 1) ui.info('');
          } else {
            ui.io.write(concat(enc.encode(`${pair.Key}:`), valueOut(pair, b64), enc.encode('\n')));
          }
        });
        return 0;
      }
      const { data: pair } = await client.kv.get(key, q);
      if (!pair) {
        ui.error(`Error! No key exists at: ${key}`);
        return 1;
      }
      ui.io.write(detailed ? prettyKVPair(pair, b64) : valueOut(pair, b64));
      ui.io.write('\n');
      return 0;
    } catch (err) {
      ui.error(`Error querying Consul agent: ${errText(err)}`);
      return 1;
    }
  },
};
