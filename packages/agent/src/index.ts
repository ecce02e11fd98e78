/**
 * The Proconsul agent: `startAgent(config)` runs one (programmatically), `agentMain(argv)` is
 * `proconsul agent ...`, and `dist/run.js` is the process entry.
 */
export { startAgent, type AgentHandle, type StartAgentOptions } from './agent.js';
export { agentMain } from './main.js';
export type { Applier } from './apply/applier.js';
export { loadConfig, ConfigError, type AgentConfig } from './config/index.js';
export { PROCONSUL_VERSION, CONSUL_VERSION } from './version.js';
