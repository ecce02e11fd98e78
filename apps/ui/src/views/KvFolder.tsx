/** A KV folder: its keys and sub-folders (?keys&separator=/), with create and delete. */
import { useState } from 'preact/hooks';
import { describeError, Empty, ErrorNote, Loading, PageTitle } from '../components/Bits.js';
import { Confirm } from '../components/Confirm.js';
import { useSession } from '../client.js';
import { parentFolder } from '../data/kv-value.js';
import { useLive } from '../data/live.js';
import { href, navigate } from '../router.js';
import { KvCrumbs } from './KvCrumbs.js';

export function KvFolder({ prefix }: { prefix: string }) {
  const { consul, dc } = useSession();
  const live = useLive((q) => consul.kv.keys(prefix, '/', q), [consul, prefix]);
  const [pending, setPending] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  // ?keys lists the prefix itself when it exists as a key (a folder marker); hide it.
  const keys = (live.data ?? []).filter((k) => k !== prefix).sort((a, b) => Number(b.endsWith('/')) - Number(a.endsWith('/')) || a.localeCompare(b));

  const remove = async (key: string) => {
    setBusy(true);
    setError(undefined);
    try {
      if (key.endsWith('/')) await consul.kv.deleteTree(key);
      else await consul.kv.delete(key);
      setPending(null);
      if (key === prefix) navigate(href({ view: 'kv', dc, prefix: parentFolder(prefix) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <KvCrumbs dc={dc} path={prefix} />
      <PageTitle>{prefix ? prefix : 'Key/Value'}</PageTitle>
      <div class="toolbar">
        <a class="button primary" href={href({ view: 'kv-create', dc, prefix })} data-create>
          Create
        </a>
        {prefix ? (
          <button type="button" class="danger" onClick={() => setPending(prefix)} data-delete-folder>
            Delete folder
          </button>
        ) : null}
      </div>
      <ErrorNote error={live.error} />
      <ErrorNote error={error} prefix="Delete failed" always />
      {live.loading ? <Loading what="keys" /> : null}
      {live.data && keys.length === 0 ? <Empty>{prefix ? 'This folder is empty.' : 'There are no keys yet.'}</Empty> : null}
      <ul class="rows kv-rows" aria-label="keys">
        {keys.map((k) => {
          const folder = k.endsWith('/');
          const label = k.slice(prefix.length);
          return (
            <li key={k} class="row kv-row" data-key={k}>
              <a class="row-link" data-nav href={folder ? href({ view: 'kv', dc, prefix: k }) : href({ view: 'kv-edit', dc, key: k })}>
                <span class="kv-icon" aria-hidden="true">
                  {folder ? '▸' : '·'}
                </span>
                <span class="mono">{label}</span>
                <span class="muted">{folder ? 'folder' : ''}</span>
              </a>
              <button type="button" class="link danger-text" aria-label={`Delete ${k}`} onClick={() => setPending(k)} data-delete>
                Delete
              </button>
            </li>
          );
        })}
      </ul>
      {pending !== null ? (
        <Confirm
          title={pending.endsWith('/') ? 'Delete folder?' : 'Delete key?'}
          confirmLabel="Delete"
          busy={busy}
          onCancel={() => setPending(null)}
          onConfirm={() => void remove(pending)}
        >
          {pending.endsWith('/') ? (
            <p>
              This deletes <code>{pending}</code> and <strong>every key under it</strong>. This cannot be undone.
            </p>
          ) : (
            <p>
              Delete <code>{pending}</code>? This cannot be undone.
            </p>
          )}
          {error ? <p class="note note-error">{describeError(error)}</p> : null}
        </Confirm>
      ) : null}
    </section>
  );
}
