import { readFileSync } from 'node:fs';

/** Proconsul's own version: the package's (Changesets moves every package to one version). */
export const PROCONSUL_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** The Consul release whose HTTP API and behaviour Proconsul follows (reported as Config.Version). */
export const CONSUL_VERSION = '1.17.0';
