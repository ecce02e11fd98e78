/** `proconsul snapshot save|restore`: back up and restore the server state. */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { apiClient, clientFlags, errText, serverFlags, staleFlag } from '../http-flags.js';
import { verifySnapshot } from '../snapshot-archive.js';

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
      verifySnapshot(await readFile(unverified));
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
    let archive: Uint8Array;
    try {
      archive = new Uint8Array(await readFile(file));
    } catch (err) {
      const code = (err as { code?: string }).code;
      ui.error(`Error opening snapshot file: ${code === 'ENOENT' ? `open ${file}: no such file or directory` : errText(err)}`);
      return 1;
    }
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
