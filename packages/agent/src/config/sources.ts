/**
 * Reading -config-file and -config-dir sources: JSON and HCL files, a directory's *.json and
 * *.hcl files in lexical order (subdirectories skipped), other extensions skipped with a
 * warning as Consul does; -config-format reads every file in that format.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DecodeError, decodeObject } from '../checks/decode.js';
import { ConfigError } from './errors.js';
import { HclError, parseHcl } from './hcl.js';
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

export type ConfigFormat = 'json' | 'hcl';

/** Parses one JSON or HCL config text into a fragment. Throws ConfigError naming the file and key. */
export function parseConfigText(text: string, file: string, format: ConfigFormat = 'json'): Fragment {
  if (text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = format === 'hcl' ? parseHcl(text) : JSON.parse(text);
  } catch (err) {
    if (err instanceof HclError || err instanceof SyntaxError) throw new ConfigError(`failed to parse ${file}: ${err.message}`);
    throw err;
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

/** The format a file is read in: -config-format, else its extension (undefined: skipped). */
function formatOf(file: string, configFormat: string | undefined): ConfigFormat | undefined {
  if (configFormat === 'json' || configFormat === 'hcl') return configFormat;
  if (file.endsWith('.json')) return 'json';
  if (file.endsWith('.hcl')) return 'hcl';
  return undefined;
}

async function readSource(file: string, format: ConfigFormat): Promise<ConfigSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Error reading config: ${fsMessage(err as NodeJS.ErrnoException, 'open', file)}`);
  }
  return { file, fragment: parseConfigText(text, file, format) };
}

/** Reads the sources named by -config-file / -config-dir, in order. */
export async function readConfigPaths(
  paths: readonly string[],
  configFormat: string | undefined,
  warnings: string[],
): Promise<ConfigSource[]> {
  if (configFormat !== undefined && configFormat !== 'json' && configFormat !== 'hcl') {
    throw new ConfigError("config: -config-format must be either 'hcl' or 'json'");
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
      const format = formatOf(file, configFormat);
      if (format === undefined) {
        warnings.push(`skipping file ${file}, extension must be .hcl or .json, or config format must be set`);
        continue;
      }
      sources.push(await readSource(file, format));
    }
  }
  return sources;
}
