// Test support for the workspace's suites (a private package, never published).
export { startAgent, type AgentProcess, type StartAgentOptions } from './agent.js';
export { agentEntry, repoRoot } from './paths.js';
export { freePort, freePorts } from './ports.js';
export { stopProcess } from './process.js';
export { tempDir, type TempDir } from './temp.js';
export { waitFor } from './wait.js';
