/**
 * The Proconsul agent: `startAgent(config)` runs one (programmatically), `agentMain(argv)` is
 * `proconsul agent ...`, and `dist/run.js` is the process entry.
 */
import './js-string-decoder.js'; // before anything loads msgpackr
export { startAgent, type AgentHandle, type StartAgentOptions } from './agent.js';
export { agentMain } from './main.js';
export type { Applier } from './apply/applier.js';
export { loadConfig, ConfigError, type AgentConfig } from './config/index.js';
/** Consul's HCL config syntax as the plain object its JSON form gives (`proconsul services register x.hcl`). */
export { parseHcl, HclError } from './config/hcl.js';
/** What the reference in docs/ is generated from: flags, config keys, HTTP routes. */
export { FLAG_DEFS, CONFIG_SPEC, IGNORED_KEYS, type FlagDef, type FlagKind } from './config/index.js';
export type { FieldSpec, FieldType, ObjectSpec } from './checks/decode.js';
export { routeTable } from './http/endpoint.js';
export { PROCONSUL_VERSION, CONSUL_VERSION } from './version.js';
