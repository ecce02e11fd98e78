import { readFileSync } from 'node:fs';

/** Proconsul's own version: the package's (Changesets moves every package to one version). */
export const PROCONSUL_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** The Consul release whose HTTP API and behaviour Proconsul follows (reported as Config.Version). */
export const CONSUL_VERSION = '1.17.0';
/** The build's revision (Consul's GitCommit): /v1/agent/self's Config.Revision, /v1/agent/version's SHA, the gossip `build` tag. */
export const REVISION = `proconsul-${PROCONSUL_VERSION}`;
/** The build date (Consul's BuildDate): /v1/agent/self's Config.BuildDate and /v1/agent/version's. */
export const BUILD_DATE = '2026-01-01T00:00:00Z';

/**
 * GET /v1/agent/version (Consul's version.GetBuildInfo), fields in Consul's order. HumanVersion
 * is CONSUL_VERSION: Consul's GetHumanVersion of a release without prerelease or metadata; FIPS
 * is empty outside a FIPS build.
 */
export const BUILD_INFO = { SHA: REVISION, BuildDate: BUILD_DATE, HumanVersion: CONSUL_VERSION, FIPS: '' } as const;
