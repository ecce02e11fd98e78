/**
 * `proconsul config write|read|list|delete`: Consul 1.17's command/config/* over /v1/config, with
 * its flags, texts and exit codes. An entry file is HCL or JSON (the agent's HCL parser), decoded
 * with the same decoder the agent uses (snake_case or CamelCase keys, unknown keys refused).
 */
import { readFile } from 'node:fs/promises';
import { ConfigEntryKindUnsupportedError, decodeConfigEntry } from '@proconsul/catalog';
import type { Command } from '../command.js';
import type { Consul } from '@proconsul/api';
import { FlagSet, type ParsedFlags } from '../flags.js';
import type { Io, Ui } from '../io.js';
import { apiClient, clientFlags, dcParams, errText, serverFlags } from '../http-flags.js';
import { goFileError } from './kv-data.js';

const CAS_USAGE = 'Perform a Check-And-Set operation. Specifying this value also requires the -modify-index flag to be set. The default value is false.';
const MODIFY_INDEX_USAGE = 'Unsigned integer representing the ModifyIndex of the config entry. This is used in combination with the -cas flag.';

type Obj = Record<string, unknown>;

/** helpers.LoadDataSourceNoRaw: a file path, or `-` for stdin. */
async function loadData(arg: string, io: Io): Promise<string> {
  if (arg === '-') return Buffer.from(await io.readStdin()).toString('utf8');
  try {
    return await readFile(arg, 'utf8');
  } catch (err) {
    throw new Error(`Failed to read file: ${goFileError(err, arg)}`);
  }
}

/**
 * helpers.ParseConfigEntry: HCL (JSON is HCL too) decoded as the entry's kind. Returns the body
 * to send with its kind and name; a kind this agent does not decode goes as written (the agent
 * answers for it).
 */
export async function parseConfigEntryText(text: string): Promise<{ kind: string; name: string; body: Obj }> {
  let raw: unknown;
  if (text.trimStart().startsWith('{')) raw = JSON.parse(text);
  else {
    const { parseHcl } = await import('@proconsul/agent');
    raw = parseHcl(text);
  }
  try {
    const { kind, fields } = decodeConfigEntry(raw);
    const name = kind === 'mesh' ? 'mesh' : typeof fields.Name === 'string' ? fields.Name : '';
    return { kind, name, body: { ...fields, Kind: kind } };
  } catch (err) {
    if (!(err instanceof ConfigEntryKindUnsupportedError)) throw err;
    const r = raw as Obj;
    const name = (r.Name ?? r.name) as unknown;
    return { kind: String(r.Kind ?? r.kind), name: typeof name === 'string' ? name : '', body: r };
  }
}

/** -kind (and for read -name), checked in Consul's order, then the client; undefined after printing the error. */
function target(f: ParsedFlags, ui: Ui, withName: boolean): { kind: string; name: string; client: Consul } | undefined {
  const kind = f.string('kind');
  const name = withName ? f.string('name') : '';
  if (kind === '') ui.error('Must specify the -kind parameter');
  else if (withName && name === '') ui.error('Must specify the -name parameter');
  else {
    const client = apiClient(f, ui);
    return client && { kind, name, client };
  }
  return undefined;
}

/** Consul's -cas/-modify-index params for a write or delete. */
const casParams = (cas: boolean, index: bigint): Array<[string, string]> => (cas ? [['cas', index.toString()]] : []);

export const configWrite: Command = {
  synopsis: 'Create or update a centralized config entry',
  help: `Usage: proconsul config write [options] <configuration>

  Request a config entry to be created or updated. The configuration
  argument is either a file path or '-' to indicate that the config
  should be read from stdin. The data should be either in HCL or
  JSON form.

  Example (from file):

    $ proconsul config write web.service.hcl

  Example (from stdin):

    $ proconsul config write -`,
  flags: () =>
    new FlagSet([
      { name: 'cas', kind: 'bool', usage: CAS_USAGE },
      { name: 'modify-index', kind: 'uint', usage: MODIFY_INDEX_USAGE },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    if (f.args.length !== 1) {
      ui.error('Must provide exactly one positional argument to specify the config entry to write');
      return 1;
    }
    let text: string;
    try {
      text = await loadData(f.args[0]!, ui.io);
    } catch (err) {
      ui.error(`Failed to load data: ${errText(err)}`);
      return 1;
    }
    let entry: { kind: string; name: string; body: Obj };
    try {
      entry = await parseConfigEntryText(text);
    } catch (err) {
      ui.error(`Failed to decode config entry input: ${errText(err)}`);
      return 1;
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    const cas = f.bool('cas');
    let written: boolean;
    try {
      const params = [...dcParams(client), ...casParams(cas, f.uint('modify-index'))];
      written = (await client.http.json<boolean>({ method: 'PUT', path: '/config', params, body: entry.body })).data === true;
    } catch (err) {
      ui.error(`Error writing config entry ${entry.kind}/${entry.name}: ${errText(err)}`);
      return 1;
    }
    if (!written) {
      ui.error(`Config entry not updated: ${entry.kind}/${entry.name}`);
      return 1;
    }
    ui.info(`Config entry written: ${entry.kind}/${entry.name}`);
    return 0;
  },
};

export const configRead: Command = {
  synopsis: 'Read a centralized config entry',
  help: `Usage: proconsul config read [options] -kind <config kind> -name <config name>

  Reads the config entry specified by the given kind and name and outputs its
  JSON representation.

  Example:

    $ proconsul config read -kind proxy-defaults -name global`,
  flags: () =>
    new FlagSet([
      { name: 'kind', kind: 'string', usage: 'The kind of configuration to read.' },
      { name: 'name', kind: 'string', usage: 'The name of configuration to read.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const t = target(f, ui, true);
    if (!t) return 1;
    const { kind, name, client } = t;
    try {
      const path = `/config/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;
      const params = [...dcParams(client), ...(f.set.has('stale') && f.bool('stale') ? [['stale', ''] as [string, string]] : [])];
      const { data } = await client.http.json<Obj>({ method: 'GET', path, params });
      ui.info(JSON.stringify(data, null, 4));
      return 0;
    } catch (err) {
      ui.error(`Error reading config entry ${kind}/${name}: ${errText(err)}`);
      return 1;
    }
  },
};

export const configList: Command = {
  synopsis: 'List centralized config entries of a given kind',
  help: `Usage: proconsul config list [options] -kind <config kind>

  Lists all of the config entries for a given kind. The -kind parameter
  is required.

  Example:

    $ proconsul config list -kind service-defaults`,
  flags: () =>
    new FlagSet([
      { name: 'kind', kind: 'string', usage: 'The kind of configurations to list.' },
      { name: 'filter', kind: 'string', usage: 'Filter to use with the request.' },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const t = target(f, ui, false);
    if (!t) return 1;
    const { kind, client } = t;
    try {
      const filter = f.string('filter');
      const params = [...dcParams(client), ...(filter !== '' ? [['filter', filter] as [string, string]] : [])];
      const { data } = await client.http.json<Obj[]>({ method: 'GET', path: `/config/${encodeURIComponent(kind)}`, params });
      for (const e of data ?? []) ui.info(e.Kind === 'mesh' ? 'mesh' : String(e.Name ?? ''));
      return 0;
    } catch (err) {
      ui.error(`Error listing config entries for kind ${JSON.stringify(kind)}: ${errText(err)}`);
      return 1;
    }
  },
};

export const configDelete: Command = {
  synopsis: 'Delete a centralized config entry',
  help: `Usage: proconsul config delete [options] ([-kind <config kind> -name <config name>] | [-f FILENAME])

  Deletes the configuration entry specified by the kind and name.

  Example:

    $ proconsul config delete -kind service-defaults -name web
    $ proconsul config delete -filename service-defaults-web.hcl`,
  flags: () =>
    new FlagSet([
      { name: 'filename', kind: 'string', usage: 'The filename of the config entry to delete' },
      { name: 'kind', kind: 'string', usage: 'The kind of configuration to delete.' },
      { name: 'name', kind: 'string', usage: 'The name of configuration to delete.' },
      { name: 'cas', kind: 'bool', usage: CAS_USAGE },
      { name: 'modify-index', kind: 'uint', usage: MODIFY_INDEX_USAGE },
    ])
      .merge(clientFlags())
      .merge(serverFlags()),
  async run(f, ui) {
    const filename = f.string('filename');
    let kind = f.string('kind');
    let name = f.string('name');
    const cas = f.bool('cas');
    const modifyIndex = f.uint('modify-index');
    // validateArgs, in its order.
    const count = [filename, kind, name].filter((v) => v !== '').length;
    let invalid: string | undefined;
    if (count >= 3) invalid = "filename can't be used with kind or name";
    else if (count === 0) invalid = 'Must specify the -kind or -filename parameter';
    else if (filename !== '') invalid = count === 2 ? "filename can't be used with kind or name" : undefined;
    else if (kind === '') invalid = 'Must specify the -kind parameter';
    else if (name === '') invalid = 'Must specify the -name parameter';
    if (invalid === undefined && cas && modifyIndex === 0n) invalid = 'Must specify a -modify-index greater than 0 with -cas';
    if (invalid === undefined && modifyIndex !== 0n && !cas) invalid = 'Cannot specify -modify-index without -cas';
    if (invalid !== undefined) {
      ui.error(invalid);
      return 1;
    }
    if (filename !== '') {
      let text: string;
      try {
        text = await loadData(filename, ui.io);
      } catch (err) {
        ui.error(`Failed to load data: ${errText(err)}`);
        return 1;
      }
      try {
        ({ kind, name } = await parseConfigEntryText(text));
      } catch (err) {
        ui.error(`Failed to decode config entry input: ${errText(err)}`);
        return 1;
      }
    }
    const client = apiClient(f, ui);
    if (!client) return 1;
    let deleted: boolean;
    try {
      const path = `/config/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;
      const { data } = await client.http.json<unknown>({ method: 'DELETE', path, params: [...dcParams(client), ...casParams(cas, modifyIndex)] });
      deleted = cas ? data === true : true;
    } catch (err) {
      ui.error(`Error deleting config entry ${kind}/${name}: ${errText(err)}`);
      return 1;
    }
    if (!deleted) {
      ui.error(`Config entry not deleted: ${kind}/${name}`);
      return 1;
    }
    ui.info(`Config entry deleted: ${kind}/${name}`);
    return 0;
  },
};
