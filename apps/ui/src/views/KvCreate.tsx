/** Create a key (or a folder, when the name ends in /) inside a folder. Uses ?cas=0 so an existing key is never overwritten. */
import { useState } from 'preact/hooks';
import { ErrorNote, PageTitle } from '../components/Bits.js';
import { useSession } from '../client.js';
import { asJson } from '../data/kv-value.js';
import { href, navigate } from '../router.js';
import { KvCrumbs } from './KvCrumbs.js';

export function KvCreate({ prefix }: { prefix: string }) {
  const { consul, dc } = useSession();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [problem, setProblem] = useState('');
  const folder = name.endsWith('/');
  const full = prefix + name;

  const create = async (e: Event) => {
    e.preventDefault();
    setProblem('');
    setError(undefined);
    if (name.trim() === '' || name === '/') return setProblem('Enter a key name.');
    if (name.startsWith('/')) return setProblem('A key name cannot start with /.');
    setBusy(true);
    try {
      const ok = await consul.kv.put(full, folder ? '' : value, { cas: 0 });
      if (!ok) {
        setProblem(`${full} already exists; open it to edit it.`);
        return;
      }
      navigate(folder ? href({ view: 'kv', dc, prefix: full }) : href({ view: 'kv', dc, prefix }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const json = value.trim() ? asJson(value) : null;
  return (
    <section>
      <KvCrumbs dc={dc} path={prefix} />
      <PageTitle sub={prefix ? `in ${prefix}` : undefined}>Create key or folder</PageTitle>
      <form class="editor" onSubmit={create}>
        <label for="kv-name">Key or folder (end with / for a folder)</label>
        <div class="key-input">
          {prefix ? <span class="mono muted">{prefix}</span> : null}
          <input id="kv-name" name="key" class="mono" value={name} autofocus autocomplete="off" spellcheck={false} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        {!folder ? (
          <>
            <label for="kv-value">Value</label>
            <textarea id="kv-value" name="value" rows={8} spellcheck={false} value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} />
            {json ? <p class="muted">{json.ok ? 'Valid JSON.' : 'Plain text (not JSON).'}</p> : null}
          </>
        ) : null}
        {problem ? (
          <p class="note note-error" role="alert">
            {problem}
          </p>
        ) : null}
        <ErrorNote error={error} prefix="Create failed" always />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy} data-save>
            {folder ? 'Create folder' : 'Create key'}
          </button>
          <a class="button" href={href({ view: 'kv', dc, prefix })}>
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
