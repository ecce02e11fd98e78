// Reading the CA certificates of a TLS block: `ca_file`, else every file in `ca_path` (Consul's
// LoadCAs). A file that cannot be read refuses the start, named.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';

export function loadCas(caFile: string, caPath: string): Buffer[] {
  const read = (path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`Error loading from ${path}: ${(err as Error).message}`);
    }
  };
  if (caFile !== '') return [read(caFile)];
  if (caPath === '') return [];
  let names: string[];
  try {
    names = readdirSync(caPath).sort();
  } catch (err) {
    throw new ConfigError(`Error loading from ${caPath}: ${(err as Error).message}`);
  }
  const pems = names.map((n) => join(caPath, n)).filter((p) => statSync(p).isFile()).map(read);
  if (pems.length === 0) throw new ConfigError('Error loading from CAPath: no CAs found');
  return pems;
}
