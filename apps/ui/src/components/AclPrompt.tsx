/**
 * Asks for an ACL token when the agent denies by default (X-Consul-Default-ACL-Policy: deny)
 * and this browser has none: without one, lists come back filtered to nothing.
 */
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../client.js';

/** The agent's default ACL policy, read once from a route that needs no token. */
function useDefaultPolicy(): string {
  const [policy, setPolicy] = useState('');
  useEffect(() => {
    const ac = new AbortController();
    globalThis
      .fetch(`${location.origin}/v1/status/leader`, { signal: ac.signal })
      .then((r) => setPolicy(r.headers.get('X-Consul-Default-ACL-Policy') ?? ''))
      .catch(() => undefined); // an agent that cannot be reached has its own banner
    return () => ac.abort();
  }, []);
  return policy;
}

export function AclPrompt() {
  const { token, setToken } = useSession();
  const policy = useDefaultPolicy();
  const [value, setValue] = useState('');
  if (policy !== 'deny' || token) return null;
  return (
    <form
      class="note acl-prompt"
      data-acl-prompt
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) setToken(value.trim());
      }}
    >
      <strong>This agent has ACLs enabled and denies by default.</strong> Enter an ACL token (SecretID) to see its data; it stays in this browser.
      <div class="actions">
        <input id="acl-prompt-token" type="password" class="mono" autocomplete="off" aria-label="ACL token" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">
          Use token
        </button>
      </div>
    </form>
  );
}
