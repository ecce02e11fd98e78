// auto_reload_config (Consul's config.FileWatcher): the -config-file and -config-dir paths are
// watched, and changes within one coalescing interval (Consul's 1 s) become one reload. A file
// is watched through its directory, so an editor's or a ConfigMap's replace-by-rename is seen
// as well as a write in place; a directory is watched for any file in it.
import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

/** Consul's AutoReloadConfigCoalesceInterval. */
export const COALESCE_MS = 1000;

/**
 * Calls `onChange` once per burst of changes to `paths`, `coalesceMs` after the last one. A
 * path that cannot be watched (it vanished) is reported to `onError` and left out.
 */
export function watchConfigPaths(paths: readonly string[], onChange: () => void, onError: (path: string, err: Error) => void, coalesceMs = COALESCE_MS): ConfigWatcher {
  // Directory -> the file names of interest in it (undefined: every file).
  const targets = new Map<string, Set<string> | undefined>();
  for (const p of paths.map((x) => resolve(x))) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // A file that is not there yet is watched for through its directory.
    }
    if (isDir) targets.set(p, undefined);
    else if (!targets.has(dirname(p)) || targets.get(dirname(p)) !== undefined) {
      const names = targets.get(dirname(p)) ?? new Set<string>();
      names.add(basename(p));
      targets.set(dirname(p), names);
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, coalesceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of targets) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (names === undefined || (name !== null && names.has(String(name)))) changed();
      });
      w.on('error', (err) => onError(dir, err));
      watchers.push(w);
    } catch (err) {
      onError(dir, err as Error);
    }
  }
  return {
    close: () => {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
