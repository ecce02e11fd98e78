/**
 * View and edit one key. Saves are check-and-set on the ModifyIndex the editor started from
 * (?cas=), so a change made elsewhere in the meantime is detected and reported instead of
 * silently overwritten. While the draft is untouched, the view follows the key live.
 */
import type { KVPair } from '@proconsul/api';
import { useEffect, useState } from 'preact/hooks';
import { describeError, ErrorNote, Loading, PageTitle } from '../components/Bits.js';
import { Confirm } from '../components/Confirm.js';
import { useSession } from '../client.js';
import { asJson, decodeValue, parentFolder } from '../data/kv-value.js';
import { useLive } from '../data/live.js';
import { href, navigate } from '../router.js';
import { KvCrumbs } from './KvCrumbs.js';

type Conflict = { kind: 'changed'; latest: KVPair } | { kind: 'deleted' };

function textOf(pair: KVPair | null | undefined): string {
  if (!pair) return '';
  const d = decodeValue(pair);
  return d.kind === 'text' ? d.text : '';
}

export function KvEdit({ keyName }: { keyName: string }) {
  const { consul, dc } = useSession();
  const live = useLive((q) => consul.kv.get(keyName, q), [consul, keyName]);
  const [base, setBase] = useState<KVPair | null | undefined>(undefined);
  const [draft, setDraft] = useState('');
  const [mode, setMode] = useState<'text' | 'json'>('text');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const dirty = base !== undefined && draft !== textOf(base);

  useEffect(() => {
    setBase(undefined);
    setDraft('');
    setConflict(null);
    setSaved(false);
  }, [keyName]);

  // Adopt the stored version when nothing is being edited; otherwise only warn.
  useEffect(() => {
    if (live.data === undefined) return;
    if (base === undefined || (!dirty && live.data?.ModifyIndex !== base?.ModifyIndex)) {
      setBase(live.data);
      setDraft(textOf(live.data));
      if (mode === 'text' && live.data && asJson(textOf(live.data)).ok && /^\s*[[{]/.test(textOf(live.data))) setMode('json');
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [live.data]);

  const staleWhileEditing = dirty && live.data !== undefined && base !== undefined && (live.data?.ModifyIndex ?? 0) !== (base?.ModifyIndex ?? 0);

  const adopt = (pair: KVPair | null) => {
    setBase(pair);
    setDraft(textOf(pair));
    setConflict(null);
  };

  const save = async (casIndex: number) => {
    setBusy(true);
    setSaved(false);
    setError(undefined);
    try {
      const ok = await consul.kv.cas(keyName, draft, casIndex);
      const { data: latest } = await consul.kv.get(keyName);
      if (ok) {
        adopt(latest);
        setSaved(true);
      } else {
        setConflict(latest ? { kind: 'changed', latest } : { kind: 'deleted' });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!base) return;
    setBusy(true);
    setError(undefined);
    try {
      const ok = await consul.kv.deleteCAS(keyName, base.ModifyIndex);
      if (ok) {
        navigate(href({ view: 'kv', dc, prefix: parentFolder(keyName) }));
        return;
      }
      const { data: latest } = await consul.kv.get(keyName);
      setConfirmDelete(false);
      setConflict(latest ? { kind: 'changed', latest } : { kind: 'deleted' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const decoded = base ? decodeValue(base) : null;
  const json = asJson(draft);

  return (
    <section>
      <KvCrumbs dc={dc} path={keyName} />
      <PageTitle>
        <span class="mono">{keyName}</span>
      </PageTitle>
      <ErrorNote error={live.error} />
      {base === undefined && live.loading ? <Loading what="key" /> : null}
      {base === null && !conflict ? (
        <div class="note">
          <p>
            The key <code>{keyName}</code> does not exist.{' '}
            <a href={href({ view: 'kv-create', dc, prefix: parentFolder(keyName) })}>Create a key</a> in its folder.
          </p>
        </div>
      ) : null}
      {conflict ? (
        <div class="note note-error" role="alert" data-conflict>
          {conflict.kind === 'changed' ? (
            <p>
              <strong>Not saved: this key was changed by someone else</strong> since you opened it (ModifyIndex {base?.ModifyIndex ?? 0} → {conflict.latest.ModifyIndex}).
              Your text is kept below. Current stored value: <code class="inline-value">{textOf(conflict.latest).slice(0, 200)}</code>
            </p>
          ) : (
            <p>
              <strong>Not saved: this key was deleted by someone else</strong> since you opened it.
            </p>
          )}
          <div class="actions">
            <button type="button" onClick={() => adopt(conflict.kind === 'changed' ? conflict.latest : null)} data-load-latest>
              Discard mine, load latest
            </button>
            <button type="button" class="danger" disabled={busy} onClick={() => void save(conflict.kind === 'changed' ? conflict.latest.ModifyIndex : 0)} data-overwrite>
              Overwrite with mine
            </button>
          </div>
        </div>
      ) : null}
      {staleWhileEditing && !conflict ? (
        <p class="note note-warning" role="status" data-stale>
          This key changed (ModifyIndex {live.data?.ModifyIndex ?? 'deleted'}) while you were editing. Saving will be refused; copy your text or load the latest value.
        </p>
      ) : null}
      <ErrorNote error={error} prefix="Request failed" always />
      {base ? (
        <>
          <dl class="facts">
            <div>
              <dt>ModifyIndex</dt>
              <dd data-modify-index>{base.ModifyIndex}</dd>
            </div>
            <div>
              <dt>CreateIndex</dt>
              <dd>{base.CreateIndex}</dd>
            </div>
            <div>
              <dt>Flags</dt>
              <dd>{base.Flags}</dd>
            </div>
            {base.Session ? (
              <div>
                <dt>Locked by session</dt>
                <dd class="mono">{base.Session}</dd>
              </div>
            ) : null}
          </dl>
          {decoded?.kind === 'binary' ? (
            <div class="note">
              <p>This value is binary ({decoded.size} bytes); shown as base64, read-only.</p>
              <pre class="output">{decoded.base64}</pre>
            </div>
          ) : (
            <form
              class="editor"
              onSubmit={(e) => {
                e.preventDefault();
                void save(base.ModifyIndex);
              }}
            >
              <div class="toolbar" role="group" aria-label="display">
                <button type="button" class={mode === 'text' ? 'toggle on' : 'toggle'} aria-pressed={mode === 'text'} onClick={() => setMode('text')}>
                  Text
                </button>
                <button type="button" class={mode === 'json' ? 'toggle on' : 'toggle'} aria-pressed={mode === 'json'} onClick={() => setMode('json')}>
                  JSON
                </button>
                {mode === 'json' && json.ok && json.pretty !== draft ? (
                  <button type="button" onClick={() => setDraft(json.pretty)}>
                    Format
                  </button>
                ) : null}
              </div>
              <label for="kv-value">Value</label>
              <textarea
                id="kv-value"
                name="value"
                rows={Math.min(24, Math.max(6, draft.split('\n').length + 1))}
                spellcheck={false}
                value={draft}
                onInput={(e) => {
                  setDraft((e.target as HTMLTextAreaElement).value);
                  setSaved(false);
                }}
                onKeyDown={(e) => {
                  if ((e.ctrlKey || e.metaKey) && e.key === 's') {
                    e.preventDefault();
                    void save(base.ModifyIndex);
                  }
                }}
              />
              {mode === 'json' ? (
                json.ok ? (
                  <pre class="output json-view" aria-label="JSON view">{json.pretty}</pre>
                ) : (
                  <p class="note note-warning">Not valid JSON: {json.error}</p>
                )
              ) : null}
              <div class="actions">
                <button type="submit" class="primary" disabled={busy || !dirty} data-save>
                  Save
                </button>
                <button type="button" disabled={!dirty} onClick={() => setDraft(textOf(base))}>
                  Revert
                </button>
                <button type="button" class="danger" onClick={() => setConfirmDelete(true)} data-delete>
                  Delete
                </button>
                {saved && !dirty ? (
                  <span class="ok-text" role="status" data-saved>
                    Saved.
                  </span>
                ) : null}
              </div>
            </form>
          )}
        </>
      ) : null}
      {confirmDelete ? (
        <Confirm title="Delete key?" confirmLabel="Delete" busy={busy} onCancel={() => setConfirmDelete(false)} onConfirm={() => void remove()}>
          <p>
            Delete <code>{keyName}</code>? This cannot be undone.
          </p>
          {error ? <p class="note note-error">{describeError(error)}</p> : null}
        </Confirm>
      ) : null}
    </section>
  );
}
