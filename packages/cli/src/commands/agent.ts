/** `proconsul agent`: hands the whole argument list to the agent package. */
import type { Io } from '../io.js';

type AgentMain = (argv: string[]) => Promise<number>;

export async function runAgent(argv: string[], io: Io): Promise<number> {
  let agentMain: AgentMain | undefined;
  try {
    const mod = (await import('@proconsul/agent')) as { agentMain?: AgentMain };
    agentMain = mod.agentMain;
  } catch (err) {
    io.writeErr(`Error loading the agent: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (typeof agentMain !== 'function') {
    io.writeErr('Error: this build of @proconsul/agent does not export agentMain\n');
    return 1;
  }
  return agentMain(argv);
}
