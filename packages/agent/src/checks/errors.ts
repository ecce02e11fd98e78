/** A check definition Consul would refuse; `message` is Consul's text (without the `Invalid check: ` prefix). */
export class CheckDefinitionError extends Error {
  override readonly name = 'CheckDefinitionError';
  constructor(
    message: string,
    /** 'status' for a bad Status value (the endpoints word that one differently). */
    readonly problem: 'invalid' | 'status' = 'invalid',
  ) {
    super(message);
  }
}

/** Script checks refused because script checks are not enabled. */
export class ScriptChecksDisabledError extends Error {
  override readonly name = 'ScriptChecksDisabledError';
}

/** Consul's refusal texts (agent/agent.go). */
export const SCRIPTS_DISABLED_LOCAL =
  "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true";
export const SCRIPTS_DISABLED_REMOTE =
  "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true";
