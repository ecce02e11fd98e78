/** Small presentational pieces: tags, meta tables, errors, loading and empty states. */
import { ConsulConnectionError, ConsulError } from '@proconsul/api';
import type { ComponentChildren } from 'preact';

export function Tags({ tags }: { tags: string[] | null | undefined }) {
  if (!tags || tags.length === 0) return null;
  return (
    <ul class="tags" aria-label="tags">
      {tags.map((t) => (
        <li key={t} class="tag">
          {t}
        </li>
      ))}
    </ul>
  );
}

export function MetaTable({ meta, label = 'Meta' }: { meta: Record<string, string> | null | undefined; label?: string }) {
  const entries = Object.entries(meta ?? {});
  if (entries.length === 0) return null;
  return (
    <dl class="meta" aria-label={label}>
      {entries.map(([k, v]) => (
        <div key={k} class="meta-row">
          <dt>{k}</dt>
          <dd>{v === '' ? <span class="muted">(empty)</span> : v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** An error in words an operator can act on. */
export function describeError(err: unknown): string {
  if (err instanceof ConsulError) {
    if (err.statusCode === 403 && err.body.trim() === 'ACL not found') return 'ACL not found (403): this agent does not know the token. Check it on the Token page.';
    if (err.statusCode === 403) return `Permission denied (403): ${err.body}. Set an ACL token on the Token page.`;
    return `The agent answered ${err.statusCode}: ${err.body || 'no message'}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A request's error; a lost agent is left to the page-wide banner unless `always` is set. */
export function ErrorNote({ error, prefix, always }: { error: unknown; prefix?: string; always?: boolean }) {
  if (error === undefined || error === null) return null;
  if (error instanceof ConsulConnectionError && !always) return null;
  return (
    <p class="note note-error" role="alert">
      {prefix ? `${prefix}: ` : ''}
      {describeError(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function PageTitle({ children, sub }: { children: ComponentChildren; sub?: ComponentChildren }) {
  return (
    <header class="page-title">
      <h1>{children}</h1>
      {sub ? <p class="muted">{sub}</p> : null}
    </header>
  );
}
