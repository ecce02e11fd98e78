/** ACL token entry: kept in this browser's localStorage and sent as X-Consul-Token. */
import { useState } from 'preact/hooks';
import { PageTitle } from '../components/Bits.js';
import { useSession } from '../client.js';

export function Token() {
  const { token, setToken } = useSession();
  const [value, setValue] = useState(token);
  const [done, setDone] = useState('');
  return (
    <section>
      <PageTitle sub="For agents with ACLs enabled. The token stays in this browser (localStorage, as Consul’s UI keeps it) and is sent as X-Consul-Token.">ACL token</PageTitle>
      <form
        class="editor"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim());
          setDone(value.trim() ? 'Token saved; requests now carry it.' : 'Token cleared.');
        }}
      >
        <label for="token">SecretID</label>
        <input id="token" name="token" type="password" class="mono" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <div class="actions">
          <button type="submit" class="primary" data-save>
            Save token
          </button>
          <button
            type="button"
            onClick={() => {
              setValue('');
              setToken('');
              setDone('Token cleared.');
            }}
          >
            Clear
          </button>
          {done ? (
            <span class="ok-text" role="status">
              {done}
            </span>
          ) : null}
        </div>
        <p class="muted">{token ? 'A token is set.' : 'No token is set: requests use the agent’s default (anonymous) token.'}</p>
      </form>
    </section>
  );
}
