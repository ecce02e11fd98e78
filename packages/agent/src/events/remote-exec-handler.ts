// Where `_rexec` events go: Consul's disable_remote_exec gate (agent/remote_exec.go). The exec
// code (child processes, temporary files) loads with the first job, so an agent that never runs
// one (the default) never loads it.
import type { AgentContext } from '../context.js';
import type { UserEvent } from './user-events.js';

export function remoteExecHandler(ctx: AgentContext): (event: UserEvent) => void {
  return (event) => {
    if (ctx.config.disableRemoteExec) {
      ctx.log.agent.info({ event_name: event.Name, event_id: event.ID }, 'ignoring remote exec event, disabled.');
      return;
    }
    import('./remote-exec.js').then(
      (m) => m.runRemoteExec(ctx, event),
      (err: Error) => ctx.log.agent.error({ error: err.message }, 'remote exec failed to load'),
    );
  };
}
