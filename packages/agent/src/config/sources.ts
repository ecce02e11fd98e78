/**
 * Reading -config-file and -config-dir sources: JSON files, a directory's *.json files in
 * lexical order (subdirectories skipped), other extensions skipped with a warning as Consul does.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DecodeError, decodeObject } from '../checks/decode.js';
import { ConfigError } from './errors.js';
import { CONFIG_SPEC } from './schema.js';

type Fragment = Record<string, unknown>;

export interface ConfigSource {
  file: string;
  fragment: Fragment;
}

/** Go-style text for a Node file system error: `open x: no such file or directory`. */
function fsMessage(err: NodeJS.ErrnoException, op: string, file: string): string {
  const reason: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
  };
  return `${op} ${file}: ${reason[err.code ?? ''] ?? err.message}`;
}

/** Parses one JSON config text into a fragment. Throws ConfigError naming the file and key. */
export function parseConfigText(text: string, file: string): Fragment {
  if (text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`failed to parse ${file}: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`failed to parse ${file}: the top level must be a JSON object`);
  }
  try {
    return decodeObject(raw as Fragment, CONFIG_SPEC);
  } catch (err) {
    if (err instanceof DecodeError) {
      if (err.problem === 'unknown-key') throw new ConfigError(`failed to parse ${file}: invalid config key ${err.path}`);
      throw new ConfigError(`failed to parse ${file}: ${err.path}: ${err.message}`);
    }
    throw err;
  }
}

function wantsJson(file: string, configFormat: string | undefined): boolean {
  return configFormat === 'json' || file.endsWith('.json');
}

async function readSource(file: string): Promise<ConfigSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Error reading config: ${fsMessage(err as NodeJS.ErrnoException, 'open', file)}`);
  }
  return { file, fragment: parseConfigText(text, file) };
}

/** Reads the sources named by -config-file / -config-dir, in order. */
export async function readConfigPaths(
  paths: readonly string[],
  configFormat: string | undefined,
  warnings: string[],
): Promise<ConfigSource[]> {
  if (configFormat !== undefined && configFormat !== 'json') {
    throw new ConfigError(
      configFormat === 'hcl'
        ? '-config-format=hcl is not supported: HCL configuration is not implemented, use JSON'
        : `-config-format must be 'hcl' or 'json'`,
    );
  }
  const sources: ConfigSource[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch (err) {
      throw new ConfigError(`Error reading config: ${fsMessage(err as NodeJS.ErrnoException, 'stat', p)}`);
    }
    const files: string[] = [];
    if (info.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const file = path.join(p, entry.name);
        if (entry.isDirectory()) continue;
        if (entry.isSymbolicLink()) {
          const target = await stat(file).catch(() => undefined);
          if (target === undefined || target.isDirectory()) continue;
        }
        files.push(file);
      }
    } else {
      files.push(p);
    }
    for (const file of files) {
      if (file.endsWith('.hcl') && configFormat === undefined) {
        throw new ConfigError(`failed to parse ${file}: HCL configuration is not supported, use JSON`);
      }
      if (!wantsJson(file, configFormat)) {
        warnings.push(`skipping file ${file}, extension must be .hcl or .json, or config format must be set`);
        continue;
      }
      sources.push(await readSource(file));
    }
  }
  return sources;
}
