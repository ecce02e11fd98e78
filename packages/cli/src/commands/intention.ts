/**
 * `proconsul intention create|get|list|check|match|delete`: Consul 1.17's command/intention/*
 * over /v1/connect/intentions*, with their flags, texts and exit codes (check: 0 allowed,
 * 1 denied, 2 an error).
 */
import { readFileSync } from 'node:fs';
import {
  intentionCheck,
  intentionCreate,
  intentionDelete,
  intentionDeleteExact,
  intentionGet,
  intentionGetExact,
  intentionList,
  intentionMatch,
  intentionPart,
  intentionString,
  intentionUpdate,
  type Consul,
  type Intention,
} from '@proconsul/api';
import { columnize } from '../columnize.js';
import type { Command } from '../command.js';
import { FlagSet } from '../flags.js';
import type { Ui } from '../io.js';
import { apiClient, clientAndServerFlags, errText } from '../http-flags.js';

const US = '\x1f';
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** Go's time.RFC850 of a time in the local zone: `Monday, 02-Jan-06 15:04:05 MST`. */
export function rfc850(iso: string, timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone, weekday: 'long', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23', timeZoneName: 'short', era: 'short',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const zone = parts.timeZoneName === 'GMT' ? 'UTC' : (parts.timeZoneName ?? 'UTC');
  const year = Number(parts.year) % 100;
  return `${parts.weekday ?? DAYS[d.getUTCDay()]}, ${pad(Number(parts.day))}-${MONTHS[Number(parts.month) - 1]}-${pad(year)} ${pad(Number(parts.hour))}:${parts.minute}:${parts.second} ${zone}`;
}

/** `consul intention get`'s table. */
export function intentionLines(ixn: Intention): string {
  const rows = [`Source:${US}${intentionPart(ixn.SourceNS, ixn.SourceName)}`, `Destination:${US}${intentionPart(ixn.DestinationNS, ixn.DestinationName)}`];
  if (ixn.Action) rows.push(`Action:${US}${ixn.Action}`);
  if (ixn.ID) rows.push(`ID:${US}${ixn.ID}`);
  if (ixn.Description) rows.push(`Description:${US}${ixn.Description}`);
  const meta = ixn.Meta ?? {};
  for (const k of Object.keys(meta).sort()) rows.push(`Meta[${k}]:${US}${meta[k]}`);
  rows.push(`Created At:${US}${rfc850(ixn.CreatedAt ?? '0001-01-01T00:00:00Z')}`);
  return columnize(rows);
}

/** `consul intention list`'s table. */
export function intentionListLines(ixns: Intention[]): string {
  const rows = [['ID', 'Source', 'Action', 'Destination', 'Precedence'].join(US)];
  for (const i of ixns) rows.push([i.ID ?? '', i.SourceName, i.Action ?? '', i.DestinationName, String(i.Precedence ?? 0)].join(US));
  return columnize(rows);
}

/** The source/destination as the API takes them: `ns/name` when a namespace was given. */
const formatTarget = (ns: string | undefined, name: string): string => (ns ? `${ns}/${name}` : name);

/** ParseIntentionTarget: name, namespace/name or partition/namespace/name. */
export function parseTarget(input: string): { name: string; ns?: string } {
  const parts = input.split('/');
  if (parts.length > 3) throw new Error("input can contain at most two '/'");
  return parts.length === 1 ? { name: input } : { name: parts[parts.length - 1]!, ns: parts[parts.length - 2]! };
}

function connect(f: Parameters<Command['run']>[0], ui: Ui, code = 1): Consul | number {
  return apiClient(f, ui) ?? code;
}

/** GetFromArgs: by ID (one argument) or by source and destination (two). */
async function getFromArgs(client: Consul, args: string[]): Promise<Intention> {
  const [a, b] = args;
  if (args.length !== 1 && args.length !== 2) throw new Error('command requires exactly 1 or 2 arguments');
  let ixn: Intention | null;
  try {
    ixn = args.length === 1 ? await intentionGet(client.http, a!) : await intentionGetExact(client.http, a!, b!);
  } catch (err) {
    throw new Error(`Error reading the intention: ${errText(err)}`);
  }
  if (ixn) return ixn;
  throw new Error(args.length === 1 ? `Intention not found with ID ${JSON.stringify(a)}` : `Intention not found with source ${JSON.stringify(a)} and destination ${JSON.stringify(b)}`);
}

export const intentionCreateCmd: Command = {
  synopsis: 'Create intentions for service connections.',
  help: `Usage: proconsul intention create [options] SRC DST
Usage: proconsul intention create [options] -file FILE...

  Create one or more intentions. The data can be specified as a single
  source and destination pair or via a set of files when the "-file" flag
  is specified.

      $ proconsul intention create web db

  To consume data from a set of files:

      $ proconsul intention create -file one.json two.json

  When specifying the "-file" flag, "-" may be used once to read from stdin:

      $ echo "{ ... }" | proconsul intention create -file -

  An "allow" intention is created by default (allowlist). To create a
  "deny" intention, the "-deny" flag should be specified.

  If a conflicting intention is found, creation will fail. To replace any
  conflicting intentions, specify the "-replace" flag. This will replace any
  conflicting intentions with the intention specified in this command.
  Metadata and any other fields of the previous intention will not be
  preserved.`,
  flags: () =>
    new FlagSet([
      { name: 'allow', kind: 'bool', usage: 'Create an intention that allows when matched.' },
      { name: 'deny', kind: 'bool', usage: 'Create an intention that denies when matched.' },
      { name: 'file', kind: 'bool', usage: 'Read intention data from one or more files.' },
      { name: 'replace', kind: 'bool', usage: 'Replace matching intentions.' },
      { name: 'meta', kind: 'map', usage: 'Metadata to set on the intention, formatted as key=value. This flag may be specified multiple times to set multiple meta fields.' },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    let allow = f.bool('allow');
    const deny = f.bool('deny');
    if (!allow && !deny) allow = true;
    if (allow && deny) {
      ui.error('Only one of -allow or -deny may be specified.');
      return 1;
    }
    let ixns: Intention[];
    try {
      ixns = f.bool('file') ? await fromFiles(f.args, ui) : fromArgs(f.args, allow ? 'allow' : 'deny', f.map('meta'));
    } catch (err) {
      ui.error(`Error: ${errText(err)}`);
      return 1;
    }
    const client = connect(f, ui);
    if (typeof client === 'number') return client;
    for (const ixn of ixns) {
      const src = formatTarget(ixn.SourceNS, ixn.SourceName);
      const dst = formatTarget(ixn.DestinationNS, ixn.DestinationName);
      if (f.bool('replace')) {
        let old: Intention | null;
        try {
          old = await intentionGetExact(client.http, src, dst);
        } catch (err) {
          ui.error(`Error looking up intention for replacement with source ${JSON.stringify(src)} and destination ${JSON.stringify(dst)}: ${errText(err)}`);
          return 1;
        }
        if (old) {
          try {
            await intentionUpdate(client.http, { ...ixn, ID: old.ID ?? '' });
          } catch (err) {
            ui.error(`Error replacing intention with source ${JSON.stringify(src)} and destination ${JSON.stringify(dst)}: ${errText(err)}`);
            return 1;
          }
          continue;
        }
      }
      try {
        await intentionCreate(client.http, ixn);
      } catch (err) {
        ui.error(`Error creating intention ${JSON.stringify(intentionString(ixn))}: ${errText(err)}`);
        return 1;
      }
      ui.output(`Created: ${intentionString(ixn)}`);
    }
    return 0;
  },
};

function fromArgs(args: string[], action: string, meta: Record<string, string>): Intention[] {
  if (args.length !== 2) throw new Error('Must specify two arguments: source and destination');
  let src, dst;
  try {
    src = parseTarget(args[0]!);
  } catch (err) {
    throw new Error(`Invalid intention source: ${errText(err)}`);
  }
  try {
    dst = parseTarget(args[1]!);
  } catch (err) {
    throw new Error(`Invalid intention destination: ${errText(err)}`);
  }
  return [
    {
      ...(src.ns ? { SourceNS: src.ns } : {}),
      SourceName: src.name,
      ...(dst.ns ? { DestinationNS: dst.ns } : {}),
      DestinationName: dst.name,
      SourceType: 'consul',
      Action: action,
      ...(Object.keys(meta).length > 0 ? { Meta: meta } : {}),
    },
  ];
}

/** ixnsFromFiles: one JSON intention per file, `-` for stdin. */
async function fromFiles(paths: string[], ui: Ui): Promise<Intention[]> {
  const out: Intention[] = [];
  for (const p of paths) {
    const text = p === '-' ? Buffer.from(await ui.io.readStdin()).toString('utf8') : readFileSync(p, 'utf8');
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('json: cannot unmarshal into Go value of type api.Intention');
    out.push(v as Intention);
  }
  return out;
}

export const intentionGetCmd: Command = {
  synopsis: 'Show information about an intention.',
  help: `Usage: proconsul intention get [options] SRC DST
Usage: proconsul intention get [options] ID

  Read and show the details about an intention. The intention can be looked
  up via an exact source/destination match or via the unique intention ID.

      $ proconsul intention get web db`,
  flags: () => clientAndServerFlags(),
  async run(f, ui) {
    const client = connect(f, ui);
    if (typeof client === 'number') return client;
    let ixn: Intention;
    try {
      ixn = await getFromArgs(client, f.args);
    } catch (err) {
      ui.error(errText(err));
      return 1;
    }
    ui.output(intentionLines(ixn));
    if (ixn.Permissions && ixn.Permissions.length > 0) ui.output(`Permissions:\n${JSON.stringify(ixn.Permissions, null, 2)}`);
    return 0;
  },
};

export const intentionListCmd: Command = {
  synopsis: 'List intentions.',
  help: `Usage: proconsul intention list

  List all intentions.`,
  flags: () => clientAndServerFlags(),
  async run(f, ui) {
    const client = connect(f, ui);
    if (typeof client === 'number') return client;
    let ixns: Intention[];
    try {
      ixns = (await intentionList(client.http)).data;
    } catch (err) {
      ui.error(`Failed to retrieve the intentions list: ${errText(err)}`);
      return 1;
    }
    if (ixns.length === 0) {
      ui.error('There are no intentions.');
      return 2;
    }
    ui.output(intentionListLines(ixns));
    return 0;
  },
};

export const intentionCheckCmd: Command = {
  synopsis: 'Check whether a connection between two services is allowed.',
  help: `Usage: proconsul intention check [options] SRC DST

  Check whether a connection between SRC and DST would be allowed by
  Connect given the current Consul configuration.

      $ proconsul intention check web db`,
  flags: () => clientAndServerFlags(),
  async run(f, ui) {
    if (f.args.length !== 2) {
      ui.error('Error: command requires exactly two arguments: src and dst');
      return 2;
    }
    const client = connect(f, ui, 2);
    if (typeof client === 'number') return client;
    let allowed: boolean;
    try {
      allowed = await intentionCheck(client.http, f.args[0]!, f.args[1]!, { sourceType: 'consul' });
    } catch (err) {
      ui.error(`Error checking the connection: ${errText(err)}`);
      return 2;
    }
    ui.output(allowed ? 'Allowed' : 'Denied');
    return allowed ? 0 : 1;
  },
};

export const intentionMatchCmd: Command = {
  synopsis: 'Show intentions that match a source or destination.',
  help: `Usage: proconsul intention match [options] SRC|DST

  Show the list of intentions that would be enforced for a given source
  or destination. The intentions are listed in the order they would be
  evaluated.

      $ proconsul intention match db
      $ proconsul intention match -source web`,
  flags: () =>
    new FlagSet([
      { name: 'source', kind: 'bool', usage: 'Match intentions with the given source.' },
      { name: 'destination', kind: 'bool', usage: 'Match intentions with the given destination.' },
    ]).merge(clientAndServerFlags()),
  async run(f, ui) {
    if (f.args.length !== 1) {
      ui.error('Error: command requires exactly one argument: src or dst');
      return 1;
    }
    if (f.bool('source') && f.bool('destination')) {
      ui.error('Error: only one of -source or -destination may be specified');
      return 1;
    }
    const client = connect(f, ui);
    if (typeof client === 'number') return client;
    const name = f.args[0]!;
    let matches: Record<string, Intention[]>;
    try {
      matches = await intentionMatch(client.http, f.bool('source') ? 'source' : 'destination', [name]);
    } catch (err) {
      ui.error(`Error matching the connection: ${errText(err)}`);
      return 1;
    }
    for (const ixn of matches[name] ?? []) ui.output(intentionString(ixn));
    return 0;
  },
};

export const intentionDeleteCmd: Command = {
  synopsis: 'Delete an intention.',
  help: `Usage: proconsul intention delete [options] SRC DST
Usage: proconsul intention delete [options] ID

  Delete an intention. This cannot be reversed. The intention can be looked
  up via an exact source/destination match or via the unique intention ID.

      $ proconsul intention delete web db`,
  flags: () => clientAndServerFlags(),
  async run(f, ui) {
    const client = connect(f, ui);
    if (typeof client === 'number') return client;
    try {
      if (f.args.length === 1) await intentionDelete(client.http, f.args[0]!);
      else if (f.args.length === 2) await intentionDeleteExact(client.http, f.args[0]!, f.args[1]!);
      else {
        ui.error('command requires exactly 1 or 2 arguments');
        return 1;
      }
    } catch (err) {
      ui.error(`Error deleting the intention: ${errText(err)}`);
      return 1;
    }
    ui.output('Intention deleted.');
    return 0;
  },
};
