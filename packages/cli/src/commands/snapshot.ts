/** `proconsul snapshot save|restore|inspect`: back up, restore and look into the server state. */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { tabwrite } from '../columnize.js';
import { FlagSet } from '../flags.js';
import type { SnapshotMeta } from '@proconsul/agent/snapshot';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';

// The archive code is the agent's own (one reader of the format), loaded only by these commands.
const archiveModule = () => import('@proconsul/agent/snapshot');

function fileArg(args: string[], ui: { error(t: string): void }): string | undefined {
  if (args.length === 0) {
    ui.error('Missing FILE argument');
    return undefined;
  }
  if (args.length > 1) {
    ui.error(`Too many arguments (expected 1, got ${args.length})`);
    return undefined;
  }
  return args[0];
}

/** The file's bytes, or undefined once Consul's error is printed. */
async function readSnapshotFile(file: string, ui: { error(t: string): void }): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    ui.error(`Error opening snapshot file: ${code === 'ENOENT' ? `open ${file}: no such file or directory` : errText(err)}`);
    return undefined;
  }
}

export const snapshotSave: Command = {
  synopsis: 'Saves snapshot of Consul server state',
  help: `Usage: proconsul snapshot save [options] FILE

  Retrieves an atomic, point-in-time snapshot of the state of the servers
  which includes key/value entries, service catalog, sessions and ACLs.

    $ proconsul snapshot save backup.snap
    $ proconsul snapshot save -stale backup.snap`,
  flags: () => clientFlags().merge(serverFlags()),
  async run(f, ui) {
    const file = fileArg(f.args, ui);
    if (file === undefined) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    let snap;
    try {
      snap = await client.snapshot.save({ stale: staleFlag(f) });
    } catch (err) {
      ui.error(`Error saving snapshot: ${errText(err)}`);
      return 1;
    }
    // Written beside the target first, verified, then renamed into place (as Consul does).
    const unverified = `${file}.unverified`;
    try {
      await writeFile(unverified, snap.data, { mode: 0o600 });
    } catch (err) {
      ui.error(`Error writing unverified snapshot file: ${errText(err)}`);
      return 1;
    }
    try {
      (await archiveModule()).openArchive(await readFile(unverified));
    } catch (err) {
      await rm(unverified, { force: true });
      ui.error(`Error verifying snapshot file: ${errText(err)}`);
      return 1;
    }
    try {
      await rename(unverified, file);
    } catch (err) {
      await rm(unverified, { force: true });
      ui.error(`Error renaming ${JSON.stringify(unverified)} to ${JSON.stringify(file)}: ${errText(err)}`);
      return 1;
    }
    ui.info(`Saved and verified snapshot to index ${snap.meta.lastIndex}`);
    return 0;
  },
};

export const snapshotRestore: Command = {
  synopsis: 'Restores snapshot of Consul server state',
  help: `Usage: proconsul snapshot restore [options] FILE

  Restores an atomic, point-in-time snapshot of the state of the servers.

    $ proconsul snapshot restore backup.snap`,
  flags: () => clientFlags().merge(serverFlags()),
  async run(f, ui) {
    const file = fileArg(f.args, ui);
    if (file === undefined) return 1;
    const client = apiClient(f, ui);
    if (!client) return 1;
    const archive = await readSnapshotFile(file, ui);
    if (!archive) return 1;
    try {
      await client.snapshot.restore(archive);
    } catch (err) {
      ui.error(`Error restoring snapshot: ${errText(err)}`);
      return 1;
    }
    ui.info('Restored snapshot');
    return 0;
  },
};

/** Consul's ByteSize: binary units, one decimal unless it is .0. */
function byteSize(bytes: number): string {
  const units: [number, string][] = [[2 ** 40, 'TB'], [2 ** 30, 'GB'], [2 ** 20, 'MB'], [2 ** 10, 'KB'], [1, 'B']];
  if (bytes === 0) return '0';
  const [div, unit] = units.find(([d]) => bytes >= d)!;
  return (bytes / div).toFixed(1).replace(/\.0$/, '') + unit;
}

export const snapshotInspect: Command = {
  synopsis: 'Displays information about a Consul snapshot file',
  help: `Usage: proconsul snapshot inspect [options] FILE

  Displays information about a snapshot file on disk.

  To inspect the file "backup.snap":

    $ proconsul snapshot inspect backup.snap`,
  flags: () =>
    new FlagSet([
      { name: 'kvdetails', kind: 'bool', usage: "Provides a detailed KV space usage breakdown for any KV data that's been stored." },
      { name: 'kvdepth', kind: 'int', default: '2', usage: 'Can only be used with -kvdetails. The key prefix depth used to breakdown KV store data. Defaults to 2.' },
      { name: 'kvfilter', kind: 'string', usage: 'Can only be used with -kvdetails. Limits KV key breakdown using this prefix filter.' },
      { name: 'format', kind: 'string', default: 'pretty', usage: 'Output format {pretty|json}' },
    ]),
  async run(f, ui) {
    const file = fileArg(f.args, ui);
    if (file === undefined) return 1;
    const bytes = await readSnapshotFile(file, ui);
    if (!bytes) return 1;
    const { decodeState, looksLikeRaftSnapshot, openArchive, readRaftSnapshot, snapshotStats } = await archiveModule();
    // An archive from `snapshot save`, or a server's own Raft snapshot file
    // (<data-dir>/raft/snapshot), as Consul's takes a server's raw state.bin.
    let snap: { meta: SnapshotMeta; state: () => unknown };
    try {
      if (looksLikeRaftSnapshot(bytes)) {
        const raw = await readRaftSnapshot(file);
        snap = { meta: raw.meta, state: () => raw.state };
      } else {
        const archive = openArchive(bytes);
        snap = { meta: archive.meta, state: () => decodeState(archive.stateBin) };
      }
    } catch (err) {
      ui.error(`Error reading snapshot: ${errText(err)}`);
      return 1;
    }
    let stats: ReturnType<typeof snapshotStats>;
    try {
      const kv = f.bool('kvdetails') ? { depth: f.int('kvdepth'), filter: f.string('kvfilter') } : undefined;
      stats = snapshotStats(snap.state(), kv);
    } catch (err) {
      ui.error(`Error extracting snapshot data: ${errText(err)}`);
      return 1;
    }
    const { ID, Size, Index, Term, Version } = snap.meta;
    const format = f.string('format');
    if (format === 'json') {
      // Go's json.MarshalIndent of Consul's OutputFormat, three spaces deep.
      ui.output(JSON.stringify({ Meta: { ID, Size, Index, Term, Version }, Stats: stats.Stats, StatsKV: stats.StatsKV, TotalSize: stats.TotalSize, TotalSizeKV: stats.TotalSizeKV }, null, 3));
      return 0;
    }
    if (format !== 'pretty') {
      ui.error(`Error outputting enhanced snapshot data: Unknown format: ${format}`);
      return 1;
    }
    const table = (head: string, rows: { Name: string; Sum: number; Count: number }[], total: number): string[] => [
      ` ${head}\tCount\tSize`,
      ' ----\t----\t----',
      ...rows.map((s) => ` ${s.Name}\t${s.Count}\t${byteSize(s.Sum)}`),
      ' ----\t----\t----',
      ` Total\t\t${byteSize(total)}`,
    ];
    const lines = [` ID\t${ID}`, ` Size\t${Size}`, ` Index\t${Index}`, ` Term\t${Term}`, ` Version\t${Version}`, '', ...table('Type', stats.Stats, stats.TotalSize)];
    if (stats.StatsKV) lines.push('', ...table('Key Name', stats.StatsKV, stats.TotalSizeKV));
    ui.output(tabwrite(lines.join('\n'), 6, 8));
    return 0;
  },
};
